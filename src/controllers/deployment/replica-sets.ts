// Picking a Deployment's ReplicaSets apart (pkg/controller/deployment/util/deployment_util.go
// FindNewReplicaSet, FindOldReplicaSets, FindActiveOrLatest, IsSaturated; pkg/controller/
// controller_utils.go ReplicaSetsByCreationTimestamp, ReplicaSetsBySizeOlder/Newer).
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment } from './deployment-types.ts';
import { equalIgnoreHash } from './pod-template-hash.ts';
import { MAX_REPLICAS_ANNOTATION, replicasOf, rsReplicas } from './rollout-math.ts';

export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** Oldest first; ties by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Largest first; among equals the newer first (scaling up favours the new). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || -byCreation(a, b);
}

/** Largest first; among equals the older first (scaling down takes from the old). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreation(a, b);
}

export function filterActive(rss: ReadonlyArray<ReplicaSet | undefined>): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

/** The oldest ReplicaSet whose template is the Deployment's (several can match after a hash collision). */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec.template));
}

export function findOldReplicaSets(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet[] {
  const current = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs !== current);
}

/** The one active ReplicaSet, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = Number.parseInt(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] ?? '', 10);
  return Number.isFinite(v) ? v : undefined;
}

/** The new ReplicaSet has all the Deployment's replicas, all available (IsSaturated). */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const replicas = replicasOf(d);
  return desiredReplicasAnnotation(rs) === replicas && rsReplicas(rs) === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** Writes desired/max replicas annotations; true when they changed (SetReplicasAnnotations). */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) { a[DESIRED_REPLICAS_ANNOTATION] = String(desired); changed = true; }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) { a[MAX_REPLICAS_ANNOTATION] = String(max); changed = true; }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

export const availableCount = (rss: ReadonlyArray<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
export const readyCount = (rss: ReadonlyArray<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
/** Sum of status.replicas (GetActualReplicaCountForReplicaSets). */
export const actualCount = (rss: ReadonlyArray<ReplicaSet | undefined>): number => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
