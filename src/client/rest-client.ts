// A REST client for the Kubernetes API over HTTPS with the kubeconfig's credentials. Errors come
// back as the server's Status (StatusError); connection failures as ClientError.
import { Agent, request as httpsRequest } from 'node:https';
import { createSecureContext } from 'node:tls';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { newStatus, StatusError } from '../api/errors.ts';
import type { Status } from '../api/meta.ts';
import type { ClientConfig } from './kubeconfig.ts';

export class ClientError extends Error {
  readonly code = 'ClientError';
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Answer with the raw response stream (watch, logs) instead of a parsed body. */
  stream?: boolean;
}

export class RestClient {
  readonly config: ClientConfig;
  readonly #agent: Agent;
  readonly #url: URL;

  constructor(config: ClientConfig) {
    this.config = config;
    this.#url = new URL(config.server);
    // One TLS context for every connection: built from the PEMs each time, it costs more CPU than
    // a small request itself.
    const secureContext = createSecureContext({
      ...(config.caPem ? { ca: config.caPem } : {}),
      ...(config.certPem ? { cert: config.certPem } : {}),
      ...(config.keyPem ? { key: config.keyPem } : {}),
    });
    // Every watch holds a connection for as long as it runs (HTTP/1.1 has no multiplexing): the
    // controller manager's shared informers alone are about a hundred (the garbage collector
    // watches every resource), and a watch waiting for a free socket would never start.
    this.#agent = new Agent({ keepAlive: true, maxSockets: 1024, secureContext, rejectUnauthorized: !config.insecureSkipTLSVerify });
  }

  close(): void { this.#agent.destroy(); }

  url(path: string, query?: RequestOptions['query']): string {
    // Keep a path in the server URL (a proxy's https://host/k8s/clusters/c1): `new URL('/api', base)` would drop it.
    const u = new URL(this.#url.pathname.replace(/\/+$/, '') + path, this.#url);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u.pathname + u.search;
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.#send(method, path, opts);
    if (opts.stream) return res as unknown as T;
    const text = await readAll(res);
    if (res.statusCode! >= 400) throw statusFrom(res.statusCode!, text);
    if (!text) return undefined as T;
    const type = String(res.headers['content-type'] ?? '');
    return (type.includes('json') ? JSON.parse(text) : text) as T;
  }

  /** A streaming request; non-2xx answers become StatusErrors. */
  async stream(method: string, path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const res = await this.#send(method, path, { ...opts, stream: true });
    if (res.statusCode! >= 400) throw statusFrom(res.statusCode!, await readAll(res));
    return res;
  }

  #send(method: string, path: string, opts: RequestOptions): Promise<IncomingMessage> {
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string | number> = {
      Accept: opts.accept ?? 'application/json',
      'User-Agent': this.config.userAgent ?? 'skiff/0.1.0',
    };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    if (body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const secure = this.#url.protocol === 'https:';
    const fn = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = fn({
        method, host: this.#url.hostname.replace(/^\[|\]$/g, ''), port: this.#url.port || (secure ? 443 : 80),
        path: this.url(path, opts.query), headers, ...(secure ? { agent: this.#agent } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      }, resolve);
      req.on('error', (err) => reject(opts.signal?.aborted ? err : new ClientError(`${method} ${path}: ${err.message}`, { cause: err })));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

export function statusFrom(code: number, text: string): StatusError {
  try {
    const s = JSON.parse(text) as Status;
    if (s.kind === 'Status') return new StatusError(s);
  } catch { /* not a Status */ }
  const reason = code === 404 ? 'NotFound' : code === 409 ? 'Conflict' : code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 410 ? 'Expired' : 'Unknown';
  return new StatusError(newStatus(code, reason, text.trim() || `the server answered ${code}`));
}
