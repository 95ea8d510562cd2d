// Helpers for this folder's tests: a real `docker-registry` on loopback with a config of our own
// (storage in a temp dir, nothing listening beyond 127.0.0.1), images pushed into it with skopeo,
// and a tiny proxy that can watch, tamper with or cut the registry's answers.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { writeOciLayout } from '../test-fixtures.ts';
import type { LayoutEntry } from '../test-fixtures.ts';

const run = promisify(execFile);
export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const haveRegistry = existsSync(REGISTRY_BIN) && existsSync('/usr/bin/skopeo');
export const skipRegistry = haveRegistry ? false : 'docker-registry and skopeo are not installed (scripts/apt-packages.txt)';

export interface TestRegistry {
  /** `127.0.0.1:<port>`, as references spell it. */
  host: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts docker-registry storing under `dir`; with `htpasswd` (a file's content) it wants Basic auth. */
export async function startRegistry(dir: string, options: { htpasswd?: string } = {}): Promise<TestRegistry> {
  await mkdir(join(dir, 'data'), { recursive: true });
  const port = await freePort();
  let auth = '';
  if (options.htpasswd !== undefined) {
    await writeFile(join(dir, 'htpasswd'), options.htpasswd);
    auth = `auth:\n  htpasswd:\n    realm: skiff-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = [
    'version: 0.1',
    'log:\n  level: error\n  accesslog:\n    disabled: true',
    `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true`,
    `http:\n  addr: 127.0.0.1:${port}`,
    auth,
  ].join('\n');
  await writeFile(join(dir, 'registry.yml'), config);
  const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'registry.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const status = await probe(`http://${host}/v2/`);
    if (status === 200 || status === 401) break;
    if (i > 100 || child.exitCode !== null) {
      await stopChild(child);
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
    await sleep(50);
  }
  return { host, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

async function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Writes an OCI layout with `entries` under `dir` and pushes the one tagged `tag` to `dest`. */
export async function pushImage(dir: string, entries: LayoutEntry[], tag: string, dest: string, creds?: string): Promise<void> {
  const layout = join(dir, `layout-${Math.random().toString(36).slice(2)}`);
  await writeOciLayout(layout, entries);
  const args = ['copy', '--quiet', '--all', '--preserve-digests', '--dest-tls-verify=false'];
  if (creds !== undefined) args.push('--dest-creds', creds);
  args.push(`oci:${layout}:${tag}`, `docker://${dest}`);
  await run('skopeo', args);
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Decides the answer to one request: return nothing to pass the registry's answer through, or
 * handle `res` yourself (`forward` fetches the registry's answer, buffered).
 */
export type ProxyHandler = (req: IncomingMessage, res: ServerResponse, forward: (path?: string) => Promise<UpstreamResponse>) => Promise<boolean | void>;

export interface TestProxy {
  host: string;
  /** Every request seen: method, path and the headers a test may check. */
  log: { method: string; path: string; range?: string; authorization?: string }[];
  handler: ProxyHandler | undefined;
  close(): Promise<void>;
}

/** A loopback HTTP proxy in front of `upstream` (host:port). */
export async function startProxy(upstream: string): Promise<TestProxy> {
  const proxy: TestProxy = { host: '', log: [], handler: undefined, close: async () => {} };
  const forward = (req: IncomingMessage) => async (path?: string): Promise<UpstreamResponse> => new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream };
    delete headers.authorization;
    const up = request(`http://${upstream}${path ?? req.url ?? '/'}`, { method: req.method ?? 'GET', headers }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) }));
      r.on('error', reject);
    });
    up.on('error', reject);
    up.end();
  });
  const server: Server = createServer((req, res) => {
    const entry: TestProxy['log'][number] = { method: req.method ?? '', path: req.url ?? '' };
    if (req.headers.range !== undefined) entry.range = req.headers.range;
    if (req.headers.authorization !== undefined) entry.authorization = req.headers.authorization;
    proxy.log.push(entry);
    void (async () => {
      const handled = proxy.handler ? await proxy.handler(req, res, forward(req)) : false;
      if (handled === true) return;
      const r = await forward(req)();
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    })().catch((err: unknown) => { res.destroy(err as Error); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
