// httpGet probes, as pkg/probe/http/http.go and request.go: GET with `User-Agent: kube-probe/…`
// and `Accept: */*` unless the probe sets them, no keep-alive, no proxy, TLS without verification;
// 200–399 is success. Redirects to the same host name are followed (at most 10); a redirect to
// another host is not followed and counts as success with a warning (followNonLocalRedirects=false).
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import type { HTTPGetAction } from '../../api/types/core-v1.ts';
import { dialError, joinHostPort } from './go-format.ts';
import type { ProbeOutcome } from './types.ts';

/** Kubernetes minor this agent speaks for (the probe's User-Agent is kube-probe/MAJOR.MINOR). */
export const PROBE_USER_AGENT = 'kube-probe/1.33';
const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

class ProbeTimeout extends Error {}

export function probeUrl(action: HTTPGetAction, host: string, port: number): URL {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const url = new URL(`${scheme}://${joinHostPort(host, port)}`);
  let path = action.path ?? '';
  if (path !== '' && !path.startsWith('/')) path = `/${path}`;
  const q = path.indexOf('?');
  url.pathname = q === -1 ? path : path.slice(0, q);
  if (q !== -1) url.search = path.slice(q);
  return url;
}

function headersFor(action: HTTPGetAction): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of action.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
  if (!('user-agent' in headers)) headers['user-agent'] = PROBE_USER_AGENT;
  if (!('accept' in headers)) headers.accept = '*/*';
  else if (headers.accept === '') delete headers.accept;
  return headers;
}

function get(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<{ res: IncomingMessage; body: string }> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers, agent: false, signal, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (b: Buffer) => {
        if (size < MAX_BODY) chunks.push(b.subarray(0, MAX_BODY - size));
        size += b.length;
      });
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(signal.aborted ? new ProbeTimeout() : err));
  });
}

export async function httpProbe(action: HTTPGetAction, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const first = probeUrl(action, host, port);
  const headers = headersFor(action);
  const signal = AbortSignal.timeout(timeoutMs);
  let url = first;
  try {
    for (let hops = 0; ; hops++) {
      const { res, body } = await get(url, headers, signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        const next = new URL(location, url);
        if (next.hostname === first.hostname) {
          if (hops + 1 >= MAX_REDIRECTS) return { result: 'failure', message: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects` };
          url = next;
          continue;
        }
      }
      if (status >= 200 && status < 400) {
        if (status >= 300) return { result: 'success', warning: true, message: `Probe terminated redirects, Response body: ${body}` };
        return { result: 'success', message: body };
      }
      // Upstream keeps the body out of the user-facing message (kubernetes issue 99425).
      return { result: 'failure', message: `HTTP probe failed with statuscode: ${status}` };
    }
  } catch (err) {
    if (err instanceof ProbeTimeout || signal.aborted) {
      return { result: 'failure', message: `Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
    }
    const addr = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
    return { result: 'failure', message: `Get "${url.href}": ${dialError(addr, err)}` };
  }
}
