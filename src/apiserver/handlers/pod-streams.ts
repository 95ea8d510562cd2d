// pods/log, pods/exec, pods/attach and pods/portforward: find the pod's node and container, then
// proxy to that node's kubelet over HTTPS with the API server's kubelet-client certificate —
// a plain streamed request for logs, the raw upgraded connection (WebSocket or SPDY) for the
// others. Mirrors pkg/registry/core/pod/rest/log.go and subresources.go with the location logic
// of pkg/registry/core/pod/strategy.go (LogLocation, streamLocation, validateContainer), and
// k8s.io/apiserver/pkg/registry/generic/rest/streamer.go for turning kubelet errors into Status.
import { request as httpsRequest } from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { badRequest, inGoOrder, internalError, invalid, isStatusError, newStatus, StatusError, type FieldError } from '../../api/errors.ts';
import type { Status } from '../../api/meta.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { kubeletAddress, kubeletRequestOptions, type KubeletClientCert, type KubeletLocation } from '../kubelet-client.ts';
import type { Registry } from '../registry/registry.ts';
import { boolParam } from '../query-params.ts';

export type { KubeletClientCert };

export type PodStreamSubresource = 'log' | 'exec' | 'attach' | 'portforward';

export const POD_STREAM_SUBRESOURCES: ReadonlySet<string> = new Set(['log', 'exec', 'attach', 'portforward']);

const MAX_ERROR_BODY = 4096;

const LOG_PARAMS = ['follow', 'previous', 'timestamps', 'sinceSeconds', 'sinceTime', 'tailLines', 'limitBytes'];
const EXEC_PARAMS = ['stdin', 'stdout', 'stderr', 'tty', 'command'];

type Location = KubeletLocation;

/** The pod's only container, or the named one (pkg/registry/core/pod/strategy.go validateContainer). */
export function validateContainer(container: string, pod: Pod): string {
  const spec = pod.spec;
  const app = spec?.containers ?? [];
  const all = [...(spec?.initContainers ?? []), ...app, ...((spec as { ephemeralContainers?: Array<{ name: string }> } | undefined)?.ephemeralContainers ?? [])];
  const name = pod.metadata?.name ?? '';
  if (container === '') {
    if (app.length === 1) return app[0]!.name;
    if (app.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.map((c) => c.name).join(' ')}]`);
  }
  if (!all.some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

// Upstream rebuilds the kubelet's URL from the converted PodLogOptions/PodExecOptions, so the
// kubelet sees the booleans the API server understood ("True", "t", "yes" all mean true).
const BOOL_PARAMS = new Set(['follow', 'previous', 'timestamps', 'stdin', 'stdout', 'stderr', 'tty']);

function copyParams(from: URLSearchParams, names: string[], to: URLSearchParams): void {
  for (const n of names) {
    if (BOOL_PARAMS.has(n)) {
      const b = boolParam(from, n);
      if (b !== undefined) to.append(n, String(b));
      continue;
    }
    for (const v of from.getAll(n)) to.append(n, v);
  }
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: invalid value "${v}": expected an integer`);
  return Number(v);
}

/** PodLogOptions checks (pkg/apis/core/validation ValidatePodLogOptions), answered 422 Invalid. */
export function validatePodLogOptions(name: string, query: URLSearchParams): void {
  const errs: FieldError[] = [];
  const tail = intParam(query, 'tailLines');
  const limit = intParam(query, 'limitBytes');
  const sinceSeconds = intParam(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (tail !== undefined && tail < 0) errs.push({ type: 'FieldValueInvalid', field: 'tailLines', badValue: tail, detail: 'must be greater than or equal to 0' });
  if (limit !== undefined && limit < 1) errs.push({ type: 'FieldValueInvalid', field: 'limitBytes', badValue: limit, detail: 'must be greater than 0' });
  if (sinceSeconds !== undefined && sinceTime) errs.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  else if (sinceSeconds !== undefined && sinceSeconds < 1) errs.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', badValue: sinceSeconds, detail: 'must be greater than 0' });
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`sinceTime: invalid value "${sinceTime}": expected an RFC3339 time`);
  if (errs.length > 0) throw invalid('PodLogOptions', '', name, errs);
}

