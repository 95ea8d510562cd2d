// Starts a container under conmon, the monitor CRI-O and podman use: conmon runs the runtime's
// `create`, holds the container's stdio, writes the CRI log file, records the exit code in the exit
// directory and keeps running after the process that started it exits. The flags and pitfalls are
// those measured in shared/HOST-NOTES.md (never `-s`; `-u` and `-l` required; exit and log dirs
// must exist; one working directory per conmon).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { RuntimeCommandFailed } from '../errors.ts';
import { sharedSpawner } from '../spawner/run-process.ts';
import type { Spawner } from '../spawner/spawner.ts';

export interface ConmonCreateOptions {
  conmon: string;
  id: string;
  name: string;
  /** Runtime executable (may be a wrapper script) and the arguments every call needs (`--root`). */
  runtime: string;
  runtimeArgs: string[];
  bundle: string;
  pidFile: string;
  conmonPidFile: string;
  logPath: string;
  exitDir: string;
  socketDir: string;
  persistDir: string;
  /** conmon's working directory (it drops an `oom` file there). */
  workDir: string;
  /** Where conmon's own stderr goes, for diagnosing a failed create. */
  stderrPath: string;
  tty?: boolean;
  stdin?: boolean;
  timeoutMs?: number;
}

export interface ConmonCreated {
  /** PID of the container's init process (in the host PID namespace). */
  pid: number;
  /** PID of the detached conmon. */
  conmonPid: number;
}

export function conmonArgs(o: ConmonCreateOptions): string[] {
  const args = ['--api-version', '1', '-c', o.id, '-u', o.id, '-n', o.name, '-r', o.runtime];
  for (const a of o.runtimeArgs) args.push('--runtime-arg', a);
  args.push(
    '-b', o.bundle,
    '-p', o.pidFile,
    '-P', o.conmonPidFile,
    '-l', `k8s-file:${o.logPath}`,
    '--exit-dir', o.exitDir,
    '--socket-dir-path', o.socketDir,
    '-0', o.persistDir,
  );
  if (o.tty) args.push('-t');
  if (o.stdin) args.push('-i');
  return args;
}

/** Reads the first JSON message conmon writes on its sync pipe. */
interface SyncMessage {
  data: number;
  message?: string;
}

function readSyncMessage(stream: Readable, timeoutMs: number): Promise<SyncMessage> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stream.removeAllListeners('end');
      stream.on('error', () => {});
      stream.destroy();
      fn();
    };
    const timer = setTimeout(() => done(() => reject(new Error(`no answer from conmon within ${timeoutMs} ms`))), timeoutMs);
    stream.on('data', (b: Buffer) => {
      text += b.toString();
      const line = text.split('\n').find((l) => l.trim() !== '');
      if (line === undefined) return;
      try {
        const msg = JSON.parse(line) as SyncMessage;
        done(() => resolve(msg));
      } catch {
        // incomplete; wait for more
      }
    });
    stream.on('error', (e) => done(() => reject(e)));
    stream.on('end', () => done(() => reject(new Error('conmon closed its sync pipe without an answer'))));
  });
}

async function readPid(path: string): Promise<number> {
  return Number((await readFile(path, 'utf8')).trim());
}

/**
 * Runs `create` through conmon and resolves once the container exists (status `created`).
 * Starting it is the caller's `RUNTIME start`.
 */
export async function conmonCreate(o: ConmonCreateOptions): Promise<ConmonCreated> {
  await mkdir(o.exitDir, { recursive: true });
  await mkdir(o.socketDir, { recursive: true });
  await mkdir(o.workDir, { recursive: true });
  const spawner = await sharedSpawner();
  const msg = spawner ? await syncThroughSpawner(spawner, o) : await syncThroughNode(o);
  if (msg.data < 0) {
    const stderr = await readFile(o.stderrPath, 'utf8').catch(() => '');
    throw new RuntimeCommandFailed(`conmon create ${o.id}`, msg.data, `${msg.message ?? ''} ${stderr}`);
  }
  const conmonPid = await readPid(o.conmonPidFile);
  return { pid: msg.data, conmonPid };
}

async function failure(o: ConmonCreateOptions, why: string, cause?: unknown): Promise<RuntimeCommandFailed> {
  const stderr = await readFile(o.stderrPath, 'utf8').catch(() => '');
  return new RuntimeCommandFailed(`conmon create ${o.id}`, null, `${why}; ${stderr}`, cause === undefined ? undefined : { cause });
}

/** conmon started by skiff-spawner (no fork of this process); its answer is the sync pipe's first line. */
async function syncThroughSpawner(spawner: Spawner, o: ConmonCreateOptions): Promise<SyncMessage> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  let answer;
  try {
    answer = await spawner.runDetached(o.conmon, conmonArgs(o), {
      cwd: o.workDir,
      env: { ...process.env, _OCI_SYNCPIPE: '3' },
      outputFile: o.stderrPath,
      timeoutMs,
    });
  } catch (err) {
    throw await failure(o, (err as Error).message, err);
  }
  if (answer.line === undefined) {
    throw await failure(o, answer.timedOut ? `no answer from conmon within ${timeoutMs} ms` : `conmon exited (${answer.signal ?? answer.code}) without an answer`);
  }
  try {
    return JSON.parse(answer.line) as SyncMessage;
  } catch (err) {
    throw await failure(o, `conmon answered ${JSON.stringify(answer.line.slice(0, 200))}`, err);
  }
}

async function syncThroughNode(o: ConmonCreateOptions): Promise<SyncMessage> {
  const errFd = openSync(o.stderrPath, 'a');
  const child = (() => {
    try {
      return spawn(o.conmon, conmonArgs(o), {
        cwd: o.workDir,
        detached: true,
        stdio: ['ignore', errFd, errFd, 'pipe'],
        env: { ...process.env, _OCI_SYNCPIPE: '3' },
      });
    } finally {
      closeSync(errFd);
    }
  })();
  child.on('error', () => {});
  child.unref();
  const pipe = child.stdio[3] as Readable;
  try {
    return await readSyncMessage(pipe, o.timeoutMs ?? 30_000);
  } catch (err) {
    throw await failure(o, (err as Error).message, err);
  }
}
