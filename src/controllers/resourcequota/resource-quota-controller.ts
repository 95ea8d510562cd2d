// The ResourceQuota controller (pkg/controller/resourcequota/resource_quota_controller.go and
// resource_quota_monitor.go): keeps each quota's status.hard equal to spec.hard and status.used
// equal to what its namespace holds, counted by the same evaluators quota admission charges with
// (src/api/quota/evaluators.ts). A quota is recalculated when it is created or its spec.hard
// changes, when something it counts goes away or stops counting (a pod deleted or finished, a
// service changing type, a claim's allocation changing) — admission already charged the creates —
// and in a full resync every five minutes (--resource-quota-sync-period). Kinds are watched once a
// quota names them, as upstream's quota monitor watches what it can count.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/meta.ts';
import { evaluatorsForNames, podCountsForQuota, quotaServiceType, pvcEvaluator, type QuotaEvaluator } from '../../api/quota/evaluators.ts';
import { equals, parseList } from '../../api/quota/resource-list.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { ResourceQuota } from '../../api/types/core-v1-policy.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import { desiredStatus } from './quota-status.ts';

/** Upstream's --resource-quota-sync-period default. */
export const DEFAULT_QUOTA_RESYNC_MS = 5 * 60_000;
const QUOTAS = { group: '', version: 'v1', resource: 'resourcequotas', namespaced: true };
/** Kinds whose objects the evaluators read beyond their existence. */
const FULL_OBJECTS = new Set(['/pods', '/services', '/persistentvolumeclaims']);

export interface ResourceQuotaControllerOptions {
  resyncPeriodMs?: number;
  /** Upstream's --concurrent-resource-quota-syncs (default 5). */
  workers?: number;
  now?: () => number;
}

interface Monitor {
  informer: Informer;
  index: NamespaceIndex<KubeObject>;
}

export class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #resyncMs: number;
  readonly #workers: number;
  readonly #now: () => number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 1000_000 });
  readonly #client: ResourceClient<ResourceQuota>;
  readonly #monitors = new Map<string, Monitor>();
  #quotas: Informer<ResourceQuota> | undefined;
  #quotaIndex: NamespaceIndex<ResourceQuota> | undefined;
  #signal: AbortSignal | undefined;

  constructor(cs: Clientset, log: Logger, options: ResourceQuotaControllerOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#resyncMs = options.resyncPeriodMs ?? DEFAULT_QUOTA_RESYNC_MS;
    this.#workers = options.workers ?? 5;
    this.#now = options.now ?? Date.now;
    this.#client = cs.resource<ResourceQuota>('v1', 'resourcequotas');
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    const quotas = this.#cs.informer<ResourceQuota>(QUOTAS);
    this.#quotas = quotas;
    this.#quotaIndex = new NamespaceIndex(quotas);
    quotas.addHandlers({
      add: (q) => this.#addQuota(q),
      // Status writes (ours and admission's) are not a reason to recount; a new spec.hard is.
      update: (old, q) => { if (!equals(parseList(old.spec?.hard), parseList(q.spec?.hard))) this.#addQuota(q); },
    });
    try {
      await quotas.waitForSync(signal);
    } catch {
      return;
    }
    const timer = setInterval(() => { for (const q of quotas.values()) this.#enqueue(q); }, this.#resyncMs);
    timer.unref();
    try {
      await runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal);
    } finally {
      clearInterval(timer);
    }
  }

  #enqueue(q: ResourceQuota): void {
    this.#queue.add(`${q.metadata.namespace}/${q.metadata.name}`);
  }

  #addQuota(q: ResourceQuota): void {
    this.#ensureMonitors(Object.keys(q.spec?.hard ?? {}));
    this.#enqueue(q);
  }

  /** Starts watching every kind these quota names count, once. */
  #ensureMonitors(names: readonly string[]): Monitor[] {
    const out: Monitor[] = [];
    for (const ev of evaluatorsForNames(names)) {
      const m = this.#monitor(ev);
      if (m) out.push(m);
    }
    return out;
  }

  #monitor(ev: QuotaEvaluator): Monitor | undefined {
    const key = `${ev.group}/${ev.resource}`;
    const existing = this.#monitors.get(key);
    if (existing) return existing;
    const info = RESOURCES.find((r) => r.group === ev.group && r.resource === ev.resource && r.preferred && r.namespaced);
    if (!info) return undefined;
    const informer = this.#cs.informer({ group: info.group, version: info.version, resource: info.resource, namespaced: true }, FULL_OBJECTS.has(key) ? {} : { metadataOnly: true });
    const m: Monitor = { informer, index: new NamespaceIndex(informer) };
    this.#monitors.set(key, m);
    informer.addHandlers({
      update: (old, obj) => { if (releases(key, old, obj, this.#now())) this.#replenish(obj, ev); },
      delete: (obj) => this.#replenish(obj, ev),
    });
    return m;
  }

  /** Something counted went away: recount the namespace's quotas that count its kind. */
  #replenish(obj: KubeObject, ev: QuotaEvaluator): void {
    const ns = obj.metadata.namespace ?? '';
    for (const q of this.#quotaIndex?.list(ns) ?? []) {
      if (ev.matchingResources(Object.keys(q.status?.hard ?? q.spec?.hard ?? {})).length) this.#enqueue(q);
    }
  }

  async sync(key: string): Promise<void> {
    const q = this.#quotas?.get(key);
    if (!q) return;
    const ns = q.metadata.namespace ?? '';
    const monitors = new Map<QuotaEvaluator, Monitor>();
    for (const ev of evaluatorsForNames(Object.keys(q.spec?.hard ?? {}))) {
      const m = this.#monitor(ev);
      if (!m) continue;
      await m.informer.waitForSync(this.#signal);
      monitors.set(ev, m);
    }
    const status = desiredStatus(q, (ev) => monitors.get(ev)?.index.list(ns), this.#now());
    if (!status) return;
    // Written at the resourceVersion counted from: a charge admission made meanwhile is a
    // Conflict, and the sync runs again from the newer quota.
    await this.#client.updateStatus(ns, { ...q, status });
  }
}

/** Whether an update frees quota (the update filter of resource_quota_monitor.go). */
function releases(key: string, old: KubeObject, obj: KubeObject, now: number): boolean {
  switch (key) {
    case '/pods': return podCountsForQuota(old, now) && !podCountsForQuota(obj, now);
    case '/services': return quotaServiceType(old) !== quotaServiceType(obj);
    case '/persistentvolumeclaims': return pvcEvaluator.handles('UPDATE', 'status', obj, old);
    default: return false;
  }
}
