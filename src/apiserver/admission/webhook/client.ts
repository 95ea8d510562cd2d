// Calling a webhook: where it is (a URL, or a Service resolved to a ready endpoint as
// kube-apiserver's endpoint-routing resolver does), TLS verified with the configuration's caBundle,
// and the POST of an AdmissionReview under the webhook's timeout. Mirrors
// k8s.io/apiserver/pkg/util/webhook/client.go and kube-aggregator's ResolveEndpoint.
import { Agent, request } from 'node:https';
import type { KubeObject } from '../../../api/meta.ts';
import type { WebhookClientConfig } from '../../../api/types/admissionregistration-v1-webhooks.ts';

/** Reads the API server needs to resolve a Service reference (from its watch cache). */
export interface ServiceLookup {
  service(namespace: string, name: string): KubeObject | undefined;
  endpointSlices(namespace: string, service: string): KubeObject[];
}

/**
 * A failure to reach the webhook or to read its answer: subject to failurePolicy. The message is
 * upstream's reason (`failed to call webhook: Post "…": …`), shown after `failed calling webhook "name": `.
 */
export class WebhookCallError extends Error {
  readonly code = 'ERR_WEBHOOK_CALL';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookCallError';
  }
}

export interface Target {
  /** The URL as the webhook configuration names it (what messages show). */
  url: string;
  /** Where to connect: an endpoint's address for a Service, the URL's host otherwise. */
  host: string;
  port: number;
  path: string;
  /** TLS server name checked against the certificate (`<svc>.<ns>.svc` for a Service). */
  servername: string | undefined;
  ca: string | undefined;
}

interface Port { name?: string; port?: number; targetPort?: number | string; protocol?: string }
interface Slice { endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean } }>; ports?: Port[] }

/** Where a webhook is reached; throws WebhookCallError (as a dial failure upstream) when it cannot be. */
export function resolveTarget(cc: WebhookClientConfig, lookup: ServiceLookup, timeoutSeconds: number): Target {
  const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
  const query = `?timeout=${timeoutSeconds}s`;
  if (cc.url !== undefined) {
    const u = new URL(cc.url);
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    const isIP = /^[\d.]+$/.test(host) || host.includes(':');
    return { url: `${cc.url}${query}`, host, port: u.port ? Number(u.port) : 443, path: `${u.pathname || '/'}${query}`, servername: isIP ? undefined : host, ca };
  }
  const svc = cc.service!;
  const port = svc.port ?? 443;
  const servername = `${svc.name}.${svc.namespace}.svc`;
  const path = svc.path || '/';
  const url = `https://${servername}:${port}${path}${query}`;
  const fail = (reason: string): never => { throw new WebhookCallError(`failed to call webhook: Post "${url}": ${reason}`); };
  const service = lookup.service(svc.namespace, svc.name);
  if (!service) return fail(`service "${svc.name}" not found`);
  const spec = (service.spec ?? {}) as { type?: string; externalName?: string; ports?: Port[] };
  if (spec.type === 'ExternalName') return { url, host: spec.externalName ?? '', port, path: `${path}${query}`, servername, ca };
  const svcPort = (spec.ports ?? []).find((p) => p.port === port);
  if (!svcPort) return fail(`no service port ${port} found for service "${svc.name}"`);
  const candidates: Array<{ ip: string; port: number }> = [];
  for (const s of lookup.endpointSlices(svc.namespace, svc.name) as Array<KubeObject & Slice>) {
    const p = (s.ports ?? []).find((x) => (x.name ?? '') === (svcPort.name ?? ''));
    if (!p?.port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses ?? []) candidates.push({ ip, port: p.port });
    }
  }
  if (candidates.length === 0) return fail(`no endpoints available for service "${svc.name}"`);
  const pick = candidates[Math.floor(Math.random() * candidates.length)]!;
  return { url, host: pick.ip, port: pick.port, path: `${path}${query}`, servername, ca };
}

const MAX_AGENTS = 64;
const agents = new Map<string, Agent>();

/** One keep-alive agent per trust and server name, so repeated calls reuse their connections. */
function agentFor(t: Target): Agent {
  const key = `${t.servername ?? ''}\n${t.ca ?? ''}`;
  let a = agents.get(key);
  if (!a) {
    if (agents.size >= MAX_AGENTS) {
      for (const old of agents.values()) old.destroy();
      agents.clear();
    }
    a = new Agent({ keepAlive: true, ...(t.ca ? { ca: t.ca } : {}), ...(t.servername ? { servername: t.servername } : {}) });
    agents.set(key, a);
  }
  return a;
}

/** Go's wording for the failures a dial or TLS handshake reports, as upstream's messages show them. */
function describe(err: NodeJS.ErrnoException, t: Target, timedOut: boolean): string {
  const addr = `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  if (timedOut) return 'context deadline exceeded';
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `dial tcp: lookup ${t.host}: no such host`;
    case 'ECONNRESET': return 'read: connection reset by peer';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: x509: certificate is not valid for ${t.servername ?? t.host}`;
    case 'CERT_HAS_EXPIRED': return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default: return err.message;
  }
}

const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

/** POST the review; resolves with the parsed JSON answer, or throws WebhookCallError. */
export async function postReview(t: Target, body: string, timeoutMs: number): Promise<unknown> {
  const fail = (reason: string, cause?: unknown): WebhookCallError => new WebhookCallError(`failed to call webhook: Post "${t.url}": ${reason}`, { cause });
  return await new Promise<unknown>((resolve, reject) => {
    let timedOut = false;
    const req = request({
      host: t.host, port: t.port, path: t.path, method: 'POST', agent: agentFor(t),
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) { req.destroy(fail('response body too large')); return; }
        chunks.push(c);
      });
      res.on('error', (err) => reject(fail(describe(err, t, timedOut), err)));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
          reject(fail(`an error on the server (${JSON.stringify(text.trim().slice(0, 256))}) has prevented the request from succeeding`));
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(new WebhookCallError(`received invalid webhook response: ${(err as Error).message}`, { cause: err }));
        }
      });
    });
    const timer = setTimeout(() => { timedOut = true; req.destroy(new Error('timeout')); }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); reject(err instanceof WebhookCallError ? err : fail(describe(err, t, timedOut), err)); });
    req.end(body);
  });
}
