// Raw HTTPS access to a running `skiff server` for the api-*.test.ts files: exact status codes,
// headers and bodies (no client library in between), streaming watches, unauthenticated requests.
import { removeDir, startServer, type RunningServer } from './harness.ts';
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  raw: Buffer;
  /** The body parsed as JSON (throws with the text when it is not JSON). */
  json(): any;
}

export interface RequestOptions {
  /** An object is sent as JSON; a string or Buffer is sent as is. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Send without the client certificate. */
  anonymous?: boolean;
}

export interface WatchEvent { type: string; object: any }

export interface WatchStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every event received so far, in order. */
  events: WatchEvent[];
  /** Resolves when the server ends the stream (or it is closed). */
  ended: Promise<void>;
  isEnded(): boolean;
  /** Wait for the first event (after index `from`) that matches; rejects after `timeoutMs`. */
  waitFor(pred: (e: WatchEvent) => boolean, timeoutMs?: number, from?: number): Promise<WatchEvent>;
  close(): void;
}

export interface ApiClient {
  request(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse>;
  get(path: string, headers?: Record<string, string>): Promise<ApiResponse>;
  post(path: string, body: unknown, opts?: Omit<RequestOptions, 'body'>): Promise<ApiResponse>;
  put(path: string, body: unknown, opts?: Omit<RequestOptions, 'body'>): Promise<ApiResponse>;
  patch(path: string, body: unknown, contentType: string, opts?: Omit<RequestOptions, 'body' | 'contentType'>): Promise<ApiResponse>;
  del(path: string, body?: unknown): Promise<ApiResponse>;
  watch(path: string, headers?: Record<string, string>): Promise<WatchStream>;
  close(): void;
}

export function apiClient(kubeconfigPath: string): ApiClient {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const url = new URL(cluster.server);
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64');
  const agent = new Agent({
    keepAlive: true, maxSockets: 256, ca,
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  });
  const anonAgent = new Agent({ keepAlive: false, ca });
  const host = url.hostname;
  const port = Number(url.port);
  const open = new Set<ClientRequest>();

  function encode(opts: RequestOptions): { data: Buffer | undefined; contentType: string | undefined } {
    if (opts.body === undefined) return { data: undefined, contentType: opts.contentType };
    if (Buffer.isBuffer(opts.body)) return { data: opts.body, contentType: opts.contentType ?? 'application/json' };
    if (typeof opts.body === 'string') return { data: Buffer.from(opts.body), contentType: opts.contentType ?? 'application/json' };
    return { data: Buffer.from(JSON.stringify(opts.body)), contentType: opts.contentType ?? 'application/json' };
  }

  function send(method: string, path: string, opts: RequestOptions): ClientRequest {
    const { data, contentType } = encode(opts);
    const headers: Record<string, string | number> = { Accept: 'application/json', ...opts.headers };
    if (data) { headers['Content-Type'] = contentType!; headers['Content-Length'] = data.length; }
    const r = request({ method, host, port, path, agent: opts.anonymous ? anonAgent : agent, headers });
    if (data) r.write(data);
    r.end();
    return r;
  }

  const client: ApiClient = {
    request(method, path, opts = {}) {
      return new Promise((resolve, reject) => {
        const r = send(method, path, opts);
        r.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const text = raw.toString('utf8');
            resolve({
              status: res.statusCode ?? 0, headers: res.headers, text, raw,
              json: () => {
                try { return JSON.parse(text); } catch { throw new Error(`${method} ${path}: ${res.statusCode} body is not JSON: ${text.slice(0, 300)}`); }
              },
            });
          });
          res.on('error', reject);
        });
        r.on('error', reject);
      });
    },
    get: (path, headers) => client.request('GET', path, headers ? { headers } : {}),
    post: (path, body, opts = {}) => client.request('POST', path, { ...opts, body }),
    put: (path, body, opts = {}) => client.request('PUT', path, { ...opts, body }),
    patch: (path, body, contentType, opts = {}) => client.request('PATCH', path, { ...opts, body, contentType }),
    del: (path, body) => client.request('DELETE', path, body === undefined ? {} : { body }),
    watch(path, headers = {}) {
      return new Promise((resolve, reject) => {
        const r = send('GET', path, { headers });
        open.add(r);
        r.on('error', (err) => { open.delete(r); reject(err); });
        r.on('response', (res) => {
          const events: WatchEvent[] = [];
          const waiters = new Set<() => void>();
          let buf = '';
          let ended = false;
          let endResolve: () => void = () => {};
          const endedP = new Promise<void>((res2) => { endResolve = res2; });
          const finish = (): void => {
            if (ended) return;
            ended = true;
            open.delete(r);
            endResolve();
            for (const w of waiters) w();
          };
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (line) events.push(JSON.parse(line) as WatchEvent);
            }
            for (const w of waiters) w();
          });
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
          if ((res.statusCode ?? 0) >= 300) {
            // Not a stream: collect the Status body as a single pseudo-event.
            let body = '';
            res.removeAllListeners('data');
            res.on('data', (c: string) => { body += c; });
            res.on('end', () => { try { events.push({ type: 'HTTP', object: JSON.parse(body) }); } catch { events.push({ type: 'HTTP', object: body }); } });
          }
          resolve({
            status: res.statusCode ?? 0, headers: res.headers, events, ended: endedP,
            isEnded: () => ended,
            waitFor(pred, timeoutMs = 10_000, from = 0) {
              return new Promise((ok, fail) => {
                const check = (): void => {
                  for (let i = from; i < events.length; i++) {
                    if (pred(events[i]!)) { cleanup(); ok(events[i]!); return; }
                  }
                  if (ended) { cleanup(); fail(new Error(`watch ${path} ended before the expected event; got ${summarize(events)}`)); }
                };
                const timer = setTimeout(() => { cleanup(); fail(new Error(`timed out after ${timeoutMs} ms waiting on watch ${path}; got ${summarize(events)}`)); }, timeoutMs);
                const cleanup = (): void => { clearTimeout(timer); waiters.delete(check); };
                waiters.add(check);
                check();
              });
            },
            close: () => { r.destroy(); finish(); },
          });
        });
      });
    },
    close() {
      for (const r of open) r.destroy();
      agent.destroy();
      anonAgent.destroy();
    },
  };
  return client;
}

