// The pod garbage collector (pkg/controller/podgc/gc_controller.go). One pass, run every
// gcPeriod and whenever a pod or node event may give it work:
//  - finished pods beyond --terminated-pod-gc-threshold go, oldest first;
//  - pods bound to a node that no longer exists go, once the node has been missing for the
//    quarantine (upstream's 40 s) and a fresh GET confirms it, marked Failed with a
//    DisruptionTarget condition first (no kubelet is left to do it);
//  - pods being deleted that were never scheduled go at once (no kubelet will ever confirm them).
// Every deletion is forced (grace period 0), as upstream's.
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { Node, Pod, PodCondition } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { isPodTerminated, terminatedPodsToDelete } from './terminated-pods.ts';

/** Upstream's --terminated-pod-gc-threshold default. */
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12500;
/** Upstream's gcCheckPeriod. */
const GC_PERIOD_MS = 20_000;
/** Upstream's quarantineTime. */
export const DEFAULT_ORPHAN_QUARANTINE_MS = 40_000;
const GC = 'gc';

export interface PodGCOptions {
  /** Finished pods kept before the oldest go; 0 keeps them all. */
  terminatedPodThreshold?: number;
  /** How long a node must be missing before its pods are deleted. */
  quarantineMs?: number;
  gcPeriodMs?: number;
}

export class PodGCController implements Controller {
  readonly name = 'podgc';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #threshold: number;
  readonly #quarantineMs: number;
  readonly #periodMs: number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 30_000 });
  readonly #podClient: ResourceClient<Pod>;
  readonly #nodeClient: ResourceClient<Node>;
  /** Node name → when a pod was first seen bound to it while it did not exist. */
  readonly #missingSince = new Map<string, number>();
  #pods!: Informer<Pod>;
  #nodes!: Informer<Node>;

  constructor(cs: Clientset, log: Logger, options: PodGCOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#threshold = options.terminatedPodThreshold ?? DEFAULT_TERMINATED_POD_GC_THRESHOLD;
    this.#quarantineMs = options.quarantineMs ?? DEFAULT_ORPHAN_QUARANTINE_MS;
    this.#periodMs = options.gcPeriodMs ?? GC_PERIOD_MS;
    this.#podClient = cs.resource<Pod>('v1', 'pods');
    this.#nodeClient = cs.resource<Node>('v1', 'nodes');
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#pods = this.#cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true });
    this.#nodes = this.#cs.informer<Node>({ group: '', version: 'v1', resource: 'nodes', namespaced: false });
    const maybeWork = (p: Pod): void => {
      const node = p.spec?.nodeName;
      if ((node && !this.#nodes.get(node)) || (p.metadata.deletionTimestamp && !node)) this.#queue.add(GC);
      else if (this.#threshold > 0 && isPodTerminated(p)) this.#queue.add(GC);
    };
    this.#pods.addHandlers({ add: maybeWork, update: (_o, p) => maybeWork(p) });
    this.#nodes.addHandlers({ delete: () => this.#queue.add(GC) });
    try {
      await Promise.all([this.#pods.waitForSync(signal), this.#nodes.waitForSync(signal)]);
    } catch {
      return;
    }
    const timer = setInterval(() => this.#queue.add(GC), this.#periodMs);
    timer.unref();
    this.#queue.add(GC);
    try {
      // One worker: passes never overlap, as upstream's single gc loop.
      await runWorkers(this.name, this.#queue, 1, () => this.gc(), this.#log, signal);
    } finally {
      clearInterval(timer);
    }
  }

  async gc(): Promise<void> {
    const pods = [...this.#pods.values()];
    const errors: unknown[] = [];
    const collect = (p: Promise<void>): Promise<void> => p.catch((err: unknown) => { if (!isNotFound(err)) errors.push(err); });
    await Promise.all(terminatedPodsToDelete(pods, this.#threshold).map((p) => collect(this.#forceDelete(p, 'terminated pod over the threshold'))));
    await this.#gcOrphaned(pods, collect);
    await Promise.all(pods.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName)
      .map((p) => collect(this.#failAndDelete(p, undefined, 'unscheduled terminating pod'))));
    if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
  }

  async #gcOrphaned(pods: Pod[], collect: (p: Promise<void>) => Promise<void>): Promise<void> {
    const now = Date.now();
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (!node || this.#nodes.get(node)) continue;
      let list = byNode.get(node);
      if (!list) byNode.set(node, list = []);
      list.push(p);
    }
    for (const node of this.#missingSince.keys()) if (!byNode.has(node)) this.#missingSince.delete(node);
    for (const [node, orphans] of byNode) {
      const since = this.#missingSince.get(node);
      if (since === undefined) {
        this.#missingSince.set(node, now);
        this.#queue.addAfter(GC, this.#quarantineMs);
        continue;
      }
      if (now - since < this.#quarantineMs) {
        this.#queue.addAfter(GC, this.#quarantineMs - (now - since));
        continue;
      }
      // The cache may lag behind a node just registered: only a fresh read says it is gone.
      try {
        await this.#nodeClient.get(undefined, node);
        this.#missingSince.delete(node);
        continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
      await Promise.all(orphans.map((p) => collect(this.#failAndDelete(p, condition, `orphaned pod of node ${node}`))));
    }
  }

  /** markFailedAndDeletePodWithCondition: a pod no kubelet will finish is marked Failed first. */
  async #failAndDelete(pod: Pod, condition: PodCondition | undefined, why: string): Promise<void> {
    if (!isPodTerminated(pod)) {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const conditions = [...(pod.status?.conditions ?? [])];
      if (condition) {
        const i = conditions.findIndex((c) => c.type === condition.type);
        const full = { ...condition, lastTransitionTime: i >= 0 && conditions[i]?.status === condition.status ? conditions[i]?.lastTransitionTime ?? now : now };
        if (i >= 0) conditions[i] = full;
        else conditions.push(full);
      }
      await this.#podClient.patch(pod.metadata.namespace, pod.metadata.name ?? '', 'merge', {
        metadata: { uid: pod.metadata.uid },
        status: { phase: 'Failed', ...(condition ? { conditions } : {}) },
      }, { subresource: 'status' });
    }
    await this.#forceDelete(pod, why);
  }

  async #forceDelete(pod: Pod, why: string): Promise<void> {
    this.#log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node: pod.spec?.nodeName, why }, 'PodGC is force deleting Pod');
    await this.#podClient.delete(pod.metadata.namespace, pod.metadata.name ?? '', {
      gracePeriodSeconds: 0,
      ...(pod.metadata.uid ? { preconditions: { uid: pod.metadata.uid } } : {}),
    });
  }
}
