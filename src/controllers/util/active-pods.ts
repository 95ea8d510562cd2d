// Which pods a controller deletes first when it has too many (pkg/controller/controller_utils.go:
// ActivePodsWithRanks.Less; pkg/controller/replicaset/replica_set.go: getPodsToDelete,
// getPodsRankedByRelatedPodsOnSameNode). The cheapest pod to lose comes first.
import type { Pod } from '../../api/types/core-v1.ts';
import { isPodReady, podReadyCondition } from './pod-status.ts';

/** Upstream's annotation: pods with a lower cost are deleted first. */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod {
  pod: Pod;
  /** Related pods on the same node: a pod doubled up with its siblings goes first. */
  rank: number;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount);
  return max;
}

function timeOf(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Negative when `a` should be deleted before `b`, comparing times in log2 buckets of their age
 * (upstream's LogarithmicScaleDown, on by default): pods that came up at about the same time are
 * equal on time, and the uid breaks the tie, so scale-down does not always pick the very newest.
 * Absent times sort first, a later time before an earlier one (afterOrZero).
 */
function compareTimes(a: number | undefined, b: number | undefined, now: number): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const bucket = (t: number): number => (now - t > 0 ? Math.floor(Math.log2((now - t) * 1e6)) : -1);
  return bucket(a) - bucket(b);
}

/** Orders pods for deletion: the pod to delete first sorts first. */
export function compareForDeletion(a: RankedPod, b: RankedPod, now: number = Date.now()): number {
  const pa = a.pod;
  const pb = b.pod;
  // 1. Unassigned < assigned.
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  // 2. Pending < Unknown < Running.
  const pha = PHASE_ORDER[pa.status?.phase ?? ''] ?? 0;
  const phb = PHASE_ORDER[pb.status?.phase ?? ''] ?? 0;
  if (pha !== phb) return pha - phb;
  // 3. Not ready < ready.
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  // 4. Lower pod-deletion-cost < higher.
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  // 5. Doubled up < alone.
  if (a.rank !== b.rank) return b.rank - a.rank;
  // 6. Ready for less time < more time.
  if (ra && rb) {
    const d = compareTimes(timeOf(podReadyCondition(pa)?.lastTransitionTime), timeOf(podReadyCondition(pb)?.lastTransitionTime), now);
    if (d !== 0) return d;
  }
  // 7. More restarts < fewer.
  const rsa = maxRestarts(pa);
  const rsb = maxRestarts(pb);
  if (rsa !== rsb) return rsb - rsa;
  // 8. Newer < older.
  const d = compareTimes(timeOf(pa.metadata.creationTimestamp), timeOf(pb.metadata.creationTimestamp), now);
  if (d !== 0) return d;
  const ua = pa.metadata.uid ?? '';
  const ub = pb.metadata.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * Ranks each pod by how many of `related` (the pods of this controller and its siblings, e.g. the
 * other ReplicaSets of a Deployment) run on its node.
 */
export function rankByRelatedPodsOnSameNode(pods: readonly Pod[], related: readonly Pod[]): RankedPod[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  return pods.map((pod) => ({ pod, rank: pod.spec?.nodeName ? perNode.get(pod.spec.nodeName) ?? 0 : 0 }));
}

/** The `diff` pods of `pods` to delete first (upstream's getPodsToDelete). */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], diff: number, now: number = Date.now()): Pod[] {
  if (diff >= pods.length) return [...pods];
  const ranked = rankByRelatedPodsOnSameNode(pods, related);
  ranked.sort((a, b) => compareForDeletion(a, b, now));
  return ranked.slice(0, diff).map((r) => r.pod);
}