/** The kubelet URL for a stream request, or undefined for logs of a pod not yet on a node. */
export async function streamLocation(
  registries: Map<string, Registry>,
  sub: PodStreamSubresource,
  namespace: string,
  name: string,
  query: URLSearchParams,
): Promise<Location | undefined> {
  const pod = (await registries.get('/pods')!.get(namespace, name)).obj as Pod;
  if (sub === 'log') validatePodLogOptions(name, query);
  const container = sub === 'portforward' ? '' : validateContainer(query.get('container') ?? '', pod);
  const nodeName = pod.spec?.nodeName ?? '';
  if (nodeName === '') {
    // LogLocation answers an empty stream; the others need a host.
    if (sub === 'log') return undefined;
    throw badRequest(`pod ${name} does not have a host assigned`);
  }
  let node: Node;
  try {
    node = (await registries.get('/nodes')!.get('', nodeName)).obj;
  } catch (err) {
    if (isStatusError(err) && err.code === 404) throw internalError(new Error(`nodes "${nodeName}" not found`));
    throw err;
  }
  const { host, port } = kubeletAddress(node);
  const params = new URLSearchParams();
  const seg = (s: string): string => encodeURIComponent(s);
  let path: string;
  switch (sub) {
    case 'log':
      copyParams(query, LOG_PARAMS, params);
      path = `/containerLogs/${seg(namespace)}/${seg(name)}/${seg(container)}`;
      break;
    case 'exec':
    case 'attach':
      copyParams(query, sub === 'exec' ? EXEC_PARAMS : EXEC_PARAMS.filter((p) => p !== 'command'), params);
      path = `/${sub}/${seg(namespace)}/${seg(name)}/${seg(container)}`;
      break;
    case 'portforward':
      for (const p of query.getAll('ports')) for (const one of p.split(',')) if (one.trim()) params.append('port', one.trim());
      path = `/portForward/${seg(namespace)}/${seg(name)}`;
      break;
  }
  const qs = params.toString();
  return { host, port, path: qs ? `${path}?${qs}` : path };
}

/** A kubelet error response as a Status (rest/streamer.go genericResponseChecker). */
export function statusFromKubelet(code: number, body: string): Status {
  const text = body.trim();
  if (code === 400) return newStatus(400, 'BadRequest', text);
  if (code === 500) return newStatus(500, 'InternalError', `Internal error occurred: ${text}`);
  if (code === 404) return newStatus(404, 'NotFound', text || 'the server could not find the requested resource');
  if (code === 401) return newStatus(401, 'Unauthorized', text || 'Unauthorized');
  if (code === 403) return newStatus(403, 'Forbidden', text || 'Forbidden');
  return newStatus(code, 'Unknown', text || `the server responded with the status code ${code} but did not return more information`);
}

function readLimited(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      if (body.length < MAX_ERROR_BODY) body += c;
    });
    res.on('end', () => resolve(body.slice(0, MAX_ERROR_BODY)));
    res.on('error', () => resolve(body));
  });
}

const KUBELET_ANSWER_TIMEOUT_MS = 30_000;

/** Bounds the wait for the kubelet's answer (an unreachable node must not hang the request). */
function armConnectTimeout(upstream: ClientRequest, loc: Location): void {
  upstream.setTimeout(KUBELET_ANSWER_TIMEOUT_MS, () => {
    upstream.destroy(new Error(`dial tcp ${loc.host}:${loc.port}: no answer within ${KUBELET_ANSWER_TIMEOUT_MS / 1000} s`));
  });
}

function unreachable(err: Error, loc: Location): StatusError {
  return new StatusError(newStatus(500, 'InternalError', `Get "https://${loc.host}:${loc.port}${loc.path}": ${err.message}`), { cause: err });
}

