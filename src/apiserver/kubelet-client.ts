// How the API server reaches a node's kubelet (pkg/kubelet/client/kubelet_client.go): the node's
// preferred address and its status.daemonEndpoints.kubeletEndpoint port, over HTTPS with the API
// server's kubelet-client certificate. Shared by the pod stream proxy and the metrics API.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { internalError } from '../api/errors.ts';
import type { Node } from '../api/types/core-v1.ts';

export interface KubeletClientCert {
  certPem: string;
  keyPem: string;
}

export interface KubeletLocation {
  host: string;
  port: number;
  /** Path and query. */
  path: string;
}

const DEFAULT_KUBELET_PORT = 10250;
// kube-apiserver's default --kubelet-preferred-address-types, InternalIP first: node addresses
// here are the agents' own.
const ADDRESS_TYPES = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS', 'ExternalIP'] as const;

/** Where the kubelet of a node listens (kubelet_client.go GetConnectionInfo). */
export function kubeletAddress(node: Node): { host: string; port: number } {
  const addrs = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const t of ADDRESS_TYPES) {
    host = addrs.find((a) => a.type === t && a.address)?.address;
    if (host) break;
  }
  if (!host) throw internalError(new Error(`no preferred addresses found; known addresses: [${addrs.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`));
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return { host, port: port && port > 0 ? port : DEFAULT_KUBELET_PORT };
}

export function kubeletRequestOptions(loc: KubeletLocation, cert: KubeletClientCert | undefined, method: string, headers: Record<string, string | string[]>): RequestOptions {
  return {
    host: loc.host,
    port: loc.port,
    path: loc.path,
    method,
    headers,
    ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
    // The kubelet serves a self-signed certificate; like kube-apiserver without
    // --kubelet-certificate-authority, the API server does not verify it.
    rejectUnauthorized: false,
    agent: false,
  };
}

export class KubeletRequestError extends Error {
  readonly code = 'KubeletRequestError';
  /** The kubelet's HTTP status, when it answered. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KubeletRequestError';
    this.status = status;
  }
}

const MAX_BODY = 64 << 20;

/** GETs `path` from the node's kubelet and parses the JSON answer; bounded by `timeoutMs`. */
export async function kubeletGetJson<T>(node: Node, path: string, opts: { cert: KubeletClientCert | undefined; timeoutMs: number; signal?: AbortSignal }): Promise<T> {
  const loc: KubeletLocation = { ...kubeletAddress(node), path };
  const url = `https://${loc.host}:${loc.port}${path}`;
  return new Promise<T>((resolve, reject) => {
    const req = httpsRequest({ ...kubeletRequestOptions(loc, opts.cert, 'GET', { host: `${loc.host}:${loc.port}`, accept: 'application/json' }), timeout: opts.timeoutMs });
    const onAbort = (): void => { req.destroy(new KubeletRequestError(`Get "${url}": canceled`)); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => req.destroy(new KubeletRequestError(`Get "${url}": timeout after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    req.on('error', (err) => {
      finish();
      reject(err instanceof KubeletRequestError ? err : new KubeletRequestError(`Get "${url}": ${err.message}`, undefined, { cause: err }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new KubeletRequestError(`Get "${url}": response larger than ${MAX_BODY} bytes`));
        else chunks.push(c);
      });
      res.on('error', () => undefined);
      res.on('end', () => {
        finish();
        const body = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 500;
        if (code !== 200) {
          reject(new KubeletRequestError(`Get "${url}": ${code} ${body.trim().slice(0, 512)}`, code));
          return;
        }
        try {
          resolve(JSON.parse(body) as T);
        } catch (err) {
          reject(new KubeletRequestError(`Get "${url}": invalid JSON: ${(err as Error).message}`, code, { cause: err }));
        }
      });
    });
    req.end();
  });
}
