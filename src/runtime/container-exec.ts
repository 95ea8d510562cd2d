// Runs an extra process in a running container through the runtime's `exec`. Without a TTY the
// runtime's stdio are plain pipes. With a TTY the runtime needs a terminal of its own to hand to
// the process (or a console socket, whose fd passing Node cannot receive), so the runtime runs
// under script(1), which allocates a pty and relays it to its own stdio.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { RuntimeCommandFailed } from './errors.ts';
import { findBinary } from './find-binary.ts';
import type { OciProcess } from './oci-spec-types.ts';

export interface ExecOptions {
  tty?: boolean;
  env?: string[];
  cwd?: string;
  stdin?: Readable;
  /** Where output goes; when absent it is captured and returned. With a TTY stderr joins stdout. */
  stdout?: Writable;
  stderr?: Writable;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called with the PID of the process started (script(1) when `tty` is set), e.g. to resize its terminal. */
  onSpawn?: (pid: number) => void;
}

export interface ExecOutcome {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function runExec(command: string, args: string[], options: ExecOptions): Promise<ExecOutcome> {
  let file = command;
  let argv = args;
  // The runtime forks the exec'd process away from itself; once the runtime's intermediate
  // process exits it is orphaned, and as a member of the container's PID namespace its zombie
  // holds up that namespace's teardown until the host's init reaps it. catatonit, a subreaper
  // when it is not PID 1, reaps it at once.
  const reaper = findBinary('catatonit');
  if (reaper) {
    argv = ['--', file, ...argv];
    file = reaper;
  }
  if (options.tty) {
    const script = findBinary('script') ?? '/usr/bin/script';
    // -q quiet, -f flush at once, -e exit with the child's status, -c the command; no typescript file.
    argv = ['-qfec', [file, ...argv].map(shellQuote).join(' '), '/dev/null'];
    file = script;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (options.stdout) child.stdout.pipe(options.stdout, { end: false });
    else child.stdout.on('data', (b: Buffer) => out.push(b));
    if (options.stderr) child.stderr.pipe(options.stderr, { end: false });
    else child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    if (options.stdin) options.stdin.pipe(child.stdin);
    else if (!options.tty) child.stdin.end();
    // With a TTY and no input, stdin stays open: script(1) would otherwise forward EOF and end early.
    child.on('error', (e) => reject(new RuntimeCommandFailed(`${file} exec`, null, e.message, { cause: e })));
    // Resolve when the process exits: background children it left may hold the pipes open for
    // long, so the streams get a short while to drain and are then cut.
    child.on('exit', (code, signal) => {
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (options.stdin) options.stdin.unpipe(child.stdin);
        child.stdout.destroy();
        child.stderr.destroy();
        child.stdin.destroy();
        resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      };
      const timer = setTimeout(finish, 200);
      child.once('close', finish);
    });
  });
}

/**
 * The exec'd process: the container's own (user, capabilities, rlimits) with other arguments, its
 * environment extended or overridden by `options.env`, and optionally another working directory.
 */
export function execProcess(base: OciProcess, argv: string[], options: Pick<ExecOptions, 'env' | 'cwd' | 'tty'>): OciProcess {
  const env = new Map<string, string>();
  for (const e of [...base.env, ...(options.env ?? [])]) {
    const eq = e.indexOf('=');
    env.set(eq < 0 ? e : e.slice(0, eq), e);
  }
  return { ...base, args: [...argv], env: [...env.values()], cwd: options.cwd ?? base.cwd, terminal: options.tty ?? false };
}