/** A non-upgraded stream request: logs are proxied; exec, attach and port-forward need an upgrade. */
export async function handlePodStreamRequest(
  req: IncomingMessage,
  res: ServerResponse,
  opts: { registries: Map<string, Registry>; sub: PodStreamSubresource; namespace: string; name: string; query: URLSearchParams; kubeletClient: KubeletClientCert | undefined; signal: AbortSignal },
): Promise<void> {
  if (req.method !== 'GET' && !(opts.sub !== 'log' && req.method === 'POST')) {
    throw new StatusError(newStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
  }
  const loc = await streamLocation(opts.registries, opts.sub, opts.namespace, opts.name, opts.query);
  if (!loc) {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end();
    return;
  }
  if (opts.sub !== 'log') throw badRequest('Upgrade request required');
  await new Promise<void>((resolve, reject) => {
    const upstream = httpsRequest(kubeletRequestOptions(loc, opts.kubeletClient, 'GET', { host: `${loc.host}:${loc.port}` }));
    armConnectTimeout(upstream, loc);
    const abort = (): void => { upstream.destroy(); };
    res.once('close', abort);
    opts.signal.addEventListener('abort', abort, { once: true });
    const done = (): void => {
      res.off('close', abort);
      opts.signal.removeEventListener('abort', abort);
    };
    upstream.on('error', (err) => {
      done();
      if (!res.headersSent) reject(unreachable(err, loc));
      else {
        res.destroy();
        resolve();
      }
    });
    upstream.on('response', (kres) => {
      // A followed log may be quiet for long: no idle timeout once the kubelet answered.
      upstream.setTimeout(0);
      const code = kres.statusCode ?? 500;
      if (code < 200 || code > 206) {
        void readLimited(kres).then((body) => {
          done();
          reject(new StatusError(statusFromKubelet(code, body)));
        });
        return;
      }
      res.writeHead(200, { 'Content-Type': kres.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      kres.pipe(res);
      kres.on('end', () => {
        done();
        resolve();
      });
      kres.on('error', () => {
        done();
        res.destroy();
        resolve();
      });
    });
    upstream.end();
  });
}

const HOP_BY_HOP = new Set(['host', 'authorization', 'proxy-authorization', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'content-length']);

function forwardHeaders(h: IncomingHttpHeaders, loc: Location): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  out['host'] = `${loc.host}:${loc.port}`;
  return out;
}

/** Writes a Status as a plain HTTP response on a socket that was not upgraded, and closes it. */
export function writeStatusToSocket(socket: Duplex, status: Status): void {
  const body = `${JSON.stringify(inGoOrder(status))}\n`;
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' }[status.code] ?? 'Error';
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status.code} ${reason}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  } else socket.destroy();
}

/**
 * An upgrade request (WebSocket or SPDY) for exec, attach or port-forward: relays it to the
 * kubelet and, once the kubelet switched protocols, relays the 101 and then the raw bytes both
 * ways (k8s.io/apimachinery/pkg/util/proxy/upgradeaware.go). Resolves when both sides closed.
 */
export async function proxyPodStreamUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  opts: { registries: Map<string, Registry>; sub: PodStreamSubresource; namespace: string; name: string; query: URLSearchParams; kubeletClient: KubeletClientCert | undefined },
): Promise<void> {
  const loc = await streamLocation(opts.registries, opts.sub, opts.namespace, opts.name, opts.query);
  if (!loc) throw badRequest(`pod ${opts.name} does not have a host assigned`);
  await new Promise<void>((resolve, reject) => {
    const upstream = httpsRequest(kubeletRequestOptions(loc, opts.kubeletClient, req.method ?? 'GET', forwardHeaders(req.headers, loc)));
    armConnectTimeout(upstream, loc);
    let settled = false;
    let upgraded = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    socket.once('close', () => upstream.destroy());
    upstream.on('error', (err) => {
      // upgradeaware.go's wording for a backend it cannot reach
      if (!upgraded) settle(new StatusError(newStatus(500, 'InternalError', `error dialing backend: ${err.message}`), { cause: err }));
      else socket.destroy();
    });
    upstream.on('response', (kres) => {
      void readLimited(kres).then((body) => settle(new StatusError(statusFromKubelet(kres.statusCode ?? 500, body))));
    });
    upstream.on('upgrade', (kres, kubelet, khead) => {
      upgraded = true;
      kubelet.setTimeout(0); // streams may be idle for long (an open shell, a forwarded port)
      const lines = [`HTTP/1.1 ${kres.statusCode ?? 101} ${kres.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < kres.rawHeaders.length; i += 2) lines.push(`${kres.rawHeaders[i]}: ${kres.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (khead.length > 0) socket.write(khead);
      if (head.length > 0) kubelet.write(head);
      kubelet.on('error', () => socket.destroy());
      socket.on('error', () => kubelet.destroy());
      kubelet.pipe(socket);
      socket.pipe(kubelet);
      let open = 2;
      const closed = (): void => {
        open -= 1;
        if (open === 0) settle();
      };
      kubelet.once('close', () => {
        socket.end();
        closed();
      });
      socket.once('close', () => {
        kubelet.destroy();
        closed();
      });
    });
    upstream.end();
  });
}
