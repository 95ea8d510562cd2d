// One HTTP GET (or HEAD) with redirects followed, on node:http/https. Credentials go only to the
// origin they were meant for: a redirect to another host (a blob on a CDN) drops Authorization,
// as docker and containerd do.
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RegistryError } from './errors.ts';
import { checkTransport } from './registry-host.ts';

export interface HttpRequestOptions {
  method?: 'GET' | 'HEAD';
  headers?: OutgoingHttpHeaders;
  signal?: AbortSignal | undefined;
  /** Whether plain HTTP to loopback hosts is allowed (the registry is a loopback one). */
  allowPlainLoopback: boolean;
  /** Socket idle time before the request fails (default 30 s). */
  idleTimeoutMs?: number;
}

export interface HttpResponse {
  /** The URL that answered, after redirects. */
  url: URL;
  message: IncomingMessage;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function httpGet(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  let current = url;
  const headers: OutgoingHttpHeaders = { ...options.headers };
  for (let hop = 0; ; hop++) {
    checkTransport(current, options.allowPlainLoopback);
    const message = await send(current, headers, options);
    const status = message.statusCode ?? 0;
    const location = message.headers.location;
    if (!REDIRECTS.has(status) || location === undefined) return { url: current, message };
    message.resume();
    if (hop >= MAX_REDIRECTS) throw new RegistryError(`${url.href}: more than ${MAX_REDIRECTS} redirects`, status);
    const next = new URL(location, current);
    if (next.origin !== current.origin) delete headers.authorization;
    current = next;
  }
}

async function send(url: URL, headers: OutgoingHttpHeaders, options: HttpRequestOptions): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers, ...(options.signal !== undefined ? { signal: options.signal } : {}) }, (res) => {
      // The idle timeout keeps guarding the body: a stalled transfer errors the response stream.
      resolve(res);
    });
    req.setTimeout(options.idleTimeoutMs ?? 30_000, () => {
      req.destroy(Object.assign(new Error(`${url.href}: no data for ${options.idleTimeoutMs ?? 30_000} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(message: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      message.destroy();
      throw new RegistryError(`${what}: response larger than ${limit} bytes`, message.statusCode);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
