// The Job controller (pkg/controller/job/job_controller.go): runs a Job's pods until enough of them
// succeed, or the Job fails (backoffLimit, podFailurePolicy, activeDeadlineSeconds, failed
// indexes). Every pod it creates carries the batch.kubernetes.io/job-tracking finalizer, so a pod
// that finishes (or is deleted early) stays until the controller has counted it: its uid goes into
// status.uncountedTerminatedPods first, the status is written, then the finalizer is removed and the
// uid moves into the succeeded/failed counters. Terminal conditions come in two steps as upstream
// (FailureTarget/SuccessCriteriaMet first, Failed/Complete once no pod is left terminating).
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isConflict, isNotFound, isStatusError } from '../../api/errors.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import { JOB_TRACKING_FINALIZER, type Job, type JobCondition } from '../../api/types/batch-v1.ts';
import type { ObjectReference, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { compareForDeletion } from '../util/active-pods.ts';
import { controllerRefOf, ControllerRefManager, newControllerRef } from '../util/controller-ref.ts';
import { ControllerExpectations } from '../util/expectations.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import { isPodActive, isPodReady, isPodTerminating } from '../util/pod-status.ts';
import { slowStartBatch } from '../util/slow-start.ts';
import { nextBackoffRecord, podFinishedTime, remainingBackoff, type BackoffRecord } from './backoff.ts';
import {
  completionIndexOf, duplicateIndexPods, firstPendingIndexes, formatIndexes, hasIndex, indexFailureCount, indexIgnoredFailureCount,
  parseIndexes, totalIndexes, withIndexes, type Interval,
} from './indexes.ts';
import {
  ensureCondition, findCondition, hasBackoffLimitPerIndex, hasTrackingFinalizer, isIndexedJob, isJobFinished, isPodFailed,
  jobPodFromTemplate, jobSuspended, newCondition, onlyReplaceFailedPods, pastBackoffLimitOnFailure, rfc3339,
} from './job-util.ts';
import { matchPodFailurePolicy } from './pod-failure-policy.ts';
import { asError, keyOf, objectReference } from '../util/object-keys.ts';

const PODS = { group: '', version: 'v1', resource: 'pods', namespaced: true };
const JOBS = { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true };
/** Upstream's MaxUncountedPods: keeps status.uncountedTerminatedPods small. */
const MAX_UNCOUNTED_PODS = 500;
/** Upstream's MaxPodCreateDeletePerSync. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** Upstream's syncJobBatchPeriod: pod events of one Job are folded into one sync. */
const SYNC_BATCH_MS = 1000;
/** The managedBy value that means this controller. */
const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobControllerOptions {
  /** Concurrent syncs (upstream's --concurrent-job-syncs, default 5). */
  workers?: number;
  now?: () => number;
  /** Folds pod events into one sync per this many ms (tests may set 0). */
  syncBatchMs?: number;
}

/** What one sync knows (upstream's syncJobCtx). */
interface SyncCtx {
  job: Job;
  key: string;
  pods: Pod[];
  activePods: Pod[];
  succeeded: number;
  failed: number;
  ready: number;
  terminating: number;
  finished: JobCondition | undefined;
  prevSucceededIndexes: Interval[];
  succeededIndexes: Interval[];
  failedIndexes: Interval[] | undefined;
  newBackoff: BackoffRecord;
  expectedRmFinalizers: Set<string>;
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  /** backoffLimitPerIndex: the failed pod of each index whose removal waits for its replacement. */
  delayedDeletion: Map<number, Pod>;
}

export class JobController implements Controller {
  readonly name = 'job';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #workers: number;
  readonly #now: () => number;
  readonly #batchMs: number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 1000, maxDelayMs: 60_000 });
  readonly #orphanQueue = new WorkQueue<string>({ baseDelayMs: 1000, maxDelayMs: 60_000 });
  readonly expectations = new ControllerExpectations();
  /** Pod uids per Job whose finalizer removal was sent but not yet seen (uidTrackingExpectations). */
  readonly #finalizerExpectations = new Map<string, Set<string>>();
  readonly #backoff = new Map<string, BackoffRecord>();
  readonly #recorder: EventRecorder;
  readonly #jobClient: ResourceClient<Job>;
  readonly #podClient: ResourceClient<Pod>;
  #jobInformer: Informer<Job> | undefined;
  #podInformer: Informer<Pod> | undefined;
  #jobIndex: NamespaceIndex<Job> | undefined;
  #podIndex: NamespaceIndex<Pod> | undefined;

  constructor(cs: Clientset, log: Logger, options: JobControllerOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#workers = options.workers ?? 5;
    this.#now = options.now ?? Date.now;
    this.#batchMs = options.syncBatchMs ?? SYNC_BATCH_MS;
    this.#recorder = new EventRecorder({ clientset: cs, component: 'job-controller', host: hostname(), log: this.#log });
    this.#jobClient = cs.resource<Job>('batch/v1', 'jobs');
    this.#podClient = cs.resource<Pod>('v1', 'pods');
  }

  async run(signal: AbortSignal): Promise<void> {
    const jobInformer = this.#cs.informer<Job>(JOBS);
    const podInformer = this.#cs.informer<Pod>(PODS);
    this.#jobInformer = jobInformer;
    this.#podInformer = podInformer;
    this.#jobIndex = new NamespaceIndex(jobInformer);
    this.#podIndex = new NamespaceIndex(podInformer);
    jobInformer.addHandlers({
      add: (job) => this.#queue.add(keyOf(job)),
      update: (old, job) => this.#jobUpdated(old, job),
      delete: (job) => this.#jobDeleted(job),
    });
    podInformer.addHandlers({
      add: (pod) => this.#podAdded(pod),
      update: (old, pod) => this.#podUpdated(old, pod),
      delete: (pod) => this.#podDeleted(pod, true),
    });
    signal.addEventListener('abort', () => this.#orphanQueue.shutDown(), { once: true });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([jobInformer.waitForSync(signal), podInformer.waitForSync(signal)]);
    } catch {
      await recorder;
      return;
    }
    await Promise.all([
      runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal),
      runWorkers(`${this.name}-orphan`, this.#orphanQueue, 1, (key) => this.#syncOrphanPod(key), this.#log, signal),
    ]);
    await recorder;
  }

  // ---- event handlers -------------------------------------------------------------------------

  #enqueueBatched(job: Job): void {
    this.#queue.addAfter(keyOf(job), this.#batchMs);
  }

  #jobUpdated(old: Job, cur: Job): void {
    const key = keyOf(cur);
    this.#queue.add(key);
    // A changed deadline moves the time the Job must be looked at again.
    const ads = cur.spec?.activeDeadlineSeconds;
    if (ads !== undefined && ads !== old.spec?.activeDeadlineSeconds && cur.status?.startTime && !isJobFinished(cur)) {
      const left = Date.parse(cur.status.startTime) + ads * 1000 - this.#now();
      this.#queue.addAfter(key, Math.max(0, left));
    }
  }

  #jobDeleted(job: Job): void {
    const key = keyOf(job);
    this.expectations.delete(key);
    this.#finalizerExpectations.delete(key);
    this.#backoff.delete(key);
    // Its pods may still hold the finalizer: nobody else would ever take it off.
    for (const pod of this.#podIndex?.list(job.metadata.namespace ?? '') ?? []) {
      if (controllerRefOf(pod)?.uid === job.metadata.uid && hasTrackingFinalizer(pod)) this.#orphanQueue.add(keyOf(pod));
    }
  }

  #resolve(namespace: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): Job | undefined {
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = this.#jobInformer?.get(`${namespace}/${ref.name}`);
    return job?.metadata.uid === ref.uid ? job : undefined;
  }

  #selecting(pod: Pod): Job[] {
    return (this.#jobIndex?.list(pod.metadata.namespace ?? '') ?? []).filter((j) => {
      const sel = selectorOf(j);
      return sel !== undefined && matchesLabels(sel, pod.metadata.labels);
    });
  }

  #podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.#podDeleted(pod, false);
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const job = this.#resolve(pod.metadata.namespace, ref);
      if (!job) {
        if (hasTrackingFinalizer(pod)) this.#orphanQueue.add(keyOf(pod));
        return;
      }
      this.expectations.creationObserved(keyOf(job));
      this.#enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(pod)) this.#orphanQueue.add(keyOf(pod));
    for (const job of this.#selecting(pod)) this.#enqueueBatched(job);
  }

  #podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      this.#podDeleted(cur, false);
      return;
    }
    const finalizerRemoved = !hasTrackingFinalizer(cur);
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const job = this.#resolve(old.metadata.namespace, oldRef);
      if (job) {
        if (finalizerRemoved) this.#finalizerRemovalObserved(keyOf(job), cur.metadata.uid ?? '');
        this.#enqueueBatched(job);
      }
    }
    if (curRef) {
      const job = this.#resolve(cur.metadata.namespace, curRef);
      if (!job) {
        if (hasTrackingFinalizer(cur)) this.#orphanQueue.add(keyOf(cur));
        return;
      }
      if (finalizerRemoved) this.#finalizerRemovalObserved(keyOf(job), cur.metadata.uid ?? '');
      this.#enqueueBatched(job);
      return;
    }
    if (hasTrackingFinalizer(cur)) this.#orphanQueue.add(keyOf(cur));
    if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {}) || oldRef) {
      for (const job of this.#selecting(cur)) this.#enqueueBatched(job);
    }
  }

  /** `final`: the pod is gone from the API (not merely being deleted). */
  #podDeleted(pod: Pod, final: boolean): void {
    const ref = controllerRefOf(pod);
    const job = this.#resolve(pod.metadata.namespace, ref);
    if (!job) {
      if (hasTrackingFinalizer(pod) && !final) this.#orphanQueue.add(keyOf(pod));
      return;
    }
    const key = keyOf(job);
    this.expectations.deletionObserved(key, keyOf(pod));
    if (final || !hasTrackingFinalizer(pod)) this.#finalizerRemovalObserved(key, pod.metadata.uid ?? '');
    // A pod going away may free a slot now: no batching delay for it (upstream syncs at once too
    // when the pod is finished or gone).
    this.#queue.add(key);
  }

  #finalizerRemovalObserved(key: string, uid: string): void {
    const set = this.#finalizerExpectations.get(key);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.#finalizerExpectations.delete(key);
  }

  // ---- orphan pods ------------------------------------------------------------------------------

  /** Takes the tracking finalizer off a pod no unfinished Job owns any more (syncOrphanPod). */
  async #syncOrphanPod(key: string): Promise<void> {
    const pod = this.#podInformer?.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRefOf(pod);
    if (ref) {
      const job = this.#resolve(pod.metadata.namespace, ref);
      if (job && !isJobFinished(job)) return;
    }
    await this.#removeFinalizer(pod);
  }

  async #removeFinalizer(pod: Pod): Promise<void> {
    try {
      await this.#podClient.patch(pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', {
        metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- sync -------------------------------------------------------------------------------------

  /** Level-triggered: converge one Job's pods and status on what its spec asks (syncJob). */
  async sync(key: string): Promise<void> {
    const shared = this.#jobInformer?.get(key);
    if (!shared) {
      this.expectations.delete(key);
      this.#finalizerExpectations.delete(key);
      this.#backoff.delete(key);
      return;
    }
    // Another controller reconciles this Job (spec.managedBy).
    const managedBy = shared.spec?.managedBy;
    if (managedBy !== undefined && managedBy !== JOB_CONTROLLER_NAME) return;
    if (isJobFinished(shared)) {
      this.#backoff.delete(key);
      return;
    }
    const job = structuredClone(shared);
    const mode = job.spec?.completionMode;
    if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.#recorder.record(objectRef(job), 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    const spec = job.spec!;
    const status = (job.status ??= {});
    const uncounted = status.uncountedTerminatedPods ?? {};
    status.uncountedTerminatedPods = uncounted;
    // Expectations first: a pod that turns up after the listing below only defers the sync.
    const satisfied = this.expectations.satisfied(key);
    const pods = await this.#podsForJob(job);
    const now = this.#now();
    const activePods = pods.filter(isPodActive);
    const ctx: SyncCtx = {
      job, key, pods, activePods,
      succeeded: 0, failed: 0,
      ready: activePods.filter(isPodReady).length,
      terminating: pods.filter(isPodTerminating).length,
      finished: undefined,
      prevSucceededIndexes: [], succeededIndexes: [], failedIndexes: undefined,
      newBackoff: { failuresAfterLastSuccess: 0, lastFailureTime: undefined },
      expectedRmFinalizers: new Set(this.#finalizerExpectations.get(key) ?? []),
      uncountedSucceeded: new Set(uncounted.succeeded ?? []),
      uncountedFailed: new Set(uncounted.failed ?? []),
      delayedDeletion: new Map(),
    };
    let active = activePods.length;
    const newSucceeded = this.#validPods(ctx, ctx.uncountedSucceeded, (p) => p.status?.phase === 'Succeeded');
    const newFailed = this.#validPods(ctx, ctx.uncountedFailed, (p) => isPodFailed(p, job));
    const newFailedCounted = newFailed.filter((p) => matchPodFailurePolicy(spec.podFailurePolicy, p).countFailed).length;
    ctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + ctx.uncountedSucceeded.size;
    ctx.failed = (status.failed ?? 0) + newFailedCounted + ctx.uncountedFailed.size;
    if (!status.startTime && !jobSuspended(job)) status.startTime = rfc3339(now);
    ctx.newBackoff = nextBackoffRecord(this.#backoff.get(key), newSucceeded, newFailed);

    const successMet = findCondition(job, 'SuccessCriteriaMet');
    if (successMet?.status === 'True') ctx.finished = successMet;
    if (!ctx.finished) {
      // The policy is only looked at while the Job has not met its success criteria.
      const target = findCondition(job, 'FailureTarget');
      if (target?.status === 'True') ctx.finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
      else {
        const msg = failJobMessage(job, pods);
        if (msg !== undefined) ctx.finished = newCondition('FailureTarget', 'True', 'PodFailurePolicy', msg, now);
      }
    }
    if (!ctx.finished) {
      if (ctx.failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
        ctx.finished = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      } else if (this.#pastActiveDeadline(job, now)) {
        ctx.finished = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      } else if (spec.activeDeadlineSeconds !== undefined && !jobSuspended(job) && status.startTime) {
        this.#queue.addAfter(key, Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - now);
      }
    }
    if (isIndexedJob(job)) {
      const completions = spec.completions ?? 0;
      ctx.prevSucceededIndexes = parseIndexes(status.completedIndexes, completions);
      const fresh = pods.filter((p) => p.status?.phase === 'Succeeded' && hasTrackingFinalizer(p)).map(completionIndexOf).filter((ix) => ix >= 0 && ix < completions);
      ctx.succeededIndexes = withIndexes(ctx.prevSucceededIndexes, new Set(fresh));
      ctx.succeeded = totalIndexes(ctx.succeededIndexes);
      if (hasBackoffLimitPerIndex(job)) {
        ctx.failedIndexes = this.#failedIndexes(job, pods);
        if (!ctx.finished) {
          const nFailed = totalIndexes(ctx.failedIndexes);
          if (spec.maxFailedIndexes !== undefined && nFailed > spec.maxFailedIndexes) {
            ctx.finished = newCondition('FailureTarget', 'True', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes', now);
          } else if (nFailed > 0 && nFailed + totalIndexes(ctx.succeededIndexes) >= completions) {
            ctx.finished = newCondition('FailureTarget', 'True', 'FailedIndexes', 'Job has failed indexes', now);
          }
        }
        ctx.delayedDeletion = this.#delayedDeletionPerIndex(ctx);
      }
    }

    let suspendChanged = false;
    let manageError: unknown;
    if (ctx.finished) {
      // Failed: stop what still runs. The finalizers stay until the pods are counted below.
      const { deleted, deletedReady, error } = await this.#deleteActivePods(job, ctx.activePods);
      if (deleted !== active || !satisfied) ctx.finished = undefined;
      active -= deleted;
      ctx.terminating += deleted;
      ctx.ready -= deletedReady;
      manageError = error;
    } else {
      let managed = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        try {
          active = await this.#manageJob(ctx, now);
        } catch (err) {
          manageError = err;
          active = ctx.activePods.length;
        }
        managed = true;
      }
      const complete = spec.completions === undefined || spec.completions === null
        ? ctx.succeeded > 0 && active === 0
        : ctx.succeeded >= spec.completions && active === 0;
      if (complete) {
        ctx.finished = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      } else if (managed) {
        const ref = objectRef(job);
        const conds = status.conditions ?? [];
        if (jobSuspended(job)) {
          const [list, changed] = ensureCondition(conds, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
          status.conditions = list;
          if (changed) {
            suspendChanged = true;
            this.#recorder.record(ref, 'Normal', 'Suspended', 'Job suspended');
          }
        } else {
          const [list, changed] = ensureCondition(conds, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
          status.conditions = list;
          if (changed) {
            suspendChanged = true;
            this.#recorder.record(ref, 'Normal', 'Resumed', 'Job resumed');
            // activeDeadlineSeconds counts from the resume, as from a start.
            status.startTime = rfc3339(now);
          }
        }
      }
    }

    const needsUpdate = suspendChanged || active !== (status.active ?? 0) || ctx.ready !== (status.ready ?? undefined) || ctx.terminating !== status.terminating;
    status.active = active;
    status.ready = ctx.ready;
    status.terminating = ctx.terminating;
    await this.#trackStatusAndRemoveFinalizers(ctx, needsUpdate, now);
    if (manageError !== undefined) throw asError(manageError);
  }

  /** Pods of this Job (and matching orphans it adopts), finished ones included (getPodsForJob). */
  async #podsForJob(job: Job): Promise<Pod[]> {
    const selector = selectorOf(job);
    if (!selector) return [];
    const all = this.#podIndex?.list(job.metadata.namespace ?? '') ?? [];
    const claim = await new ControllerRefManager<Pod>({
      owner: job, apiVersion: 'batch/v1', kind: 'Job', selector, client: this.#podClient,
      canAdopt: async () => {
        const fresh = await this.#jobClient.get(job.metadata.namespace, job.metadata.name ?? '');
        if (fresh.metadata.uid !== job.metadata.uid) throw new Error(`original Job ${keyOf(job)} is gone: got uid ${fresh.metadata.uid}, wanted ${job.metadata.uid}`);
        if (fresh.metadata.deletionTimestamp) throw new Error(`Job ${keyOf(job)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
    }).claim(all.filter((p) => !p.metadata.deletionTimestamp || hasTrackingFinalizer(p) || controllerRefOf(p)?.uid === job.metadata.uid));
    if (claim.errors.length > 0) throw asError(claim.errors[0]);
    return claim.claimed;
  }

  /** Pods not yet counted: with the finalizer, not awaiting its removal, valid index (getValidPodsWithFilter). */
  #validPods(ctx: SyncCtx, uncounted: Set<string> | undefined, filter: (p: Pod) => boolean): Pod[] {
    const completions = ctx.job.spec?.completions ?? 0;
    return ctx.pods.filter((p) => {
      const uid = p.metadata.uid ?? '';
      if (!hasTrackingFinalizer(p) || uncounted?.has(uid) || ctx.expectedRmFinalizers.has(uid)) return false;
      if (isIndexedJob(ctx.job)) {
        const ix = completionIndexOf(p);
        if (ix < 0 || ix >= completions) return false;
      }
      return filter(p);
    });
  }

  #pastActiveDeadline(job: Job, now: number): boolean {
    const ads = job.spec?.activeDeadlineSeconds;
    if (ads === undefined || ads === null || !job.status?.startTime || jobSuspended(job)) return false;
    return now - Date.parse(job.status.startTime) >= ads * 1000;
  }

  /** Indexes that used up backoffLimitPerIndex or met a FailIndex rule (calculateFailedIndexes). */
  #failedIndexes(job: Job, pods: readonly Pod[]): Interval[] {
    const completions = job.spec?.completions ?? 0;
    const prev = parseIndexes(job.status?.failedIndexes, completions);
    const fresh = new Set<number>();
    for (const p of pods) {
      const ix = completionIndexOf(p);
      if (ix < 0 || ix >= completions || !hasTrackingFinalizer(p) || !isPodFailed(p, job)) continue;
      const m = matchPodFailurePolicy(job.spec?.podFailurePolicy, p);
      if (m.action === 'FailIndex' || (m.countFailed && indexFailureCount(p) >= (job.spec?.backoffLimitPerIndex ?? 0))) fresh.add(ix);
    }
    return withIndexes(prev, fresh);
  }

  /** Per index, the latest failed pod whose deletion waits for its replacement (getPodsWithDelayedDeletionPerIndex). */
  #delayedDeletionPerIndex(ctx: SyncCtx): Map<number, Pod> {
    const activeIx = new Set(ctx.activePods.map(completionIndexOf));
    const out = new Map<number, Pod>();
    for (const p of this.#validPods(ctx, undefined, (q) => isPodFailed(q, ctx.job))) {
      const ix = completionIndexOf(p);
      if (hasIndex(ctx.succeededIndexes, ix) || hasIndex(ctx.failedIndexes ?? [], ix) || activeIx.has(ix)) continue;
      const last = out.get(ix);
      const abs = (q: Pod): number => indexFailureCount(q) + indexIgnoredFailureCount(q);
      if (!last || (abs(last) <= abs(p) && podFinishedTime(p) >= podFinishedTime(last))) out.set(ix, p);
    }
    return out;
  }

  /** Creates or deletes pods so the right number run; returns the new active count (manageJob). */
  async #manageJob(ctx: SyncCtx, now: number): Promise<number> {
    const { job, key } = ctx;
    const spec = job.spec!;
    const active = ctx.activePods.length;
    const parallelism = spec.parallelism ?? 1;
    if (jobSuspended(job)) {
      const victims = this.#activePodsForRemoval(job, ctx.activePods, active);
      const r = await this.#deleteJobPods(job, key, victims);
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      if (r.error !== undefined) throw asError(r.error);
      return active - r.deleted;
    }
    let wantActive: number;
    if (spec.completions === undefined || spec.completions === null) {
      // Any one success finishes the Job: after it, let what runs finish, start nothing new.
      wantActive = ctx.succeeded > 0 ? active : parallelism;
    } else {
      wantActive = Math.max(0, Math.min(spec.completions - ctx.succeeded, parallelism));
    }
    const rmAtLeast = Math.max(0, active - wantActive);
    const victims = this.#activePodsForRemoval(job, ctx.activePods, rmAtLeast).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (victims.length > 0) {
      // Deletions and creations never share a sync; deletions first.
      const r = await this.#deleteJobPods(job, key, victims);
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      if (r.error !== undefined) throw asError(r.error);
      return active - r.deleted;
    }
    const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return active;
    if (!hasBackoffLimitPerIndex(job)) {
      const wait = remainingBackoff(ctx.newBackoff.failuresAfterLastSuccess, ctx.newBackoff.lastFailureTime, now);
      if (wait > 0) {
        this.#queue.addAfter(key, wait);
        return active;
      }
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] | undefined;
    if (isIndexedJob(job)) {
      const completions = spec.completions ?? 0;
      let taken = withIndexes(ctx.succeededIndexes, ctx.activePods.map(completionIndexOf).filter((i) => i >= 0));
      if (onlyReplaceFailedPods(job)) taken = withIndexes(taken, ctx.pods.filter(isPodTerminating).map(completionIndexOf).filter((i) => i >= 0));
      if (ctx.failedIndexes) taken = withIndexes(taken, expand(ctx.failedIndexes));
      indexes = firstPendingIndexes(taken, diff, completions);
      if (hasBackoffLimitPerIndex(job)) {
        const ready: number[] = [];
        let minWait: number | undefined;
        for (const ix of indexes) {
          const last = ctx.delayedDeletion.get(ix);
          const wait = last ? remainingBackoff(indexFailureCount(last) + indexIgnoredFailureCount(last) + 1, podFinishedTime(last), now) : 0;
          if (wait === 0) ready.push(ix);
          else minWait = minWait === undefined ? wait : Math.min(minWait, wait);
        }
        if (ready.length === 0 && minWait !== undefined) {
          this.#queue.addAfter(key, minWait);
          return active;
        }
        indexes = ready;
      }
      diff = indexes.length;
      if (diff === 0) return active;
    }
    this.expectations.expectCreations(key, diff);
    const ownerRef = newControllerRef(job, 'batch/v1', 'Job');
    const ref = objectRef(job);
    const namespace = job.metadata.namespace ?? 'default';
    const { successes, error } = await slowStartBatch(diff, 1, async (i) => {
      const index = indexes?.[i];
      let replacing: { failureCount: number; ignoredFailureCount: number } | undefined;
      if (index !== undefined && hasBackoffLimitPerIndex(job)) {
        const last = ctx.delayedDeletion.get(index);
        if (last) {
          const counted = matchPodFailurePolicy(spec.podFailurePolicy, last).countFailed;
          replacing = { failureCount: indexFailureCount(last) + (counted ? 1 : 0), ignoredFailureCount: indexIgnoredFailureCount(last) + (counted ? 0 : 1) };
        }
      }
      try {
        const pod = jobPodFromTemplate(job, ownerRef, { ...(index !== undefined ? { index } : {}), replacing });
        const created = await this.#podClient.create(namespace, pod);
        this.#recorder.record(ref, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        // A terminating namespace refuses every create; nothing to report or retry then.
        if (isStatusError(err) && /because it is being terminated/.test(err.message)) return;
        this.#recorder.record(ref, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
    if (error !== undefined) throw asError(error);
    return active + successes;
  }

  /**
   * Pods to delete: for Indexed Jobs those with a bad or repeated index first, then the cheapest
   * to lose, at least `rmAtLeast` in all (activePodsForRemoval).
   */
  #activePodsForRemoval(job: Job, pods: readonly Pod[], rmAtLeast: number): Pod[] {
    const now = this.#now();
    const order = (a: Pod, b: Pod): number => compareForDeletion({ pod: a, rank: 0 }, { pod: b, rank: 0 }, now);
    let rm: Pod[] = [];
    let left: Pod[] = [...pods];
    if (isIndexedJob(job)) [rm, left] = duplicateIndexPods(pods, job.spec?.completions ?? 0, order);
    if (rm.length < rmAtLeast) {
      left.sort(order);
      rm = [...rm, ...left.slice(0, rmAtLeast - rm.length)];
    }
    return rm;
  }

  /** Deletes pods the Job no longer wants, finalizer first, so they are not counted (deleteJobPods). */
  async #deleteJobPods(job: Job, key: string, pods: readonly Pod[]): Promise<{ deleted: number; deletedReady: number; error: unknown }> {
    if (pods.length === 0) return { deleted: 0, deletedReady: 0, error: undefined };
    const keys = pods.map(keyOf);
    this.expectations.expectDeletions(key, keys);
    let deleted = 0;
    let deletedReady = 0;
    let error: unknown;
    const ref = objectRef(job);
    await Promise.all(pods.map(async (p, i) => {
      try {
        if (hasTrackingFinalizer(p)) await this.#removeFinalizer(p);
        await this.#podClient.delete(p.metadata.namespace, p.metadata.name ?? '');
        this.#recorder.record(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        deleted++;
        if (isPodReady(p)) deletedReady++;
      } catch (err) {
        this.expectations.deletionObserved(key, keys[i]);
        if (isNotFound(err)) {
          deleted++;
          return;
        }
        this.#recorder.record(ref, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
        error ??= err;
      }
    }));
    return { deleted, deletedReady, error };
  }

  /** Deletes what still runs of a finished Job, finalizers kept (deleteActivePods). */
  async #deleteActivePods(job: Job, pods: readonly Pod[]): Promise<{ deleted: number; deletedReady: number; error: unknown }> {
    let deleted = 0;
    let deletedReady = 0;
    let error: unknown;
    const ref = objectRef(job);
    await Promise.all(pods.map(async (p) => {
      try {
        await this.#podClient.delete(p.metadata.namespace, p.metadata.name ?? '');
        this.#recorder.record(ref, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (err) {
        if (!isNotFound(err)) {
          this.#recorder.record(ref, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          error ??= err;
          return;
        }
      }
      deleted++;
      if (isPodReady(p)) deletedReady++;
    }));
    return { deleted, deletedReady, error };
  }

  /**
   * The counting protocol (trackJobStatusAndRemoveFinalizers): finished pods' uids go into
   * uncountedTerminatedPods and the status is written; then their finalizers come off; then the
   * uids move into the counters. Terminal conditions are written once nothing is uncounted and
   * nothing is terminating.
   */
  async #trackStatusAndRemoveFinalizers(ctx: SyncCtx, needsFlushIn: boolean, now: number): Promise<void> {
    let needsFlush = needsFlushIn;
    const job = ctx.job;
    const status = job.status!;
    const uncounted = status.uncountedTerminatedPods!;
    uncounted.succeeded ??= [];
    uncounted.failed ??= [];
    const indexed = isIndexedJob(job);
    const completions = job.spec?.completions ?? 0;
    const pods = indexed ? [...ctx.pods].sort((a, b) => completionIndexOf(a) - completionIndexOf(b)) : ctx.pods;
    const withFinalizer = new Set<string>();
    for (const p of pods) if (hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(p.metadata.uid ?? '')) withFinalizer.add(p.metadata.uid ?? '');
    if (cleanUncounted(status, withFinalizer)) needsFlush = true;
    const toRemove: Pod[] = [];
    const newSucceededIndexes: number[] = [];
    let reachedMax = false;
    for (const pod of pods) {
      const uid = pod.metadata.uid ?? '';
      if (!hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue;
      const failed = isPodFailed(pod, job);
      if (!this.#canRemoveFinalizer(ctx, pod, failed)) continue;
      toRemove.push(pod);
      if (pod.status?.phase === 'Succeeded' && !ctx.uncountedFailed.has(uid)) {
        if (indexed) {
          const ix = completionIndexOf(pod);
          if (ix >= 0 && ix < completions && !hasIndex(ctx.prevSucceededIndexes, ix)) {
            newSucceededIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!ctx.uncountedSucceeded.has(uid)) {
          uncounted.succeeded.push(uid);
          needsFlush = true;
        }
      } else if (failed || (ctx.finished && ctx.finished.type !== 'SuccessCriteriaMet')) {
        // Once the Job is finished, every pod not terminated counts as failed.
        const ix = completionIndexOf(pod);
        if (!ctx.uncountedFailed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) {
          if (matchPodFailurePolicy(job.spec?.podFailurePolicy, pod).countFailed) {
            uncounted.failed.push(uid);
            needsFlush = true;
          }
        }
      }
      if (newSucceededIndexes.length + uncounted.succeeded.length + uncounted.failed.length >= MAX_UNCOUNTED_PODS) {
        reachedMax = true;
        break;
      }
    }
    if (indexed) {
      ctx.succeededIndexes = withIndexes(ctx.succeededIndexes, newSucceededIndexes);
      const s = formatIndexes(ctx.succeededIndexes);
      if (s !== (status.completedIndexes ?? '')) needsFlush = true;
      status.succeeded = totalIndexes(ctx.succeededIndexes);
      status.completedIndexes = s;
      const f = ctx.failedIndexes ? formatIndexes(ctx.failedIndexes) : undefined;
      if (f !== status.failedIndexes) {
        if (f === undefined) delete status.failedIndexes;
        else status.failedIndexes = f;
        needsFlush = true;
      }
    }
    if (ctx.finished?.type === 'FailureTarget') {
      // The interim condition is written before the finalizers come off; Failed follows.
      status.conditions = [...(status.conditions ?? []), ctx.finished];
      needsFlush = true;
      ctx.finished = newCondition('Failed', 'True', ctx.finished.reason ?? '', ctx.finished.message ?? '', now);
    }
    if (ctx.finished?.type === 'SuccessCriteriaMet') {
      if (findCondition(job, 'SuccessCriteriaMet')?.status !== 'True') {
        status.conditions = [...(status.conditions ?? []), ctx.finished];
        needsFlush = true;
      }
      ctx.finished = newCondition('Complete', 'True', ctx.finished.reason ?? '', ctx.finished.message ?? '', now);
    }
    if (needsFlush) {
      await this.#updateStatus(ctx);
      this.#backoff.set(ctx.key, ctx.newBackoff);
      needsFlush = false;
    }
    let rmError: unknown;
    if (toRemove.length > 0) {
      const expected = this.#finalizerExpectations.get(ctx.key) ?? new Set<string>();
      for (const p of toRemove) expected.add(p.metadata.uid ?? '');
      this.#finalizerExpectations.set(ctx.key, expected);
      await Promise.all(toRemove.map(async (p) => {
        try {
          await this.#removeFinalizer(p);
          withFinalizer.delete(p.metadata.uid ?? '');
        } catch (err) {
          this.#finalizerRemovalObserved(ctx.key, p.metadata.uid ?? '');
          rmError ??= err;
        }
      }));
    }
    if (cleanUncounted(status, withFinalizer)) needsFlush = true;
    if (rmError !== undefined) {
      if (needsFlush) await this.#updateStatus(ctx);
      throw asError(rmError);
    }
    const finished = !reachedMax && this.#enactFinished(ctx, now);
    if (finished) needsFlush = true;
    if (needsFlush) {
      await this.#updateStatus(ctx);
      if (finished) this.#recordFinished(ctx);
    }
  }

  /** canRemoveFinalizer: the Job is ending, or the pod succeeded, or failed and not held for its index. */
  #canRemoveFinalizer(ctx: SyncCtx, pod: Pod, failed: boolean): boolean {
    if (ctx.job.metadata.deletionTimestamp || ctx.finished || pod.status?.phase === 'Succeeded') return true;
    if (!failed) return false;
    if (hasBackoffLimitPerIndex(ctx.job)) {
      const held = ctx.delayedDeletion.get(completionIndexOf(pod));
      if (held?.metadata.uid === pod.metadata.uid) return false;
    }
    return true;
  }

  /** Adds Complete or Failed once nothing is uncounted or terminating (enactJobFinished). */
  #enactFinished(ctx: SyncCtx, now: number): boolean {
    const cond = ctx.finished;
    if (!cond) return false;
    const u = ctx.job.status?.uncountedTerminatedPods;
    if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
    if (ctx.terminating > 0) return false;
    const status = ctx.job.status!;
    const [list] = ensureCondition(status.conditions ?? [], cond.type, cond.status, cond.reason ?? '', cond.message ?? '', now);
    status.conditions = list;
    if (cond.type === 'Complete') status.completionTime = list.find((c) => c.type === 'Complete')?.lastTransitionTime ?? rfc3339(now);
    return true;
  }

  #recordFinished(ctx: SyncCtx): void {
    const cond = ctx.finished!;
    const job = ctx.job;
    const ref = objectRef(job);
    if (cond.type === 'Complete') {
      const completions = job.spec?.completions;
      if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
        this.#recorder.record(ref, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      this.#recorder.record(ref, 'Normal', 'Completed', 'Job completed');
    } else {
      this.#recorder.record(ref, 'Warning', cond.reason ?? 'Failed', cond.message ?? '');
    }
  }

  /** Writes the status; the returned object's resourceVersion is used for the next write of this sync. */
  async #updateStatus(ctx: SyncCtx): Promise<void> {
    const job = ctx.job;
    const status = structuredClone(job.status ?? {});
    const u = status.uncountedTerminatedPods;
    if (u) {
      if (u.succeeded?.length === 0) delete u.succeeded;
      if (u.failed?.length === 0) delete u.failed;
    }
    try {
      const written = await this.#jobClient.updateStatus(job.metadata.namespace, { ...job, status });
      if (written.metadata.resourceVersion) job.metadata.resourceVersion = written.metadata.resourceVersion;
    } catch (err) {
      // A stale copy: the informer brings the new one and the sync runs again.
      if (isConflict(err)) this.#log.debug({ key: ctx.key }, 'job status conflict; retrying');
      throw err;
    }
  }
}

/** The message of the first FailJob rule a failed pod matches (getFailJobMessage). */
function failJobMessage(job: Job, pods: readonly Pod[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
    if (m.failJobMessage !== undefined) return m.failJobMessage;
  }
  return undefined;
}

/** Moves uncounted uids whose pods lost the finalizer into the counters (cleanUncountedPodsWithoutFinalizers). */
function cleanUncounted(status: NonNullable<Job['status']>, withFinalizer: Set<string>): boolean {
  const u = status.uncountedTerminatedPods!;
  let changed = false;
  const keepS = (u.succeeded ?? []).filter((uid) => withFinalizer.has(uid));
  if (keepS.length !== (u.succeeded ?? []).length) {
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - keepS.length;
    u.succeeded = keepS;
    changed = true;
  }
  const keepF = (u.failed ?? []).filter((uid) => withFinalizer.has(uid));
  if (keepF.length !== (u.failed ?? []).length) {
    status.failed = (status.failed ?? 0) + (u.failed ?? []).length - keepF.length;
    u.failed = keepF;
    changed = true;
  }
  return changed;
}

function expand(iv: readonly Interval[]): number[] {
  const out: number[] = [];
  for (const v of iv) for (let i = v.first; i <= v.last; i++) out.push(i);
  return out;
}

function selectorOf(job: Job): LabelSelectorExpr | undefined {
  if (!job.spec?.selector) return undefined;
  try {
    return labelSelectorFromMeta(job.spec.selector);
  } catch {
    return undefined;
  }
}

function objectRef(job: Job): ObjectReference {
  return objectReference(job, 'batch/v1', 'Job');
}

