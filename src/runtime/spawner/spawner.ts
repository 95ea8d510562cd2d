// Client of skiff-spawner (src/runtime/native/skiff-spawner.c): one helper process runs many commands at once and
// answers each with its exit status and output. Node's own spawn forks the whole Node process and
// blocks the event loop until the child has exec'd; the helper's posix_spawn does neither.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface ProcessResult {
  /** Exit status; null when a signal ended the command. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  /** Ran past its timeout: killed with SIGKILL (a detached command is left running). */
  timedOut: boolean;
}

export interface DetachedAnswer {
  /** The first line the command wrote on fd 3; undefined when it ended (or timed out) without one. */
  line: string | undefined;
  timedOut: boolean;
  /** The command's exit status when it ended without a line. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What it wrote on stdout and stderr before answering, when they were not sent to a file. */
  output: Buffer;
}

export interface ProcessOptions {
  /** The whole environment; the caller's own when absent. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to the command's stdin, then closed; /dev/null when absent. */
  input?: string | Buffer;
  /** SIGKILL after this many ms (0 or absent: never). */
  timeoutMs?: number;
  /** Append stdout and stderr to this file instead of collecting them. */
  outputFile?: string;
}

interface RequestOptions extends ProcessOptions {
  detach?: boolean;
}

/** A command that could not be started (not found, not executable...), like Node's spawn 'error'. */
export class SpawnFailed extends Error {
  readonly code: string;
  constructor(file: string, code: string, message: string) {
    super(`spawn ${file} ${code}: ${message}`);
    this.name = 'SpawnFailed';
    this.code = code;
  }
}

const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 7: 'E2BIG', 8: 'ENOEXEC', 12: 'ENOMEM', 13: 'EACCES', 20: 'ENOTDIR', 22: 'EINVAL', 24: 'EMFILE', 26: 'ETXTBSY', 40: 'ELOOP' };
const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

interface Pending {
  file: string;
  resolve: (r: ProcessResult & { line?: string }) => void;
  reject: (e: Error) => void;
}

function encodeRequest(id: number, file: string, args: readonly string[], o: RequestOptions): Buffer {
  const fields: string[] = [String(id), file, String(args.length + 1), file, ...args];
  if (o.env === undefined) fields.push('-');
  else {
    const env = Object.entries(o.env).filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => `${k}=${v}`);
    fields.push(String(env.length), ...env);
  }
  fields.push(o.cwd ?? '', String(o.timeoutMs ?? 0), o.detach ? '1' : '0', o.outputFile ?? '', o.input === undefined ? '0' : '1');
  for (const f of fields) if (f.includes('\0')) throw new TypeError(`argument contains a NUL byte: ${JSON.stringify(f.slice(0, 80))}`);
  const head = Buffer.from(`${fields.join('\0')}\0`);
  const input = o.input === undefined ? Buffer.alloc(0) : Buffer.isBuffer(o.input) ? o.input : Buffer.from(o.input);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length + input.length);
  return Buffer.concat([len, head, input]);
}

/** Splits `n` NUL-terminated fields off the front of `buf`. */
function splitFields(buf: Buffer, n: number): { fields: string[]; rest: Buffer } {
  const fields: string[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const nul = buf.indexOf(0, at);
    if (nul < 0) throw new Error('skiff-spawner: truncated response');
    fields.push(buf.toString('utf8', at, nul));
    at = nul + 1;
  }
  return { fields, rest: buf.subarray(at) };
}

export class Spawner {
  readonly #binary: string;
  #child: ChildProcess | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #inbox: Buffer = Buffer.alloc(0);

  constructor(binary: string) {
    this.#binary = binary;
  }

  run(file: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
    return this.#request(file, args, options);
  }

  /**
   * Starts a daemon-like command (conmon) in its own session with a sync pipe as fd 3, and
   * resolves with the first line it writes there, without waiting for it to end.
   */
  async runDetached(file: string, args: readonly string[], options: ProcessOptions = {}): Promise<DetachedAnswer> {
    const r = await this.#request(file, args, { ...options, detach: true });
    return { line: r.line, timedOut: r.timedOut, code: r.code, signal: r.signal, output: r.stderr };
  }

  #request(file: string, args: readonly string[], options: RequestOptions): Promise<ProcessResult & { line?: string }> {
    const id = this.#nextId++;
    const frame = encodeRequest(id, file, args, options);
    return new Promise((resolve, reject) => {
      const child = this.#ensureChild();
      this.#pending.set(id, { file, resolve, reject });
      this.#ref(true);
      child.stdin!.write(frame);
    });
  }

  /** Ends the helper (commands it started keep running). */
  close(): void {
    this.#child?.stdin?.end();
    this.#child = undefined;
  }

  #ensureChild(): ChildProcess {
    if (this.#child) return this.#child;
    const child = spawn(this.#binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.#child = child;
    this.#inbox = Buffer.alloc(0);
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => this.#onData(chunk));
    const failAll = (why: string): void => {
      if (this.#child === child) this.#child = undefined;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      this.#ref(false);
      for (const p of pending) p.reject(new Error(`skiff-spawner ${why} while running ${p.file}`));
    };
    child.on('error', (err) => failAll(`failed (${err.message})`));
    child.on('exit', (code, signal) => failAll(`exited (${signal ?? code})`));
    this.#ref(false);
    return child;
  }

  /** The helper keeps Node alive only while a command is pending. */
  #ref(on: boolean): void {
    const child = this.#child;
    if (!child) return;
    const want = on || this.#pending.size > 0;
    for (const h of [child, child.stdin, child.stdout] as { ref?: () => void; unref?: () => void }[]) {
      if (want) h.ref?.();
      else h.unref?.();
    }
  }

  #onData(chunk: Buffer): void {
    this.#inbox = this.#inbox.length === 0 ? chunk : Buffer.concat([this.#inbox, chunk]);
    while (this.#inbox.length >= 4) {
      const len = this.#inbox.readUInt32LE(0);
      if (this.#inbox.length < 4 + len) break;
      const frame = this.#inbox.subarray(4, 4 + len);
      this.#inbox = this.#inbox.subarray(4 + len);
      this.#answer(frame);
    }
    if (this.#inbox.length === 0) this.#inbox = Buffer.alloc(0);
    this.#ref(false);
  }

  #answer(frame: Buffer): void {
    const { fields, rest } = splitFields(frame, 6);
    const [id, kind, code, sig, outLen, errLen] = fields as [string, string, string, string, string, string];
    const pending = this.#pending.get(Number(id));
    if (!pending) return;
    this.#pending.delete(Number(id));
    const stdout = Buffer.from(rest.subarray(0, Number(outLen)));
    const stderr = Buffer.from(rest.subarray(Number(outLen), Number(outLen) + Number(errLen)));
    if (kind === 'error') {
      const errno = Number(code);
      pending.reject(new SpawnFailed(pending.file, ERRNO_NAMES[errno] ?? `errno ${errno}`, stderr.toString()));
      return;
    }
    const signalNo = Number(sig);
    if (kind === 'line') {
      pending.resolve({ code: null, signal: null, stdout: Buffer.alloc(0), stderr, timedOut: false, line: stdout.toString() });
      return;
    }
    pending.resolve({
      code: signalNo === 0 ? Number(code) : null,
      signal: signalNo === 0 ? null : (SIGNAL_NAMES.get(signalNo) ?? 'SIGKILL'),
      stdout,
      stderr,
      timedOut: kind === 'timeout',
    });
  }
}
