// Events expire (kube-apiserver --event-ttl, 1 h by default; upstream attaches an etcd lease to
// each event). Here a sweep deletes events whose last sighting is older than the TTL.
import type { Logger } from 'pino';
import { isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Registry, WriteContext } from './registry/registry.ts';

/** When an event was last written or seen: the newest of its timestamps (upstream counts the TTL from the last write). */
export function lastSeen(e: KubeObject): number {
  const stamps = [e.lastTimestamp, e.eventTime, (e.series as { lastObservedTime?: string } | undefined)?.lastObservedTime, e.metadata.creationTimestamp];
  return Math.max(...stamps.map((s) => (typeof s === 'string' ? Date.parse(s) : NaN)).filter((n) => !Number.isNaN(n)), 0);
}

export async function expireEvents(events: Registry, ttlMs: number, now = Date.now()): Promise<number> {
  const ctx: WriteContext = { user: { name: 'system:apiserver', groups: ['system:masters'] }, manager: 'kube-apiserver', apiVersion: 'v1', dryRun: false, now: new Date(now) };
  const { items } = await events.listCached('', true);
  let n = 0;
  for (const o of items) {
    if (now - lastSeen(o.obj) < ttlMs) continue;
    try {
      await events.delete(o.obj.metadata.namespace ?? '', o.obj.metadata.name ?? '', {}, ctx);
      n++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return n;
}

export async function runEventTTL(events: Registry, ttlMs: number, log: Logger, signal: AbortSignal): Promise<void> {
  const every = Math.min(60_000, Math.max(1000, ttlMs / 10));
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, every);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    if (signal.aborted) return;
    try {
      const n = await expireEvents(events, ttlMs);
      if (n) log.debug({ expired: n }, 'events expired');
    } catch (err) {
      log.warn({ err }, 'event expiry failed');
    }
  }
}
