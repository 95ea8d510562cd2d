// First SIGINT/SIGTERM aborts (clean shutdown); a second one exits at once.
import { setMaxListeners } from 'node:events';

export function shutdownSignal(onFirst?: (sig: string) => void): AbortSignal {
  const ac = new AbortController();
  // Every controller, informer and watch listens on this one signal.
  setMaxListeners(0, ac.signal);
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) {
      onFirst?.(sig);
      ac.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return ac.signal;
}
