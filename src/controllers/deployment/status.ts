// A Deployment's status and conditions from its ReplicaSets (pkg/controller/deployment/sync.go
// calculateStatus; progress.go syncRolloutStatus and requeueStuckDeployment; util/deployment_util.go
// SetDeploymentCondition, DeploymentComplete, DeploymentProgressing, DeploymentTimedOut).
import type { ReplicaSet } from '../util/workload-types.ts';
import type { ConditionStatus, Deployment, DeploymentCondition, DeploymentStatus } from './deployment-types.ts';
import { actualCount, availableCount, readyCount } from './replica-sets.ts';
import { maxUnavailable, replicasOf, specReplicaCount } from './rollout-math.ts';

export const REASON = {
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

const MAX_INT32 = 2 ** 31 - 1;

/** Kubernetes timestamps have whole seconds. */
export function timestamp(nowMs: number): string {
  return new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function newCondition(type: string, status: ConditionStatus, reason: string, message: string, nowMs: number): DeploymentCondition {
  const t = timestamp(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Sets a condition unless one of the same status and reason is there; a same-status change keeps its transition time. */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur && cur.status === c.status && cur.lastTransitionTime) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((x) => x.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== MAX_INT32;
}

/** Every replica updated and available, and the latest spec observed (DeploymentComplete). */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = replicasOf(d);
  return (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas
    && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Something moved since the last status (DeploymentProgressing). */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** The Progressing condition was last updated longer than progressDeadlineSeconds ago (DeploymentTimedOut). */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === REASON.newRSAvailable) return false;
  if (c.reason === REASON.timedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + d.spec.progressDeadlineSeconds! * 1000 < nowMs;
}

/** Status counted from the ReplicaSets, with the Available condition (calculateStatus). */
export function calculateStatus(allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const available = availableCount(allRSs);
  const total = specReplicaCount(allRSs);
  const s: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualCount(allRSs),
    updatedReplicas: actualCount([newRS]),
    readyReplicas: readyCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) s.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) s.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) setCondition(s, newCondition('Available', 'True', REASON.minimumAvailable, 'Deployment has minimum availability.', nowMs));
  else setCondition(s, newCondition('Available', 'False', REASON.minimumUnavailable, 'Deployment does not have minimum availability.', nowMs));
  return s;
}

/**
 * The status after a rollout step, Progressing condition included (syncRolloutStatus): complete,
 * progressing (lastUpdateTime refreshed on every sign of progress), or timed out.
 */
export function rolloutStatus(allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment, nowMs: number): DeploymentStatus {
  const s = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const cur = getCondition(d.status, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && cur?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', REASON.newRSAvailable, `${what} has successfully progressed.`, nowMs));
    } else if (deploymentProgressing(d, s)) {
      const c = newCondition('Progressing', 'True', REASON.replicaSetUpdated, `${what} is progressing.`, nowMs);
      if (cur) {
        if (cur.status === 'True' && cur.lastTransitionTime) c.lastTransitionTime = cur.lastTransitionTime;
        removeCondition(s, 'Progressing');
      }
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, nowMs)) {
      setCondition(s, newCondition('Progressing', 'False', REASON.timedOut, `${what} has timed out progressing.`, nowMs));
    }
  }
  return s;
}

/**
 * When to look at a Deployment that shows no progress again, in ms, so the deadline is noticed
 * without a resync (requeueStuckDeployment); undefined when nothing is to be checked.
 */
export function stuckRequeueAfter(d: Deployment, s: DeploymentStatus, nowMs: number): number | undefined {
  const c = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !c) return undefined;
  if (deploymentComplete(d, s) || c.reason === REASON.timedOut) return undefined;
  const after = Date.parse(c.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds! * 1000 - nowMs;
  if (Number.isNaN(after)) return undefined;
  return after < 1000 ? 0 : after + 1000;
}

/**
 * The Progressing condition to write when a Deployment was paused or resumed, or undefined
 * (checkPausedConditions): a pause is Unknown so the deadline does not run while paused.
 */
export function pausedCondition(d: Deployment, nowMs: number): DeploymentCondition | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const c = getCondition(d.status, 'Progressing');
  if (c?.reason === REASON.timedOut) return undefined;
  const pausedShown = c?.reason === REASON.paused;
  if (d.spec.paused && !pausedShown) return newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused', nowMs);
  if (!d.spec.paused && pausedShown) return newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed', nowMs);
  return undefined;
}

/** Status equality for "nothing to write": key order and omitted zeros (omitempty) do not matter. */
export function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined): string => JSON.stringify(s ?? {}, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== 0).sort(([x], [y]) => x.localeCompare(y))) : v);
  return norm(a) === norm(b);
}
