// postStart and preStop handlers (pkg/kubelet/lifecycle/handlers.go): exec in the container,
// an HTTP GET against the pod (its IP unless `host` is given), or a sleep. A handler that fails
// returns a message; the caller decides (postStart: kill the container; preStop: go on stopping).
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Container, LifecycleHandler } from '../../api/types/core-v1.ts';
import type { Engine } from '../../runtime/engine.ts';

export interface HookTarget {
  engine: Engine;
  containerId: string;
  container: Container;
  podIP: string | undefined;
  signal: AbortSignal;
}

function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${port} in ${container.name}`);
  return named.containerPort;
}

function httpGet(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, signal }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs the handler; resolves with an error message, or undefined on success. */
export async function runHook(handler: LifecycleHandler, t: HookTarget): Promise<string | undefined> {
  try {
    if (handler.exec) {
      const out = await t.engine.containers.exec(t.containerId, handler.exec.command ?? [], { signal: t.signal });
      if (out.exitCode !== 0) {
        return `command '${(handler.exec.command ?? []).join(' ')}' exited with ${out.exitCode}: ${Buffer.concat([out.stdout, out.stderr]).toString().trim()}`;
      }
      return undefined;
    }
    if (handler.httpGet) {
      const g = handler.httpGet;
      const host = g.host ?? t.podIP ?? '127.0.0.1';
      const port = resolvePort(g.port, t.container);
      const path = (g.path ?? '/').startsWith('/') ? (g.path ?? '/') : `/${g.path}`;
      const url = new URL(`http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`);
      const headers = Object.fromEntries((g.httpHeaders ?? []).map((h) => [h.name, h.value]));
      const code = await httpGet(url, headers, t.signal);
      return code >= 200 && code < 400 ? undefined : `HTTP lifecycle hook (${path}) for Container "${t.container.name}" returned status ${code}`;
    }
    if (handler.sleep) {
      await sleep(handler.sleep.seconds * 1000, undefined, { signal: t.signal }).catch(() => undefined);
      return undefined;
    }
    if (handler.tcpSocket) return 'tcpSocket is not supported as a lifecycle hook';
    return 'invalid lifecycle handler: no action given';
  } catch (err) {
    return (err as Error).message;
  }
}
