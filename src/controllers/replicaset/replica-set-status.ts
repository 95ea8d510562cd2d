// The status a ReplicaSet reports for the pods it owns (pkg/controller/replicaset/replica_set_utils.go:
// calculateStatus): counts of pods, pods carrying all the template's labels, ready pods, and pods
// available for minReadySeconds; the ReplicaFailure condition while creating or deleting fails.
import type { Pod } from '../../api/types/core-v1.ts';
import { isPodAvailable, isPodReady } from '../util/pod-status.ts';
import type { ReplicaSetCondition, ReplicaSetStatus } from '../util/workload-types.ts';

export const REPLICA_FAILURE = 'ReplicaFailure';

export interface StatusInput {
  status: ReplicaSetStatus | undefined;
  replicas: number;
  minReadySeconds: number;
  templateLabels: Record<string, string> | undefined;
  /** The active pods the controller owns. */
  pods: readonly Pod[];
  /** The error of this sync's creates or deletes, if any. */
  manageError: unknown;
  now: number;
}

export function calculateStatus(i: StatusInput): ReplicaSetStatus {
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  const tmpl = Object.entries(i.templateLabels ?? {});
  for (const pod of i.pods) {
    const labels = pod.metadata.labels ?? {};
    if (tmpl.every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, i.minReadySeconds, i.now)) available++;
    }
  }
  let conditions = i.status?.conditions ?? [];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (i.manageError !== undefined && !failure) {
    const diff = i.pods.length - i.replicas;
    const cond: ReplicaSetCondition = {
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: new Date(i.now).toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(diff < 0 ? { reason: 'FailedCreate' } : diff > 0 ? { reason: 'FailedDelete' } : {}),
      message: i.manageError instanceof Error ? i.manageError.message : String(i.manageError),
    };
    conditions = [...conditions, cond];
  } else if (i.manageError === undefined && failure) {
    conditions = conditions.filter((c) => c !== failure);
  }
  const out: ReplicaSetStatus = {
    ...i.status,
    replicas: i.pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
  };
  if (conditions.length > 0) out.conditions = conditions;
  else delete out.conditions;
  return out;
}

/** Whether two statuses say the same (upstream compares field by field before writing). */
export function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  return (a?.replicas ?? 0) === b.replicas
    && (a?.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0)
    && (a?.readyReplicas ?? 0) === (b.readyReplicas ?? 0)
    && (a?.availableReplicas ?? 0) === (b.availableReplicas ?? 0)
    && (a?.observedGeneration ?? 0) === (b.observedGeneration ?? 0)
    && JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? []);
}
