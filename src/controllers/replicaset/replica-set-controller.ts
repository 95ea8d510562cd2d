// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go): keeps `spec.replicas` pods
// matching a ReplicaSet's selector. Shared informers on ReplicaSets and pods feed a rate-limited
// queue of ns/name keys; sync(key) claims the pods (adopting orphans, releasing pods that stopped
// matching), creates or deletes the difference, and writes the status. Expectations keep it from
// acting twice on what its pod informer has not shown yet. The same code runs ReplicationControllers
// (a ReplicaKind for each).
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isConflict, isNotFound, isStatusError } from '../../api/errors.ts';
import type { ObjectReference, Pod } from '../../api/types/core-v1.ts';
import { matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { podsToDelete } from '../util/active-pods.ts';
import { controllerRefOf, ControllerRefManager, newControllerRef } from '../util/controller-ref.ts';
import { ControllerExpectations } from '../util/expectations.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import { filterActivePods, isPodReady, msUntilAvailable } from '../util/pod-status.ts';
import { slowStartBatch } from '../util/slow-start.ts';
import type { ReplicaSet } from '../util/workload-types.ts';
import { podFromTemplate } from './pod-template.ts';
import { REPLICA_SET_KIND, type ReplicaKind } from './replica-kind.ts';
import { calculateStatus, sameStatus } from './replica-set-status.ts';
import { asError, keyOf } from '../util/object-keys.ts';

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** Upstream's SlowStartInitialBatchSize. */
const SLOW_START_INITIAL_BATCH = 1;
const PODS = { group: '', version: 'v1', resource: 'pods', namespaced: true };

export interface ReplicaSetControllerOptions {
  kind?: ReplicaKind;
  burstReplicas?: number;
  /** Concurrent syncs (upstream's --concurrent-replicaset-syncs, default 5). */
  workers?: number;
}

export class ReplicaSetController implements Controller {
  readonly name: string;
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #kind: ReplicaKind;
  readonly #burst: number;
  readonly #workers: number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 1000_000 });
  readonly expectations = new ControllerExpectations();
  readonly #recorder: EventRecorder;
  readonly #rsClient: ResourceClient<ReplicaSet>;
  readonly #podClient: ResourceClient<Pod>;
  #rsInformer: Informer<ReplicaSet> | undefined;
  #rsIndex: NamespaceIndex<ReplicaSet> | undefined;
  #podIndex: NamespaceIndex<Pod> | undefined;

  constructor(cs: Clientset, log: Logger, options: ReplicaSetControllerOptions = {}) {
    this.#kind = options.kind ?? REPLICA_SET_KIND;
    this.name = this.#kind.controllerName;
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#burst = options.burstReplicas ?? BURST_REPLICAS;
    this.#workers = options.workers ?? 5;
    this.#recorder = new EventRecorder({ clientset: cs, component: `${this.name}-controller`, host: hostname(), log: this.#log });
    this.#rsClient = cs.resource<ReplicaSet>(this.#kind.apiVersion, this.#kind.resource);
    this.#podClient = cs.resource<Pod>('v1', 'pods');
  }

  async run(signal: AbortSignal): Promise<void> {
    const k = this.#kind;
    const rsInformer = this.#cs.informer<ReplicaSet>({ group: k.group, version: k.version, resource: k.resource, namespaced: true });
    const podInformer = this.#cs.informer<Pod>(PODS);
    this.#rsInformer = rsInformer;
    this.#rsIndex = new NamespaceIndex(rsInformer);
    this.#podIndex = new NamespaceIndex(podInformer);
    rsInformer.addHandlers({
      add: (rs) => this.#enqueue(rs),
      update: (_old, rs) => this.#enqueue(rs),
      delete: (rs) => {
        const key = keyOf(rs);
        this.expectations.delete(key);
        this.#queue.add(key);
      },
    });
    podInformer.addHandlers({
      add: (pod) => this.#podAdded(pod),
      update: (old, pod) => this.#podUpdated(old, pod),
      delete: (pod) => this.#podDeleted(pod),
    });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([rsInformer.waitForSync(signal), podInformer.waitForSync(signal)]);
    } catch {
      await recorder;
      return;
    }
    await runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal);
    await recorder;
  }

  #enqueue(rs: ReplicaSet): void {
    this.#queue.add(keyOf(rs));
  }

  /** The ReplicaSet a controller reference names, if it is one of ours and still the same object. */
  #resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): ReplicaSet | undefined {
    if (!ref || ref.kind !== this.#kind.kind) return undefined;
    const rs = this.#rsInformer?.get(`${namespace}/${ref.name}`);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod (upstream's GetPodReplicaSets). */
  #selecting(pod: Pod): ReplicaSet[] {
    const out: ReplicaSet[] = [];
    for (const rs of this.#rsIndex?.list(pod.metadata.namespace ?? '') ?? []) {
      const sel = this.#selectorOf(rs);
      if (sel && matchesLabels(sel, pod.metadata.labels)) out.push(rs);
    }
    return out;
  }

  #selectorOf(rs: ReplicaSet): LabelSelectorExpr | undefined {
    try {
      return this.#kind.selector(rs);
    } catch {
      return undefined;
    }
  }

  #podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // Restarted with a pod already being deleted: count it as gone at once.
      this.#podDeleted(pod);
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const rs = this.#resolve(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.#enqueue(rs);
      return;
    }
    // An orphan: every matching ReplicaSet gets a chance to adopt it.
    for (const rs of this.#selecting(pod)) this.#enqueue(rs);
  }

  #podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // Graceful deletion: the pod is as good as gone for counting; a new one may start now.
      this.#podDeleted(cur);
      if (labelsChanged) this.#podDeleted(old);
      return;
    }
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.#resolve(old.metadata.namespace, oldRef);
      if (rs) this.#enqueue(rs);
    }
    if (curRef) {
      const rs = this.#resolve(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.#enqueue(rs);
      // Turned ready: look again once it has been ready for minReadySeconds.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.#queue.addAfter(keyOf(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.#selecting(cur)) this.#enqueue(rs);
  }

  #podDeleted(pod: Pod): void {
    const rs = this.#resolve(pod.metadata.namespace, controllerRefOf(pod));
    if (!rs) return;
    const key = keyOf(rs);
    this.expectations.deletionObserved(key, `${pod.metadata.namespace}/${pod.metadata.name}`);
    this.#enqueue(rs);
  }

  /** Level-triggered: converge one ReplicaSet's pods and status on what its spec asks. */
  async sync(key: string): Promise<void> {
    const rs = this.#rsInformer?.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = this.#selectorOf(rs);
    if (!selector) {
      // Validation keeps invalid selectors out; one that slips through is not retried forever.
      this.#log.warn({ key }, 'invalid selector; not syncing');
      return;
    }
    const namespace = rs.metadata.namespace ?? 'default';
    const active = filterActivePods(this.#podIndex?.list(namespace) ?? []);
    const claim = await new ControllerRefManager<Pod>({
      owner: rs, apiVersion: this.#kind.apiVersion, kind: this.#kind.kind, selector, client: this.#podClient,
      canAdopt: () => this.#recheckDeletion(rs),
    }).claim(active);
    const pods = claim.claimed;
    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.#manageReplicas(rs, key, pods);
      } catch (err) {
        manageError = err;
      }
    }
    const now = Date.now();
    const replicas = rs.spec?.replicas ?? 1;
    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    const status = calculateStatus({ status: rs.status, replicas, minReadySeconds, templateLabels: rs.spec?.template?.metadata?.labels, pods, manageError, now });
    await this.#writeStatus(rs, status);
    if (manageError === undefined && minReadySeconds > 0) {
      // Availability comes with time, not with an event: look again when the next pod gets there.
      let wait: number | undefined;
      for (const p of pods) {
        const ms = msUntilAvailable(p, minReadySeconds, now);
        if (ms !== undefined) wait = wait === undefined ? ms : Math.min(wait, ms);
      }
      if (wait !== undefined) this.#queue.addAfter(key, wait);
    }
    if (manageError !== undefined) throw asError(manageError);
    if (claim.errors.length > 0) throw asError(claim.errors[0]);
  }

  /** A fresh read: adopt only for a ReplicaSet that still exists, is the same and is not being deleted. */
  async #recheckDeletion(rs: ReplicaSet): Promise<void> {
    const fresh = await this.#rsClient.get(rs.metadata.namespace, rs.metadata.name ?? '');
    if (fresh.metadata.uid !== rs.metadata.uid) throw new Error(`original ${this.#kind.kind} ${keyOf(rs)} is gone: got uid ${fresh.metadata.uid}, wanted ${rs.metadata.uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${this.#kind.kind} ${keyOf(rs)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }

  async #manageReplicas(rs: ReplicaSet, key: string, pods: Pod[]): Promise<void> {
    const want = rs.spec?.replicas ?? 1;
    const diff = pods.length - want;
    const namespace = rs.metadata.namespace ?? 'default';
    const ref = this.#objectRef(rs);
    if (diff < 0) {
      const n = Math.min(-diff, this.#burst);
      // Expect them all before the first request: the informer may show a new pod before the
      // create call returns.
      this.expectations.expectCreations(key, n);
      const ownerRef = newControllerRef(rs, this.#kind.apiVersion, this.#kind.kind);
      const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH, async () => {
        try {
          const pod = podFromTemplate(rs.spec?.template, namespace, rs.metadata.name ?? '', ownerRef);
          const created = await this.#podClient.create(namespace, pod);
          this.#recorder.record(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (err) {
          // A terminating namespace refuses every create; nothing to report or retry then.
          if (isStatusError(err) && /because it is being terminated/.test(err.message)) return;
          this.#recorder.record(ref, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          throw err;
        }
      });
      // Creates that failed or were never tried will not show up in the informer.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw asError(error);
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, this.#burst);
      const victims = podsToDelete(pods, this.#relatedPods(rs, pods), n);
      const victimKeys = victims.map((p) => `${namespace}/${p.metadata.name}`);
      this.expectations.expectDeletions(key, victimKeys);
      const errors: unknown[] = [];
      await Promise.all(victims.map(async (p, i) => {
        try {
          await this.#podClient.delete(namespace, p.metadata.name ?? '');
          this.#recorder.record(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, victimKeys[i]);
          if (isNotFound(err)) return;
          this.#recorder.record(ref, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          errors.push(err);
        }
      }));
      if (errors.length > 0) throw asError(errors[0]);
    }
  }

  /**
   * Pods of this ReplicaSet and of the others with the same controller (a Deployment's old and new
   * ReplicaSets): a pod sharing its node with many of them is deleted first (getIndirectlyRelatedPods).
   */
  #relatedPods(rs: ReplicaSet, own: Pod[]): Pod[] {
    const owner = controllerRefOf(rs);
    if (!owner) return own;
    const siblings = new Set<string>();
    for (const other of this.#rsIndex?.list(rs.metadata.namespace ?? '') ?? []) {
      if (controllerRefOf(other)?.uid === owner.uid && other.metadata.uid) siblings.add(other.metadata.uid);
    }
    return (this.#podIndex?.list(rs.metadata.namespace ?? '') ?? []).filter((p) => {
      const r = controllerRefOf(p);
      return r !== undefined && siblings.has(r.uid);
    });
  }

  /** Writes the status if it changed, with observedGeneration; one retry on a fresh copy (upstream's statusUpdateRetries). */
  async #writeStatus(rs: ReplicaSet, computed: ReturnType<typeof calculateStatus>): Promise<void> {
    const status = { ...computed, observedGeneration: rs.metadata.generation ?? 0 };
    if (sameStatus(rs.status, status)) return;
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#rsClient.updateStatus(current.metadata.namespace, { ...current, status });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (attempt >= 1 || !isConflict(err)) throw err;
        current = await this.#rsClient.get(rs.metadata.namespace, rs.metadata.name ?? '');
        // A newer generation is another sync's job: the informer brings it.
        if ((current.metadata.generation ?? 0) !== (rs.metadata.generation ?? 0)) return;
      }
    }
  }

  #objectRef(rs: ReplicaSet): ObjectReference {
    return {
      kind: this.#kind.kind,
      apiVersion: this.#kind.apiVersion,
      namespace: rs.metadata.namespace ?? 'default',
      name: rs.metadata.name ?? '',
      ...(rs.metadata.uid ? { uid: rs.metadata.uid } : {}),
      ...(rs.metadata.resourceVersion ? { resourceVersion: rs.metadata.resourceVersion } : {}),
    };
  }
}

