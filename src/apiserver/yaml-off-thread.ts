// Large YAML bodies are decoded on a worker thread. The `yaml` package needs about 2 µs per
// character (a 3 MiB body is seconds of CPU): on the event loop that would stall every other
// request, as no Go handler stalls kube-apiserver's others. JSON (what kubectl and the client
// libraries send, also inside apply-patch+yaml) stays on the loop: JSON.parse is ~100x faster.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StatusError } from '../api/errors.ts';
import type { Status } from '../api/meta.ts';

/** Smaller YAML bodies are decoded in place (a few milliseconds at most). */
export const OFF_THREAD_MIN_BYTES = 64 * 1024;

interface Answer { id: number; json?: string; status?: Status; message?: string }
interface Pending { resolve: (json: string) => void; reject: (err: Error) => void }

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

/**
 * Where the worker's code is: beside this file when run from source (tsx), or the bundle's own
 * entry (dist/cli/yaml-worker.js, this module being in dist/cli or dist/cli/chunks).
 */
function workerPath(): string | undefined {
  const here = import.meta.url;
  const candidates = here.endsWith('.ts') ? ['./yaml-worker.ts'] : ['./yaml-worker.js', '../yaml-worker.js'];
  return candidates.map((c) => fileURLToPath(new URL(c, here))).find((p) => existsSync(p));
}

/** From source, the thread registers tsx's loader before it loads the worker's TypeScript (Node 20 runs no --import in workers). */
function sourceWorker(path: string): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(path).href)}); })`;
  return new Worker(code, { eval: true });
}

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
  worker = undefined;
}

function start(path: string): Worker {
  const w = path.endsWith('.ts') ? sourceWorker(path) : new Worker(path);
  w.unref();
  w.on('message', (a: Answer) => {
    const p = pending.get(a.id);
    if (!p) return;
    pending.delete(a.id);
    if (a.json !== undefined) p.resolve(a.json);
    else p.reject(a.status ? new StatusError(a.status) : new Error(a.message ?? 'YAML decoding failed'));
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', () => failAll(new Error('the YAML decoding thread exited')));
  return w;
}

/**
 * Decode YAML text to JSON text on the worker thread, or undefined when there is no worker code to
 * run (the caller then decodes in place). Decoding errors reject with the decoder's 400.
 */
export function yamlToJsonOffThread(text: string): Promise<string> | undefined {
  if (!worker) {
    const path = workerPath();
    if (!path) return undefined;
    worker = start(path);
  }
  const id = nextId++;
  const w = worker;
  return new Promise<string>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // Unref'd while idle, ref'd while it has work: a pending decode keeps the process's promise alive.
    w.ref();
    w.postMessage({ id, text });
  }).finally(() => { if (pending.size === 0) w.unref(); });
}
