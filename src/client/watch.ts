// A watch stream: one JSON event per line, parsed as it arrives.
import type { IncomingMessage } from 'node:http';
import type { WatchEvent } from '../api/meta.ts';
import type { RestClient } from './rest-client.ts';

export async function* watchStream<T>(rest: RestClient, path: string, query: Record<string, string | number | boolean | undefined>, signal: AbortSignal, accept?: string): AsyncIterable<WatchEvent<T>> {
  let res: IncomingMessage;
  try {
    res = await rest.stream('GET', path, { query, signal, ...(accept ? { accept } : {}) });
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  const onAbort = (): void => { res.destroy(); };
  signal.addEventListener('abort', onAbort, { once: true });
  let buf = '';
  try {
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield JSON.parse(line) as WatchEvent<T>;
      }
    }
    if (buf.trim()) yield JSON.parse(buf) as WatchEvent<T>;
  } catch (err) {
    if (signal.aborted) return;
    // A connection cut mid-stream ends the watch like a clean close: the informer re-watches.
    if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') return;
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
