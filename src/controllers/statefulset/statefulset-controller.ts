// The StatefulSet controller (pkg/controller/statefulset/stateful_set.go, stateful_set_control.go
// UpdateStatefulSet/getStatefulSetRevisions/truncateHistory, stateful_set_status_updater.go).
// Shared informers on StatefulSets, pods, ControllerRevisions and claims feed a rate-limited queue
// of ns/name keys. sync(key) adopts orphan revisions, claims the set's pods (members by name and
// selector), finds or makes the current and update revisions, runs one pass of the control loop,
// writes the status and trims the history to revisionHistoryLimit. Like upstream it keeps no
// expectations: a create the informer has not shown yet fails as AlreadyExists and the key is
// retried.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../api/types/apps-v1.ts';
import type { PersistentVolumeClaim, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import {
  ControllerHistory, equalRevision, findEqualRevisions, nextRevision, revisionsToTruncate, sortRevisions,
} from '../history/controller-history.ts';
import { controllerRefOf, ControllerRefManager } from '../util/controller-ref.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import { isPodReady } from '../util/pod-status.ts';
import { updateStatefulSet } from './stateful-set-control.ts';
import { StatefulPodControl } from './stateful-pod-control.ts';
import {
  completeRollingUpdate, inconsistentStatus, isMemberOf, newRevision, podRevision, replicasOf, STATEFUL_SET_API_VERSION, STATEFUL_SET_KIND,
} from './stateful-set-utils.ts';
import { asError, keyOf } from '../util/object-keys.ts';

const res = (group: string, version: string, resource: string): { group: string; version: string; resource: string; namespaced: boolean } => ({ group, version, resource, namespaced: true });

export interface StatefulSetControllerOptions {
  /** Concurrent syncs (upstream's --concurrent-statefulset-syncs, default 5). */
  workers?: number;
}

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #workers: number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 1000_000 });
  readonly #recorder: EventRecorder;
  readonly #setClient: ResourceClient<StatefulSet>;
  readonly #podClient: ResourceClient<Pod>;
  #setInformer: Informer<StatefulSet> | undefined;
  #setIndex: NamespaceIndex<StatefulSet> | undefined;
  #podIndex: NamespaceIndex<Pod> | undefined;
  #history: ControllerHistory | undefined;
  #podControl: StatefulPodControl | undefined;

  constructor(cs: Clientset, log: Logger, options: StatefulSetControllerOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#workers = options.workers ?? 5;
    this.#recorder = new EventRecorder({ clientset: cs, component: 'statefulset-controller', host: hostname(), log: this.#log });
    this.#setClient = cs.resource<StatefulSet>('apps/v1', 'statefulsets');
    this.#podClient = cs.resource<Pod>('v1', 'pods');
  }

  async run(signal: AbortSignal): Promise<void> {
    const setInformer = this.#cs.informer<StatefulSet>(res('apps', 'v1', 'statefulsets'));
    const podInformer = this.#cs.informer<Pod>(res('', 'v1', 'pods'));
    const revInformer = this.#cs.informer<ControllerRevision>(res('apps', 'v1', 'controllerrevisions'));
    const claimInformer = this.#cs.informer<PersistentVolumeClaim>(res('', 'v1', 'persistentvolumeclaims'));
    this.#setInformer = setInformer;
    this.#setIndex = new NamespaceIndex(setInformer);
    this.#podIndex = new NamespaceIndex(podInformer);
    const revIndex = new NamespaceIndex(revInformer);
    this.#history = new ControllerHistory(this.#cs.resource<ControllerRevision>('apps/v1', 'controllerrevisions'), (ns) => revIndex.list(ns));
    this.#podControl = new StatefulPodControl({
      pods: this.#podClient,
      claims: this.#cs.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims'),
      getClaim: (ns, name) => claimInformer.get(`${ns}/${name}`),
      recorder: this.#recorder,
    });
    setInformer.addHandlers({
      add: (s) => this.#enqueue(s),
      update: (_o, s) => this.#enqueue(s),
      delete: (s) => this.#enqueue(s),
    });
    podInformer.addHandlers({
      add: (p) => this.#podAdded(p),
      update: (o, p) => this.#podUpdated(o, p),
      delete: (p) => this.#podDeleted(p),
    });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([setInformer, podInformer, revInformer, claimInformer].map((i) => i.waitForSync(signal)));
    } catch {
      await recorder;
      return;
    }
    await runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal);
    await recorder;
  }

  #enqueue(set: StatefulSet): void {
    this.#queue.add(keyOf(set));
  }

  #resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): StatefulSet | undefined {
    if (!ref || ref.kind !== STATEFUL_SET_KIND) return undefined;
    const set = this.#setInformer?.get(`${namespace}/${ref.name}`);
    return set?.metadata.uid === ref.uid ? set : undefined;
  }

  /** getPodStatefulSets: the sets whose selector matches an orphan pod. */
  #selecting(pod: Pod): StatefulSet[] {
    return (this.#setIndex?.list(pod.metadata.namespace ?? '') ?? []).filter((s) => {
      const sel = selectorOf(s);
      return sel !== undefined && matchesLabels(sel, pod.metadata.labels);
    });
  }

  #podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.#podDeleted(pod);
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const set = this.#resolve(pod.metadata.namespace, ref);
      if (set) this.#enqueue(set);
      return;
    }
    for (const s of this.#selecting(pod)) this.#enqueue(s);
  }

  #podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const set = this.#resolve(old.metadata.namespace, oldRef);
      if (set) this.#enqueue(set);
    }
    if (curRef) {
      const set = this.#resolve(cur.metadata.namespace, curRef);
      if (!set) return;
      this.#enqueue(set);
      // Ready now: it becomes available after minReadySeconds; look again then.
      const minReady = set.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.#queue.addAfter(keyOf(set), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const s of this.#selecting(cur)) this.#enqueue(s);
  }

  #podDeleted(pod: Pod): void {
    const set = this.#resolve(pod.metadata.namespace, controllerRefOf(pod));
    if (set) this.#enqueue(set);
  }

  async sync(key: string): Promise<void> {
    const set = this.#setInformer?.get(key);
    if (!set) return;
    const selector = selectorOf(set);
    if (!selector) {
      this.#log.warn({ key }, 'invalid selector; not syncing');
      return;
    }
    const history = this.#history!;
    const parent = { object: set, apiVersion: STATEFUL_SET_API_VERSION, kind: STATEFUL_SET_KIND };
    const orphans = history.list(set, selector).filter((r) => !controllerRefOf(r));
    if (orphans.length > 0 && !set.metadata.deletionTimestamp) {
      await this.#recheck(set);
      for (const r of orphans) await history.adopt(parent, r);
    }
    const pods = await this.#claimPods(set, selector);
    await this.#syncStatefulSet(set, selector, pods);
  }

  /** canAdoptFunc: a fresh read must show the same set, not being deleted. */
  async #recheck(set: StatefulSet): Promise<void> {
    const fresh = await this.#setClient.get(set.metadata.namespace, set.metadata.name ?? '');
    if (fresh.metadata.uid !== set.metadata.uid) throw new Error(`original StatefulSet ${keyOf(set)} is gone: got uid ${fresh.metadata.uid}, wanted ${set.metadata.uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`StatefulSet ${keyOf(set)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }

  /** getPodsForStatefulSet: members (by name) that the selector matches, adopted or released as needed. */
  async #claimPods(set: StatefulSet, selector: LabelSelectorExpr): Promise<Pod[]> {
    const candidates = (this.#podIndex?.list(set.metadata.namespace ?? '') ?? [])
      .filter((p) => isMemberOf(set, p) || controllerRefOf(p)?.uid === set.metadata.uid);
    const claim = await new ControllerRefManager<Pod>({
      owner: set, apiVersion: STATEFUL_SET_API_VERSION, kind: STATEFUL_SET_KIND, selector, client: this.#podClient,
      canAdopt: () => this.#recheck(set),
    }).claim(candidates);
    if (claim.errors.length > 0) throw asError(claim.errors[0]);
    // Pods owned but not named as members are not this set's replicas.
    return claim.claimed.filter((p) => isMemberOf(set, p));
  }

  async #syncStatefulSet(set: StatefulSet, selector: LabelSelectorExpr, pods: Pod[]): Promise<void> {
    const history = this.#history!;
    const revisions = sortRevisions(history.list(set, selector));
    let current: ControllerRevision | undefined;
    let update: ControllerRevision | undefined;
    let failure: unknown;
    let status: StatefulSetStatus | undefined;
    try {
      const r = await this.#revisions(set, revisions);
      current = r.current;
      update = r.update;
      const result = await updateStatefulSet({
        set, currentRevision: r.current, updateRevision: r.update, collisionCount: r.collisionCount, pods, ops: this.#podControl!, now: Date.now(),
      });
      status = result.status;
      failure = result.error;
      try {
        await this.#writeStatus(set, status);
      } catch (err) {
        failure ??= err;
      }
    } catch (err) {
      failure = err;
    }
    try {
      await this.#truncateHistory(set, pods, revisions, current, update);
    } catch (err) {
      failure ??= err;
    }
    if (failure !== undefined) throw asError(failure);
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady > 0 && status && status.availableReplicas !== replicasOf(set)) this.#queue.addAfter(keyOf(set), minReady * 1000);
  }

  /**
   * getStatefulSetRevisions: the update revision is the set as it is now — the newest revision if
   * it is equal, an older equal one renumbered to the front (a rollback), or a new one; the current
   * revision is the one status names, or the update revision when there is none yet.
   */
  async #revisions(set: StatefulSet, sorted: ControllerRevision[]): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    const history = this.#history!;
    let collisionCount = set.status?.collisionCount ?? 0;
    let update = newRevision(set, nextRevision(sorted), collisionCount);
    const equal = findEqualRevisions(sorted, update);
    const last = sorted[sorted.length - 1];
    const lastEqual = equal[equal.length - 1];
    if (lastEqual && equalRevision(last, lastEqual)) {
      update = last!;
    } else if (lastEqual) {
      update = await history.updateRevisionNumber(lastEqual, update.revision);
    } else {
      const created = await history.create(set, update, collisionCount);
      update = created.revision;
      collisionCount = created.collisionCount;
    }
    const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** truncateHistory: the oldest revisions no pod and neither status revision uses, beyond the limit. */
  async #truncateHistory(set: StatefulSet, pods: Pod[], sorted: ControllerRevision[], current: ControllerRevision | undefined, update: ControllerRevision | undefined): Promise<void> {
    const live = new Set<string>();
    if (current?.metadata.name) live.add(current.metadata.name);
    if (update?.metadata.name) live.add(update.metadata.name);
    for (const p of pods) live.add(podRevision(p));
    for (const r of revisionsToTruncate(sorted, live, set.spec.revisionHistoryLimit ?? 10)) await this.#history!.delete(r);
  }

  /** updateStatefulSetStatus: complete a finished rolling update, then write if anything changed, retrying conflicts. */
  async #writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return;
    let current = set;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#setClient.updateStatus(current.metadata.namespace, { ...current, status });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (attempt >= 4 || !isConflict(err)) throw err;
        current = await this.#setClient.get(set.metadata.namespace, set.metadata.name ?? '');
      }
    }
  }
}

function selectorOf(set: StatefulSet): LabelSelectorExpr | undefined {
  try {
    return labelSelectorFromMeta(set.spec.selector);
  } catch {
    return undefined;
  }
}