export function summarize(events: WatchEvent[]): string {
  return JSON.stringify(events.map((e) => `${e.type} ${e.object?.metadata?.name ?? ''}@${e.object?.metadata?.resourceVersion ?? ''}`));
}

/** Assert-friendly view of a Status body. */
export function statusOf(r: ApiResponse): { kind: string; status: string; reason: string; code: number; message: string; details?: any } {
  return r.json();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function configMap(name: string, extra: { labels?: Record<string, string>; data?: Record<string, string>; namespace?: string } = {}): any {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}), ...(extra.labels ? { labels: extra.labels } : {}) },
    data: extra.data ?? { k: 'v' },
  };
}

export function deployment(name: string, replicas = 1, image = 'registry.k8s.io/pause:3.9'): any {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image }] } },
    },
  };
}

export function replicaSet(name: string, owner?: { name: string; uid: string; blockOwnerDeletion?: boolean }, replicas = 0): any {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name, labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: owner.blockOwnerDeletion ?? true }] } : {}),
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } },
    },
  };
}

/**
 * A real server and a client for the tests of one describe(): started in before(), stopped and
 * its data dir removed in after(). Read `ctx.srv` / `ctx.api` inside tests.
 */
export function serverForSuite(hooks: { before: (fn: () => Promise<void>) => void; after: (fn: () => Promise<void>) => void }, opts: { extraArgs?: string[] } = {}): { srv: RunningServer; api: ApiClient } {
  const ctx = {} as { srv: RunningServer; api: ApiClient };
  hooks.before(async () => {
    ctx.srv = await startServer(opts.extraArgs ? { extraArgs: opts.extraArgs } : {});
    ctx.api = apiClient(ctx.srv.kubeconfig);
  });
  hooks.after(async () => {
    ctx.api?.close();
    await ctx.srv?.stop();
    if (ctx.srv) await removeDir(ctx.srv.dataDir);
  });
  return ctx;
}
