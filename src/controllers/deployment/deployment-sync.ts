// One sync of one Deployment against the API (pkg/controller/deployment: deployment_controller.go
// syncDeployment, sync.go, rolling.go, recreate.go, progress.go). The decisions are the pure
// functions of plan.ts, status.ts and revisions.ts; this file reads the snapshot and writes the
// results: ReplicaSet creates and scales, the Deployment's status and revision annotation, events.
import { isAlreadyExists, isNotFound } from '../../api/errors.ts';
import { isEmptySelector, labelSelectorFromMeta, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import type { EventRecorder, EventType } from '../../client/event-recorder.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { controllerRefOf, newControllerRef } from '../util/controller-ref.ts';
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment, DeploymentStatus } from './deployment-types.ts';
import { planHistoryCleanup, planRollingNew, planRollingOld, planScale } from './plan.ts';
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from './pod-template-hash.ts';
import { desiredReplicasAnnotation, filterActive, findNewReplicaSet, findOldReplicaSets, replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './replica-sets.ts';
import { maxRevision, REVISION_ANNOTATION, setNewReplicaSetAnnotations } from './revisions.ts';
import { maxSurge, newRSNewReplicas, replicasOf, rsReplicas } from './rollout-math.ts';
import { deploymentComplete, getCondition, hasProgressDeadline, newCondition, pausedCondition, REASON, rolloutStatus, calculateStatus, sameStatus, setCondition, stuckRequeueAfter } from './status.ts';

export const DEPLOYMENT_API_VERSION = 'apps/v1';

/** What a sync needs from the controller around it. */
export interface SyncContext {
  deployments: ResourceClient<Deployment>;
  replicaSets: ResourceClient<ReplicaSet>;
  recorder: EventRecorder;
  /** ReplicaSets this Deployment owns after adoption and release. */
  claimReplicaSets(d: Deployment, selector: LabelSelectorExpr): Promise<ReplicaSet[]>;
  /** Pods of these ReplicaSets, by ReplicaSet uid (terminating ones included). */
  podsByReplicaSet(d: Deployment, selector: LabelSelectorExpr, rss: readonly ReplicaSet[]): Map<string, Pod[]>;
  /** Sync this Deployment again after `ms` (0: soon, rate-limited). */
  requeueAfter(ms: number): void;
  now(): number;
}

export class DeploymentSync {
  readonly #c: SyncContext;
  #d: Deployment;

  constructor(ctx: SyncContext, d: Deployment) {
    this.#c = ctx;
    this.#d = structuredClone(d);
  }

  async run(): Promise<void> {
    const d = this.#d;
    const selector = labelSelectorFromMeta(d.spec.selector);
    if (isEmptySelector(selector)) {
      this.#event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) await this.#writeStatus({ ...d.status, observedGeneration: d.metadata.generation ?? 0 });
      return;
    }
    const rsList = await this.#c.claimReplicaSets(d, selector);
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await this.#replicaSetsAndRevision(rsList, false);
      await this.#syncStatus([...oldRSs, newRS], newRS);
      return;
    }
    const paused = pausedCondition(d, this.#c.now());
    if (paused) {
      const status = structuredClone(d.status ?? {});
      setCondition(status, paused);
      await this.#writeStatus(status);
    }
    if (d.spec.paused || await this.#isScalingEvent(rsList)) {
      await this.#syncScale(rsList);
      return;
    }
    if (d.spec.strategy?.type === 'Recreate') await this.#rolloutRecreate(rsList, selector);
    else await this.#rolloutRolling(rsList);
  }

  // --- strategies -----------------------------------------------------------------------------

  async #rolloutRolling(rsList: ReplicaSet[]): Promise<void> {
    const d = this.#d;
    const { newRS, oldRSs } = await this.#replicaSetsAndRevision(rsList, true);
    const all = [...oldRSs, newRS!];
    const target = planRollingNew(d, all, newRS!);
    if (target !== undefined) {
      const updated = await this.#scale(newRS!, target);
      all[all.length - 1] = updated;
      await this.#syncRolloutStatus(all, updated);
      return;
    }
    const steps = planRollingOld(d, all, filterActive(oldRSs), newRS!);
    if (steps.length > 0) {
      for (const s of steps) {
        const updated = await this.#scale(s.rs, s.replicas);
        all[all.indexOf(s.rs)] = updated;
      }
      await this.#syncRolloutStatus(all, newRS);
      return;
    }
    if (deploymentComplete(d, d.status ?? {})) await this.#cleanupHistory(oldRSs);
    await this.#syncRolloutStatus(all, newRS);
  }

  async #rolloutRecreate(rsList: ReplicaSet[], selector: LabelSelectorExpr): Promise<void> {
    const d = this.#d;
    // No new ReplicaSet before the old pods are gone: never both at once.
    let { newRS, oldRSs } = await this.#replicaSetsAndRevision(rsList, false);
    const active = filterActive(oldRSs);
    if (active.length > 0) {
      for (const rs of active) await this.#scale(rs, 0);
      await this.#syncRolloutStatus([...oldRSs, newRS], newRS);
      return;
    }
    if (this.#oldPodsRunning(newRS, oldRSs, this.#c.podsByReplicaSet(d, selector, rsList))) {
      await this.#syncRolloutStatus([...oldRSs, newRS], newRS);
      return;
    }
    if (!newRS) ({ newRS, oldRSs } = await this.#replicaSetsAndRevision(rsList, true));
    const updated = await this.#scale(newRS!, replicasOf(d));
    if (deploymentComplete(d, d.status ?? {})) await this.#cleanupHistory(oldRSs);
    await this.#syncRolloutStatus([...oldRSs, updated], updated);
  }

  #oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], pods: Map<string, Pod[]>): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    for (const [uid, list] of pods) {
      if (newRS && uid === newRS.metadata.uid) continue;
      if (list.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return true;
    }
    return false;
  }

  /** Paused, or only spec.replicas changed: resize without rolling (sync.go sync). */
  async #syncScale(rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.#replicaSetsAndRevision(rsList, false);
    const all = [...oldRSs, newRS];
    for (const s of planScale(this.#d, newRS, oldRSs)) {
      const updated = await this.#scale(s.rs, s.replicas);
      const i = all.indexOf(s.rs);
      if (i >= 0) all[i] = updated;
    }
    if (this.#d.spec.paused) await this.#cleanupHistory(oldRSs);
    await this.#syncStatus(all, all[all.length - 1]);
  }

  /** A ReplicaSet records a desired size other than spec.replicas (isScalingEvent). */
  async #isScalingEvent(rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.#replicaSetsAndRevision(rsList, false);
    const replicas = replicasOf(this.#d);
    return filterActive([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== replicas;
    });
  }

  async #cleanupHistory(oldRSs: readonly ReplicaSet[]): Promise<void> {
    for (const rs of planHistoryCleanup(this.#d, oldRSs)) {
      try {
        await this.#c.replicaSets.delete(rs.metadata.namespace, rs.metadata.name ?? '', { preconditions: { uid: rs.metadata.uid! } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  // --- ReplicaSets ----------------------------------------------------------------------------

  /**
   * The new ReplicaSet (created when asked and missing) and the old ones; the new one's
   * annotations and the Deployment's revision brought up to date (getAllReplicaSetsAndSyncRevision).
   */
  async #replicaSetsAndRevision(rsList: ReplicaSet[], create: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const d = this.#d;
    const oldRSs = findOldReplicaSets(d, rsList);
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReady = d.spec.minReadySeconds ?? 0;
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec!.minReadySeconds = minReady;
        const updated = await this.#c.replicaSets.update(copy.metadata.namespace, withKind(copy));
        rsList[rsList.indexOf(existing)] = updated;
        return { newRS: updated, oldRSs };
      }
      await this.#setRevision(copy.metadata.annotations?.[REVISION_ANNOTATION]);
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, newCondition('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${copy.metadata.name}"`, this.#c.now()));
        await this.#writeStatus(status);
      }
      return { newRS: existing, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };
    const created = await this.#createNewReplicaSet(oldRSs, newRevision);
    rsList.push(created);
    return { newRS: created, oldRSs };
  }

  async #createNewReplicaSet(oldRSs: ReplicaSet[], newRevision: number): Promise<ReplicaSet> {
    const d = this.#d;
    const hash = computeHash(d.spec.template, d.status?.collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace!,
        labels: { ...template.metadata.labels },
        ownerReferences: [newControllerRef(d, DEPLOYMENT_API_VERSION, 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSet;
    let existed = false;
    try {
      created = await this.#c.replicaSets.create(d.metadata.namespace, rs);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          const status = structuredClone(d.status ?? {});
          setCondition(status, newCondition('Progressing', 'False', REASON.failedRSCreate, msg, this.#c.now()));
          await this.#writeStatus(status).catch(() => undefined);
        }
        this.#event('Warning', REASON.failedRSCreate, msg);
        throw err;
      }
      // Ours from an earlier sync our informer has not shown yet, or a hash collision: another
      // template under the same name. Then count the collision so the next hash differs.
      const found = await this.#c.replicaSets.get(d.metadata.namespace, rs.metadata.name!);
      if (controllerRefOf(found)?.uid !== d.metadata.uid || !equalIgnoreHash(d.spec.template, found.spec?.template)) {
        await this.#writeStatus({ ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 });
        throw err;
      }
      created = found;
      existed = true;
    }
    if (!existed && replicas > 0) this.#event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    await this.#setRevision(String(newRevision));
    if (!existed && hasProgressDeadline(d)) {
      const status = structuredClone(d.status ?? {});
      setCondition(status, newCondition('Progressing', 'True', REASON.newReplicaSet, `Created new replica set "${created.metadata.name}"`, this.#c.now()));
      await this.#writeStatus(status);
    }
    return created;
  }

  /** Resizes a ReplicaSet and refreshes its replica annotations (scaleReplicaSet); returns what the server has. */
  async #scale(rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
    const d = this.#d;
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    const sizeChanges = rsReplicas(rs) !== replicas;
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, desired, max)) return rs;
    const copy = structuredClone(rs);
    const from = rsReplicas(rs);
    copy.spec!.replicas = replicas;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.#c.replicaSets.update(copy.metadata.namespace, withKind(copy));
    if (sizeChanges) this.#event('Normal', 'ScalingReplicaSet', `Scaled ${from < replicas ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
    return updated;
  }

  // --- the Deployment -------------------------------------------------------------------------

  /** The Deployment's revision annotation follows its new ReplicaSet's (SetDeploymentRevision). */
  async #setRevision(revision: string | undefined): Promise<void> {
    const d = this.#d;
    if (revision === undefined || d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    // Upstream writes this through the status subresource, whose strategy keeps annotations for
    // Deployments; skiff's status writes keep metadata, so the annotation is patched on its own.
    const updated = await this.#c.deployments.patch(d.metadata.namespace, d.metadata.name!, 'merge', {
      metadata: { annotations: { [REVISION_ANNOTATION]: revision }, resourceVersion: d.metadata.resourceVersion },
    });
    d.metadata.annotations = updated.metadata.annotations ?? {};
    d.metadata.resourceVersion = updated.metadata.resourceVersion!;
  }

  async #writeStatus(status: DeploymentStatus): Promise<void> {
    const d = this.#d;
    const updated = await this.#c.deployments.updateStatus(d.metadata.namespace, withKind({ ...d, status }, 'Deployment'));
    d.status = updated.status ?? {};
    d.metadata.resourceVersion = updated.metadata.resourceVersion!;
  }

  /** Status without the Progressing bookkeeping (syncDeploymentStatus). */
  async #syncStatus(all: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): Promise<void> {
    const status = calculateStatus(all, newRS, this.#d, this.#c.now());
    if (!sameStatus(this.#d.status, status)) await this.#writeStatus(status);
  }

  async #syncRolloutStatus(all: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): Promise<void> {
    const now = this.#c.now();
    const status = rolloutStatus(all, newRS, this.#d, now);
    if (sameStatus(this.#d.status, status)) {
      const after = stuckRequeueAfter(this.#d, status, now);
      if (after !== undefined) this.#c.requeueAfter(after);
      return;
    }
    await this.#writeStatus(status);
  }

  #event(type: EventType, reason: string, message: string): void {
    const d = this.#d;
    this.#c.recorder.record({ kind: 'Deployment', apiVersion: DEPLOYMENT_API_VERSION, namespace: d.metadata.namespace!, name: d.metadata.name!, uid: d.metadata.uid! }, type, reason, message);
  }
}

function withKind<T extends ReplicaSet | Deployment>(o: T, kind = 'ReplicaSet'): T {
  return { ...o, apiVersion: 'apps/v1', kind };
}
