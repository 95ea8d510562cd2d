// Runs a host command to completion: through the shared skiff-spawner when it is available (see
// spawner.ts for why), otherwise through Node's spawn with the same results. SKIFF_SPAWNER=node
// forces Node's spawn.
import { spawn } from 'node:child_process';
import { nativeBinary } from '../native/native-binary.ts';
import { SpawnFailed, Spawner } from './spawner.ts';
import type { ProcessOptions, ProcessResult } from './spawner.ts';

let shared: Promise<Spawner | undefined> | undefined;

/** The process-wide spawner; undefined when it cannot be built (or SKIFF_SPAWNER=node). */
export function sharedSpawner(): Promise<Spawner | undefined> {
  shared ??= (async () => {
    if (process.env.SKIFF_SPAWNER === 'node') return undefined;
    try {
      return new Spawner(await nativeBinary('skiff-spawner'));
    } catch (err) {
      process.stderr.write(`skiff: cannot build skiff-spawner (${(err as Error).message.split('\n')[0]}); commands start through Node's spawn\n`);
      return undefined;
    }
  })();
  return shared;
}

export async function runProcess(file: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const spawner = await sharedSpawner();
  if (spawner) return spawner.run(file, args, options);
  return nodeSpawn(file, args, options);
}

export function nodeSpawn(file: string, args: readonly string[], o: ProcessOptions = {}): Promise<ProcessResult> {
  if (o.outputFile !== undefined) return Promise.reject(new TypeError('nodeSpawn: outputFile is not supported'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(o.env ? { env: o.env } : {}),
      ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    let timedOut = false;
    const timer = o.timeoutMs ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, o.timeoutMs) : undefined;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SpawnFailed(file, e.code ?? 'EUNKNOWN', e.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut });
    });
    if (o.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(o.input);
    }
  });
}
