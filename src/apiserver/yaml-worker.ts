// The thread that decodes large YAML request bodies (see yaml-off-thread.ts): each message is
// { id, text }; the answer is { id, json } with the value as JSON text, or { id, status } with the
// 400 the decoder gave.
import { parentPort } from 'node:worker_threads';
import { isStatusError } from '../api/errors.ts';
import { decodeYaml } from './yaml-decode.ts';

parentPort?.on('message', (msg: { id: number; text: string }) => {
  try {
    parentPort!.postMessage({ id: msg.id, json: JSON.stringify(decodeYaml(msg.text)) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    parentPort!.postMessage({ id: msg.id, status: isStatusError(err) ? err.status : undefined, message });
  }
});
