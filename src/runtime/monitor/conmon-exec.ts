// Runs an exec process with a terminal under conmon (`-e --exec-process-spec … --sync -t`): conmon
// takes the pty master from the runtime's console socket (an fd passed over a unix socket, which
// Node cannot receive), copies the output into a CRI log file, reaps the process (it is a
// subreaper) and reports the exit code on its sync pipe.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RuntimeCommandFailed } from '../errors.ts';
import { readCriLog } from '../logs/cri-log.ts';
import type { LogLine } from '../logs/cri-log.ts';

export interface ConmonExecOptions {
  conmon: string;
  containerId: string;
  execId: string;
  name: string;
  runtime: string;
  runtimeArgs: string[];
  bundle: string;
  /** OCI process JSON of the exec. */
  processSpec: string;
  /** Private directory of this exec: pid, log, exit dir and conmon's working directory. */
  dir: string;
  socketDir: string;
  tty: boolean;
  /** Each output line as it arrives. */
  onLine?: (line: LogLine) => void;
  signal?: AbortSignal;
}

/** Parses the sequence of flat JSON objects conmon writes on its sync pipe. */
export function parseSyncMessages(text: string): Array<{ data: number; message?: string }> {
  const out: Array<{ data: number; message?: string }> = [];
  for (const m of text.matchAll(/\{[^{}]*\}/g)) {
    try {
      out.push(JSON.parse(m[0]) as { data: number; message?: string });
    } catch {
      // not a message
    }
  }
  return out;
}

export async function conmonExec(o: ConmonExecOptions): Promise<{ exitCode: number }> {
  const exitDir = join(o.dir, 'exits');
  const logPath = join(o.dir, 'exec.log');
  await mkdir(exitDir, { recursive: true });
  const args = [
    '--api-version', '1',
    '-c', o.containerId,
    '-u', o.execId,
    '-n', o.name,
    '-r', o.runtime,
    ...o.runtimeArgs.flatMap((a) => ['--runtime-arg', a]),
    '-b', o.bundle,
    '-p', join(o.dir, 'exec.pid'),
    '-l', `k8s-file:${logPath}`,
    '--exit-dir', exitDir,
    '--socket-dir-path', o.socketDir,
    '-e', '--exec-process-spec', o.processSpec,
    '--sync',
    ...(o.tty ? ['-t'] : []),
  ];
  const errPath = join(o.dir, 'conmon.stderr');
  const errFd = openSync(errPath, 'a');
  let child;
  try {
    child = spawn(o.conmon, args, { cwd: o.dir, stdio: ['ignore', errFd, errFd, 'pipe'], env: { ...process.env, _OCI_SYNCPIPE: '3' } });
  } finally {
    closeSync(errFd);
  }
  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let text = '';
  (child.stdio[3] as Readable).on('data', (b: Buffer) => {
    text += b.toString();
  });
  let done = false;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      done = true;
      resolve(code);
    });
  });
  const reading = (async () => {
    for await (const line of readCriLog(logPath, { follow: true, pollMs: 10, stopWhen: () => done })) o.onLine?.(line);
  })();
  try {
    const code = await exited;
    await reading;
    const messages = parseSyncMessages(text);
    const last = messages.at(-1);
    if (messages.length < 2 || last === undefined || last.data < 0) {
      const stderr = await readFile(errPath, 'utf8').catch(() => '');
      throw new RuntimeCommandFailed(`conmon exec in ${o.containerId}`, code, `${last?.message ?? ''} ${stderr}`);
    }
    return { exitCode: last.data };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}
