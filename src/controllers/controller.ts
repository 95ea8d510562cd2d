// The shape every controller follows (kubernetes sample-controller): informers feed a rate-limited
// work queue of keys; workers run an idempotent, level-triggered sync(key); failures back off.
import type { Logger } from 'pino';
import type { WorkQueue } from '../client/work-queue.ts';

export interface Controller {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** Run `workers` loops over a queue until the signal aborts. */
export async function runWorkers(name: string, queue: WorkQueue<string>, workers: number, sync: (key: string) => Promise<void>, log: Logger, signal: AbortSignal): Promise<void> {
  signal.addEventListener('abort', () => queue.shutDown(), { once: true });
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        if (!signal.aborted) {
          log.warn({ err: (err as Error).message, key, controller: name }, 'sync failed; retrying');
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}
