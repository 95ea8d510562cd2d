// The DaemonSet controller (pkg/controller/daemon/daemon_controller.go, update.go). Shared
// informers on DaemonSets, pods, nodes and ControllerRevisions feed a rate-limited queue of ns/name
// keys. sync(key) finds or makes the revision of the set's current template (its hash labels new
// pods), claims the set's pods, creates a pod pinned (by required node affinity on metadata.name)
// to each eligible node that has none and deletes pods on nodes that may no longer run them, then,
// with RollingUpdate, replaces old pods within maxUnavailable/maxSurge; it trims the history and
// writes the status. Expectations keep it from acting twice on what the pod informer has not shown.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound, isStatusError } from '../../api/errors.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from '../../api/types/apps-v1.ts';
import type { Node, ObjectReference, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { ControllerHistory, sortRevisions } from '../history/controller-history.ts';
import { podFromTemplate } from '../replicaset/pod-template.ts';
import { controllerRefOf, ControllerRefManager, newControllerRef } from '../util/controller-ref.ts';
import { ControllerExpectations } from '../util/expectations.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import { isPodReady } from '../util/pod-status.ts';
import { slowStartBatch } from '../util/slow-start.ts';
import { computeStatus, groupByNode, planManage, planRollingUpdate } from './daemonset-plan.ts';
import {
  DAEMON_REVISION_LABEL, DAEMON_SET_API_VERSION, DAEMON_SET_KIND, daemonPodTemplate, daemonRevisionPatch, daemonTemplateHash,
  isRollingUpdate, pinToNode, revisionMatches,
} from './daemonset-util.ts';
import { asError, keyOf, objectReference } from '../util/object-keys.ts';

/** Upstream's BurstReplicas for daemon sets. */
const BURST_REPLICAS = 250;
const FAILED_BACKOFF_INITIAL_MS = 1000;
const FAILED_BACKOFF_MAX_MS = 15 * 60 * 1000;

const res = (group: string, version: string, resource: string, namespaced = true): { group: string; version: string; resource: string; namespaced: boolean } => ({ group, version, resource, namespaced });

export interface DaemonSetControllerOptions {
  /** Concurrent syncs (upstream's --concurrent-daemonset-syncs, default 2). */
  workers?: number;
  now?: () => number;
}

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #workers: number;
  readonly #now: () => number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 1000_000 });
  readonly expectations = new ControllerExpectations();
  readonly #recorder: EventRecorder;
  readonly #dsClient: ResourceClient<DaemonSet>;
  readonly #podClient: ResourceClient<Pod>;
  readonly #revClient: ResourceClient<ControllerRevision>;
  /** failedPodsBackoff: per set, generation and node, when a failed pod may next be deleted. */
  readonly #failedBackoff = new Map<string, { at: number; delay: number }>();
  #dsInformer: Informer<DaemonSet> | undefined;
  #dsIndex: NamespaceIndex<DaemonSet> | undefined;
  #podIndex: NamespaceIndex<Pod> | undefined;
  #nodeInformer: Informer<Node> | undefined;
  #history: ControllerHistory | undefined;

  constructor(cs: Clientset, log: Logger, options: DaemonSetControllerOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#workers = options.workers ?? 2;
    this.#now = options.now ?? Date.now;
    this.#recorder = new EventRecorder({ clientset: cs, component: 'daemonset-controller', host: hostname(), log: this.#log });
    this.#dsClient = cs.resource<DaemonSet>('apps/v1', 'daemonsets');
    this.#podClient = cs.resource<Pod>('v1', 'pods');
    this.#revClient = cs.resource<ControllerRevision>('apps/v1', 'controllerrevisions');
  }

  async run(signal: AbortSignal): Promise<void> {
    const dsInformer = this.#cs.informer<DaemonSet>(res('apps', 'v1', 'daemonsets'));
    const podInformer = this.#cs.informer<Pod>(res('', 'v1', 'pods'));
    const nodeInformer = this.#cs.informer<Node>(res('', 'v1', 'nodes', false));
    const revInformer = this.#cs.informer<ControllerRevision>(res('apps', 'v1', 'controllerrevisions'));
    this.#dsInformer = dsInformer;
    this.#nodeInformer = nodeInformer;
    this.#dsIndex = new NamespaceIndex(dsInformer);
    this.#podIndex = new NamespaceIndex(podInformer);
    const revIndex = new NamespaceIndex(revInformer);
    this.#history = new ControllerHistory(this.#revClient, (ns) => revIndex.list(ns));
    dsInformer.addHandlers({
      add: (ds) => this.#enqueue(ds),
      update: (_o, ds) => this.#enqueue(ds),
      delete: (ds) => {
        this.expectations.delete(keyOf(ds));
        this.#enqueue(ds);
      },
    });
    podInformer.addHandlers({
      add: (p) => this.#podAdded(p),
      update: (o, p) => this.#podUpdated(o, p),
      delete: (p) => this.#podDeleted(p),
    });
    nodeInformer.addHandlers({
      add: () => this.#enqueueAll(),
      update: (o, n) => {
        if (nodeChanged(o, n)) this.#enqueueAll();
      },
      delete: () => this.#enqueueAll(),
    });
    revInformer.addHandlers({
      add: (r) => this.#revisionChanged(r),
      update: (_o, r) => this.#revisionChanged(r),
      delete: (r) => this.#revisionChanged(r),
    });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([dsInformer, podInformer, nodeInformer, revInformer].map((i) => i.waitForSync(signal)));
    } catch {
      await recorder;
      return;
    }
    await runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal);
    await recorder;
  }

  #enqueue(ds: DaemonSet): void {
    this.#queue.add(keyOf(ds));
  }

  #enqueueAll(): void {
    for (const ds of this.#dsInformer?.values() ?? []) this.#enqueue(ds);
  }

  #resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): DaemonSet | undefined {
    if (!ref || ref.kind !== DAEMON_SET_KIND) return undefined;
    const ds = this.#dsInformer?.get(`${namespace}/${ref.name}`);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  }

  /** getDaemonSetsForPod: the sets whose selector matches an orphan pod. */
  #selecting(obj: Pod | ControllerRevision): DaemonSet[] {
    return (this.#dsIndex?.list(obj.metadata.namespace ?? '') ?? []).filter((ds) => {
      const sel = selectorOf(ds);
      return sel !== undefined && matchesLabels(sel, obj.metadata.labels);
    });
  }

  #revisionChanged(rev: ControllerRevision): void {
    const ref = controllerRefOf(rev);
    const ds = this.#resolve(rev.metadata.namespace, ref);
    if (ds) this.#enqueue(ds);
    else if (!ref) for (const d of this.#selecting(rev)) this.#enqueue(d);
  }

  #podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.#podDeleted(pod);
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const ds = this.#resolve(pod.metadata.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(keyOf(ds));
      this.#enqueue(ds);
      return;
    }
    for (const ds of this.#selecting(pod)) this.#enqueue(ds);
  }

  #podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      this.#podDeleted(cur);
      return;
    }
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    if (curRef?.uid !== oldRef?.uid && oldRef) {
      const ds = this.#resolve(old.metadata.namespace, oldRef);
      if (ds) this.#enqueue(ds);
    }
    if (curRef) {
      const ds = this.#resolve(cur.metadata.namespace, curRef);
      if (!ds) return;
      this.#enqueue(ds);
      const minReady = ds.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.#queue.addAfter(keyOf(ds), minReady * 1000 + 1000);
      return;
    }
    for (const ds of this.#selecting(cur)) this.#enqueue(ds);
  }

  #podDeleted(pod: Pod): void {
    const ds = this.#resolve(pod.metadata.namespace, controllerRefOf(pod));
    if (!ds) return;
    this.expectations.deletionObserved(keyOf(ds), `${pod.metadata.namespace}/${pod.metadata.name}`);
    this.#enqueue(ds);
  }

  async sync(key: string): Promise<void> {
    const ds = this.#dsInformer?.get(key);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const selector = selectorOf(ds);
    const ref = objectRef(ds);
    const sel = ds.spec.selector;
    if (!selector || (!sel.matchLabels && !sel.matchExpressions) || (Object.keys(sel.matchLabels ?? {}).length === 0 && !(sel.matchExpressions ?? []).length)) {
      this.#recorder.record(ref, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // A set being deleted may have lost its history already; its status cannot be trusted.
    if (ds.metadata.deletionTimestamp) return;
    const { cur, old } = await this.#constructHistory(ds, selector);
    const hash = cur.metadata.labels?.[DAEMON_REVISION_LABEL] ?? '';
    const nodes = [...(this.#nodeInformer?.values() ?? [])];
    if (!this.expectations.satisfied(key)) {
      await this.#writeStatus(ds, nodes, await this.#claimPods(ds, selector), hash, false);
      return;
    }
    let failure: unknown;
    try {
      await this.#manage(ds, selector, nodes, hash);
      if (this.expectations.satisfied(key) && isRollingUpdate(ds)) {
        const pods = await this.#claimPods(ds, selector);
        const plan = planRollingUpdate(ds, nodes, groupByNode(pods), hash, this.#now());
        await this.#syncNodes(ds, plan.podsToDelete, plan.nodesNeedingPods, hash);
      }
      await this.#cleanupHistory(ds, selector, old);
    } catch (err) {
      failure = err;
    }
    try {
      await this.#writeStatus(ds, nodes, await this.#claimPods(ds, selector), hash, true);
    } catch (err) {
      failure ??= err;
    }
    if (failure !== undefined) throw asError(failure);
  }

  async #manage(ds: DaemonSet, selector: LabelSelectorExpr, nodes: Node[], hash: string): Promise<void> {
    const pods = await this.#claimPods(ds, selector);
    const now = this.#now();
    const gen = ds.status?.observedGeneration ?? 0;
    const plan = planManage({
      ds, nodes, byNode: groupByNode(pods), hash, now,
      mayDeleteFailed: (node) => {
        const k = `${ds.metadata.uid}/${gen}/${node}`;
        const b = this.#failedBackoff.get(k);
        if (b && now - b.at < b.delay) {
          this.#queue.addAfter(keyOf(ds), b.delay - (now - b.at));
          return false;
        }
        this.#failedBackoff.set(k, { at: now, delay: b ? Math.min(b.delay * 2, FAILED_BACKOFF_MAX_MS) : FAILED_BACKOFF_INITIAL_MS });
        return true;
      },
    });
    const ref = objectRef(ds);
    for (const p of plan.failed) {
      this.#recorder.record(ref, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${p.spec?.nodeName ?? ''}, will try to kill it`);
    }
    for (const p of plan.succeeded) {
      this.#recorder.record(ref, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${p.spec?.nodeName ?? ''}, will try to delete it`);
    }
    await this.#syncNodes(ds, plan.podsToDelete, plan.nodesNeedingPods, hash);
  }

  /** syncNodes: expectations first, creates in slow-start batches (each pinned to its node), deletes at once. */
  async #syncNodes(ds: DaemonSet, podsToDelete: Pod[], nodesNeedingPods: string[], hash: string): Promise<void> {
    const key = keyOf(ds);
    const namespace = ds.metadata.namespace ?? 'default';
    const createN = Math.min(nodesNeedingPods.length, BURST_REPLICAS);
    const victims = podsToDelete.slice(0, BURST_REPLICAS);
    const victimKeys = victims.map((p) => `${namespace}/${p.metadata.name}`);
    // Deletions are tracked by pod so the graceful update and the final delete count once.
    this.expectations.expectDeletions(key, victimKeys);
    this.expectations.raise(key, createN, 0);
    const ref = objectRef(ds);
    const errors: unknown[] = [];
    const template = daemonPodTemplate(ds, hash);
    const ownerRef = newControllerRef(ds, DAEMON_SET_API_VERSION, DAEMON_SET_KIND);
    const { successes, error } = await slowStartBatch(createN, 1, async (i) => {
      const pod = podFromTemplate(template, namespace, ds.metadata.name ?? '', ownerRef);
      pod.spec!.affinity = pinToNode(pod.spec!.affinity, nodesNeedingPods[i]!);
      try {
        const created = await this.#podClient.create(namespace, pod);
        this.#recorder.record(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        if (isStatusError(err) && /because it is being terminated/.test(err.message)) return;
        this.#recorder.record(ref, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    for (let i = successes; i < createN; i++) this.expectations.creationObserved(key);
    if (error !== undefined) errors.push(error);
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

  /** getDaemonPods: the pods the selector matches, adopted or released as needed. */
  async #claimPods(ds: DaemonSet, selector: LabelSelectorExpr): Promise<Pod[]> {
    const candidates = this.#podIndex?.list(ds.metadata.namespace ?? '') ?? [];
    const claim = await new ControllerRefManager<Pod>({
      owner: ds, apiVersion: DAEMON_SET_API_VERSION, kind: DAEMON_SET_KIND, selector, client: this.#podClient,
      canAdopt: () => this.#recheck(ds),
    }).claim(candidates);
    if (claim.errors.length > 0) throw asError(claim.errors[0]);
    return claim.claimed;
  }

  async #recheck(ds: DaemonSet): Promise<void> {
    const fresh = await this.#dsClient.get(ds.metadata.namespace, ds.metadata.name ?? '');
    if (fresh.metadata.uid !== ds.metadata.uid) throw new Error(`original DaemonSet ${keyOf(ds)} is gone: got uid ${fresh.metadata.uid}, wanted ${ds.metadata.uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`DaemonSet ${keyOf(ds)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }

  /**
   * constructHistory: adopt orphan revisions; the revision equal to the template is current (made
   * if missing, renumbered past the others on a rollback, duplicates removed); the rest are old.
   */
  async #constructHistory(ds: DaemonSet, selector: LabelSelectorExpr): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
    const history = this.#history!;
    const parent = { object: ds, apiVersion: DAEMON_SET_API_VERSION, kind: DAEMON_SET_KIND };
    const listed = history.list(ds, selector);
    const all: ControllerRevision[] = [];
    for (const r of listed) {
      if (controllerRefOf(r)) {
        all.push(r);
        continue;
      }
      await this.#recheck(ds);
      all.push(await history.adopt(parent, r));
    }
    const current: ControllerRevision[] = [];
    const old: ControllerRevision[] = [];
    let maxOld = 0;
    for (const r of sortRevisions(all)) {
      if (revisionMatches(ds, r)) current.push(r);
      else {
        old.push(r);
        maxOld = Math.max(maxOld, r.revision);
      }
    }
    let cur: ControllerRevision;
    if (current.length === 0) {
      cur = await this.#snapshot(ds, maxOld + 1);
    } else {
      // dedupCurHistories: keep the newest; the others are the same template.
      cur = current[current.length - 1]!;
      for (const dup of current.slice(0, -1)) await history.delete(dup);
      if (cur.revision < maxOld + 1) cur = await history.updateRevisionNumber(cur, maxOld + 1);
    }
    return { cur, old };
  }

  /** snapshot: a new revision named SET-HASH; a name taken by another template raises collisionCount. */
  async #snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const namespace = ds.metadata.namespace ?? 'default';
    const hash = daemonTemplateHash(ds, ds.status?.collisionCount);
    const rev: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `${ds.metadata.name}-${hash}`,
        namespace,
        labels: { ...ds.spec.template.metadata?.labels, [DAEMON_REVISION_LABEL]: hash },
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [newControllerRef(ds, DAEMON_SET_API_VERSION, DAEMON_SET_KIND)],
      },
      data: daemonRevisionPatch(ds),
      revision,
    };
    try {
      return await this.#revClient.create(namespace, rev);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.#revClient.get(namespace, rev.metadata.name ?? '');
      if (revisionMatches(ds, existing)) return existing;
      // A hash collision: count it in the status so the next hash differs, and retry.
      const fresh = await this.#dsClient.get(namespace, ds.metadata.name ?? '');
      const status: DaemonSetStatus = { ...emptyStatus(), ...fresh.status, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
      await this.#dsClient.updateStatus(namespace, { ...fresh, status });
      throw new Error(`found a hash collision for DaemonSet ${keyOf(ds)} - bumping collisionCount to ${status.collisionCount} to resolve it`);
    }
  }

  /** cleanupHistory: old revisions no pod uses, oldest first, beyond revisionHistoryLimit. */
  async #cleanupHistory(ds: DaemonSet, selector: LabelSelectorExpr, old: ControllerRevision[]): Promise<void> {
    const limit = ds.spec.revisionHistoryLimit ?? 10;
    let toKill = old.length - limit;
    if (toKill <= 0) return;
    const live = new Set<string>();
    for (const p of await this.#claimPods(ds, selector)) {
      const h = p.metadata.labels?.[DAEMON_REVISION_LABEL];
      if (h) live.add(h);
    }
    for (const r of sortRevisions(old)) {
      if (toKill <= 0) break;
      if (live.has(r.metadata.labels?.[DAEMON_REVISION_LABEL] ?? '')) continue;
      await this.#history!.delete(r);
      toKill--;
    }
  }

  /** updateDaemonSetStatus + storeDaemonSetStatus: write only what changed, retrying conflicts. */
  async #writeStatus(ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string, observe: boolean): Promise<void> {
    const counts = computeStatus(ds, nodes, groupByNode(pods), hash, this.#now());
    const s = ds.status;
    const gen = ds.metadata.generation ?? 0;
    const same = s !== undefined && s.desiredNumberScheduled === counts.desiredNumberScheduled
      && s.currentNumberScheduled === counts.currentNumberScheduled && s.numberMisscheduled === counts.numberMisscheduled
      && s.numberReady === counts.numberReady && (s.updatedNumberScheduled ?? 0) === counts.updatedNumberScheduled
      && (s.numberAvailable ?? 0) === counts.numberAvailable && (s.numberUnavailable ?? 0) === counts.numberUnavailable
      && (s.observedGeneration ?? 0) >= gen;
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) this.#queue.addAfter(keyOf(ds), minReady * 1000);
    if (same) return;
    let current = ds;
    for (let attempt = 0; ; attempt++) {
      const status: DaemonSetStatus = { ...current.status, ...counts };
      if (observe) status.observedGeneration = gen;
      try {
        await this.#dsClient.updateStatus(current.metadata.namespace, { ...current, status });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (attempt >= 4 || !isConflict(err)) throw err;
        current = await this.#dsClient.get(ds.metadata.namespace, ds.metadata.name ?? '');
      }
    }
  }
}

function emptyStatus(): DaemonSetStatus {
  return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
}

/** A node change that can move a daemon pod: labels, taints, or other spec. */
function nodeChanged(a: Node, b: Node): boolean {
  return JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {})
    || JSON.stringify(a.spec ?? {}) !== JSON.stringify(b.spec ?? {});
}

function selectorOf(ds: DaemonSet): LabelSelectorExpr | undefined {
  try {
    return labelSelectorFromMeta(ds.spec.selector);
  } catch {
    return undefined;
  }
}

function objectRef(ds: DaemonSet): ObjectReference {
  return objectReference(ds, DAEMON_SET_API_VERSION, DAEMON_SET_KIND);
}

