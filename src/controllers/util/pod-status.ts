// What controllers ask of a pod's status (k8s.io/kubernetes/pkg/api/v1/pod/util.go: IsPodReady,
// IsPodAvailable; pkg/controller/controller_utils.go: IsPodActive, FilterActivePods).
import type { Pod, PodCondition } from '../../api/types/core-v1.ts';

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * Ready for at least `minReadySeconds` (counted from the Ready condition's last transition) at
 * `nowMs`. With minReadySeconds 0, ready is available.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number = Date.now()): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < nowMs;
}

/**
 * How long until a ready pod becomes available (ms), or undefined if it is not ready or already
 * available: when to look again, as upstream requeues after minReadySeconds.
 */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, nowMs: number = Date.now()): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !minReadySeconds || !c.lastTransitionTime) return undefined;
  const at = Date.parse(c.lastTransitionTime) + minReadySeconds * 1000;
  return at >= nowMs ? at - nowMs + 1 : undefined;
}

/** Neither finished (Succeeded/Failed) nor being deleted: it counts towards the replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function filterActivePods(pods: readonly Pod[]): Pod[] {
  return pods.filter(isPodActive);
}

/** Being deleted (upstream's terminating pods, counted apart from the active ones). */
export function isPodTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.metadata.deletionTimestamp) && phase !== 'Succeeded' && phase !== 'Failed';
}
