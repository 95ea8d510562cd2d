// GET /containerLogs/{ns}/{pod}/{container}: the container's CRI log as text, optionally followed
// until the container exits (pkg/kubelet/server/server.go getContainerLogs and
// pkg/kubelet/kuberuntime/logs/logs.go ReadLogs).
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { Engine } from '../../runtime/engine.ts';
import type { PodStreamBackend } from './backend.ts';
import { HttpError } from './http-error.ts';

export interface LogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  since?: Date;
}

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE';
}

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new HttpError(400, `${name}: invalid value "${v}": expected an integer`);
  return Number(v);
}

export function parseLogQuery(q: URLSearchParams, now = Date.now()): LogQuery {
  const out: LogQuery = { follow: bool(q, 'follow'), previous: bool(q, 'previous'), timestamps: bool(q, 'timestamps') };
  const tail = int(q, 'tailLines');
  if (tail !== undefined) {
    if (tail < 0) throw new HttpError(400, 'tailLines: Invalid value: must be greater than or equal to 0');
    out.tailLines = tail;
  }
  const limit = int(q, 'limitBytes');
  if (limit !== undefined) {
    if (limit < 1) throw new HttpError(400, 'limitBytes: Invalid value: must be greater than 0');
    out.limitBytes = limit;
  }
  const sinceSeconds = int(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw new HttpError(400, 'at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) throw new HttpError(400, 'sinceSeconds: Invalid value: must be greater than 0');
    out.since = new Date(now - sinceSeconds * 1000);
  } else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new HttpError(400, `sinceTime: invalid value "${sinceTime}": expected an RFC3339 time`);
    out.since = new Date(t);
  }
  return out;
}

/**
 * A CRI timestamp as the kubelet prints it with `timestamps=true`: UTC with nine fractional
 * digits (RFC3339NanoFixed in pkg/kubelet/kuberuntime/logs/logs.go).
 */
export function formatTimestamp(ts: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts);
  if (!m) return ts;
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const zone = m[3]!;
  if (zone === 'Z' || zone === '+00:00' || zone === '-00:00') return `${m[1]}.${frac}Z`;
  const utc = new Date(Date.parse(`${m[1]}${zone}`)).toISOString().slice(0, 19);
  return `${utc}.${frac}Z`;
}

export async function serveContainerLogs(
  res: ServerResponse,
  target: { namespace: string; pod: string; container: string },
  query: URLSearchParams,
  deps: { backend: PodStreamBackend; engine: Engine; signal: AbortSignal },
): Promise<void> {
  const opts = parseLogQuery(query);
  const resolved = await deps.backend.resolveContainer(target.namespace, target.pod, target.container, { previous: opts.previous });
  const ac = new AbortController();
  const abort = (): void => ac.abort();
  res.once('close', abort);
  deps.signal.addEventListener('abort', abort, { once: true });
  try {
    const lines = deps.engine.containers.readLogs(resolved.containerId, {
      // `previous` reads a container that has exited: nothing more will come.
      follow: opts.follow && !opts.previous,
      ...(opts.tailLines !== undefined ? { tail: opts.tailLines } : {}),
      ...(opts.since ? { since: opts.since } : {}),
      signal: ac.signal,
    });
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    let left = opts.limitBytes ?? Infinity;
    for await (const line of lines) {
      let chunk = Buffer.from(opts.timestamps ? `${formatTimestamp(line.timestamp)} ${line.content}\n` : `${line.content}\n`);
      if (chunk.length > left) chunk = chunk.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      if (left <= 0 || res.destroyed) break;
    }
    res.end();
  } catch (err) {
    if (ac.signal.aborted) {
      res.destroy();
      return;
    }
    throw err;
  } finally {
    res.off('close', abort);
    deps.signal.removeEventListener('abort', abort);
  }
}
