// Revision bookkeeping of a Deployment's ReplicaSets (pkg/controller/deployment/util/
// deployment_util.go: Revision, MaxRevision, SetNewReplicaSetAnnotations,
// copyDeploymentAnnotationsToReplicaSet; ReplicaSetsByRevision for history cleanup).
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment } from './deployment-types.ts';
import { byCreation, DESIRED_REPLICAS_ANNOTATION, setReplicasAnnotations } from './replica-sets.ts';
import { MAX_REPLICAS_ANNOTATION, maxSurge, replicasOf } from './rollout-math.ts';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** Upstream keeps revision-history under this many characters, dropping the oldest. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Annotations a Deployment does not hand down to its ReplicaSets (annotationsToSkip). */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION,
  'deployment.kubernetes.io/error-selector-overlapping-with', 'deployment.kubernetes.io/selector-updated-at',
]);

/** The revision annotation as a number; 0 when absent, NaN when unparsable. */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number {
  const v = obj.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : NaN;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v > max) max = v;
  }
  return max;
}

/** Oldest revision first; ties by creation (ReplicaSetsByRevision). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a) || 0;
  const rb = revisionOf(b) || 0;
  return ra - rb || byCreation(a, b);
}

function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * Brings the new ReplicaSet's annotations up to date (in place): the Deployment's annotations, the
 * revision raised to `newRevision` with the one it replaces appended to revision-history (a
 * rollback to an old template keeps the story), and, for a ReplicaSet about to be created, the
 * desired/max replicas. True when anything changed (SetNewReplicaSetAnnotations).
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = rs.metadata.annotations!;
  const oldText = a[REVISION_ANNOTATION];
  const old = revisionOf(rs);
  if (Number.isNaN(old)) return false; // upstream leaves a ReplicaSet with a garbled revision alone
  if (old < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = a[REVISION_HISTORY_ANNOTATION];
      if (!history) a[REVISION_HISTORY_ANNOTATION] = oldText;
      else {
        const parts = history.split(',');
        let total = history.length + oldText.length + 1;
        let start = 0;
        while (total > MAX_REVISION_HISTORY_CHARS && start < parts.length) {
          total -= parts[start]!.length + 1;
          start += 1;
        }
        if (total <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY_ANNOTATION] = [...parts.slice(start), oldText].join(',');
      }
    }
  }
  if (!exists) {
    const replicas = replicasOf(d);
    if (setReplicasAnnotations(rs, replicas, replicas + maxSurge(d))) changed = true;
  }
  return changed;
}
