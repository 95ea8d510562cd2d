// Starting a real `skiff server` for end-to-end tests: a temporary data dir, an ephemeral port,
// and helpers to run real kubectl binaries against it. Every process started is ended by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const ENTRY = join(ROOT, 'src', 'cmd', 'skiff.ts');

export interface RunningServer {
  url: string;
  dataDir: string;
  kubeconfig: string;
  proc: ChildProcess;
  logs(): string;
  /** Ctrl-C: SIGINT, wait for a clean exit. */
  stop(): Promise<number | null>;
  /** kill -9. */
  kill9(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `skiff-${prefix}-`));
}

/** Start `skiff server` (or `skiff up`, until its node is Ready) from source and wait until it serves. */
export async function startServer(opts: { dataDir?: string; listen?: string; extraArgs?: string[]; logLevel?: string; command?: 'server' | 'up' } = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? (await tempDir('e2e'));
  const args = ['--import', 'tsx', ENTRY, opts.command ?? 'server', '--data-dir', dataDir, '--listen', opts.listen ?? '127.0.0.1:0', '--log-level', opts.logLevel ?? 'warn', ...(opts.extraArgs ?? [])];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`skiff ${opts.command ?? 'server'} did not start in 60 s:\n${out}`)), 60_000);
    const check = (): void => {
      const m = /listening on (https:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); res(m[1]!); }
    };
    proc.stderr.on('data', check);
    proc.once('exit', (code) => { clearTimeout(timer); rej(new Error(`skiff server exited with ${code}:\n${out}`)); });
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    url, dataDir, proc, kubeconfig: join(dataDir, 'kubeconfig.yaml'),
    logs: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGINT');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

export function kubectlPath(version: string): string {
  const p = join(KUBECTL_DIR, `kubectl.${version}`);
  if (existsSync(p)) return p;
  throw new Error(`kubectl ${version} is not installed at ${p}`);
}

export interface KubectlResult { code: number; stdout: string; stderr: string }

/** Run a real kubectl with its own discovery cache and the server's kubeconfig. */
export function kubectl(version: string, server: { kubeconfig: string; dataDir: string }, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(kubectlPath(version), ['--kubeconfig', server.kubeconfig, '--cache-dir', join(server.dataDir, `kubectl-cache-${version}`), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: server.kubeconfig, HOME: server.dataDir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`kubectl ${args.join(' ')} timed out\n${stdout}\n${stderr}`)); }, opts.timeoutMs ?? 30_000);
    child.on('exit', (code) => { clearTimeout(timer); resolvePromise({ code: code ?? -1, stdout, stderr }); });
    child.stdin.end(opts.input ?? '');
  });
}

/** Start kubectl and leave it running (get -w, wait, delete --wait). */
export function kubectlBackground(version: string, server: { kubeconfig: string; dataDir: string }, args: string[]): { proc: ChildProcess; output: () => string; done: Promise<number> } {
  const child = spawn(kubectlPath(version), ['--kubeconfig', server.kubeconfig, '--cache-dir', join(server.dataDir, `kubectl-cache-${version}`), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: server.dataDir },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const done = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  return { proc: child, output: () => out, done };
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A TCP port free on 127.0.0.1 now (for servers that need a fixed port, like a kubelet's). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
