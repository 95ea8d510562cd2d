// What to scale, decided over a snapshot of a Deployment and its ReplicaSets, as plain data the
// controller then applies: rolling.go (reconcileNewReplicaSet, reconcileOldReplicaSets,
// cleanupUnhealthyReplicas, scaleDownOldReplicaSetsForRollingUpdate), recreate.go, sync.go
// (scale: proportional scaling; cleanupDeployment: revisionHistoryLimit).
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment } from './deployment-types.ts';
import { byCreation, bySizeNewer, bySizeOlder, filterActive, findActiveOrLatest, isSaturated } from './replica-sets.ts';
import { byRevision } from './revisions.ts';
import { isRollingUpdate, maxSurge, maxUnavailable, newRSNewReplicas, proportion, replicasOf, rsReplicas, specReplicaCount } from './rollout-math.ts';

export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
}

/** Replicas the new ReplicaSet should have in this step of a rolling update, or undefined (reconcileNewReplicaSet). */
export function planRollingNew(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number | undefined {
  const replicas = replicasOf(d);
  const cur = rsReplicas(newRS);
  if (cur === replicas) return undefined;
  if (cur > replicas) return replicas;
  const next = newRSNewReplicas(d, allRSs, newRS);
  return next === cur ? undefined : next;
}

/**
 * Old ReplicaSets to shrink in this step (reconcileOldReplicaSets): unhealthy replicas first (they
 * cost no availability), then as many available ones as keep `replicas - maxUnavailable` available,
 * counting the new ReplicaSet's not-yet-available pods against the budget.
 */
export function planRollingOld(d: Deployment, allRSs: readonly ReplicaSet[], activeOldRSs: readonly ReplicaSet[], newRS: ReplicaSet): ScaleStep[] {
  const oldCount = specReplicaCount(activeOldRSs);
  if (oldCount === 0) return [];
  const allCount = specReplicaCount(allRSs);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allCount - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const sizes = new Map<ReplicaSet, number>(activeOldRSs.map((rs) => [rs, rsReplicas(rs)]));
  const olds = [...activeOldRSs].sort(byCreation);
  let cleaned = 0;
  for (const rs of olds) {
    if (cleaned >= maxScaledDown) break;
    const size = sizes.get(rs)!;
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size <= available) continue;
    const down = Math.min(maxScaledDown - cleaned, size - available);
    sizes.set(rs, size - down);
    cleaned += down;
  }

  // scaleDownOldReplicaSetsForRollingUpdate: availability is what the ReplicaSets report, but
  // never more than a ReplicaSet is sized to: a ReplicaSet just scaled down still reports the pods
  // its controller is about to delete, and counting them would scale down twice for one budget.
  const available = [...olds, newRS].reduce((n, rs) => n + Math.min(rs.status?.availableReplicas ?? 0, sizes.get(rs) ?? rsReplicas(rs)), 0);
  if (available > minAvailable) {
    const budget = available - minAvailable;
    let scaled = 0;
    for (const rs of olds) {
      if (scaled >= budget) break;
      const size = sizes.get(rs)!;
      if (size === 0) continue;
      const down = Math.min(size, budget - scaled);
      sizes.set(rs, size - down);
      scaled += down;
    }
  }
  return olds.filter((rs) => sizes.get(rs) !== rsReplicas(rs)).map((rs) => ({ rs, replicas: sizes.get(rs)! }));
}

/**
 * Sizes after a change of spec.replicas (sync.go scale): the one active ReplicaSet takes it all;
 * a saturated new ReplicaSet empties the old ones; otherwise, in a rolling update, the difference
 * is spread in proportion to each ReplicaSet's size, leftovers to the largest.
 */
export function planScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  const replicas = replicasOf(d);
  const one = findActiveOrLatest(newRS, oldRSs);
  if (one) return rsReplicas(one) === replicas ? [] : [{ rs: one, replicas }];
  if (isSaturated(d, newRS)) return filterActive(oldRSs).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];
  const all = filterActive([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - specReplicaCount(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs, rsReplicas(rs) + p);
      added += p;
    } else sizes.set(rs, rsReplicas(rs));
  }
  if (toAdd !== 0 && all[0]) sizes.set(all[0], Math.max(0, sizes.get(all[0])! + toAdd - added));
  // Every ReplicaSet is written, even at its size, so its replica annotations follow the Deployment.
  return all.map((rs) => ({ rs, replicas: sizes.get(rs)! }));
}

/** Old ReplicaSets beyond revisionHistoryLimit that may go: empty, settled, not being deleted (cleanupDeployment). */
export function planHistoryCleanup(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  return [...alive].sort(byRevision).slice(0, diff).filter((rs) =>
    (rs.status?.replicas ?? 0) === 0 && rsReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
