// Which finished pods the pod garbage collector deletes once there are more than the threshold
// (pkg/controller/podgc/gc_controller.go gcTerminated, byEvictionAndCreationTimestamp): the
// excess, evicted pods first, then the oldest.
import type { Pod } from '../../api/types/core-v1.ts';

/** Succeeded or Failed (upstream's isPodTerminated: neither Pending, Running nor Unknown). */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== undefined && phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

function isEvicted(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && pod.status.reason === 'Evicted';
}

/** The terminated pods over `threshold`, in deletion order; none when threshold is 0 (off). */
export function terminatedPodsToDelete(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isPodTerminated);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  terminated.sort((a, b) => {
    const ea = isEvicted(a);
    if (ea !== isEvicted(b)) return ea ? -1 : 1;
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return ta - tb;
    const na = a.metadata.name ?? '';
    const nb = b.metadata.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  return terminated.slice(0, excess);
}
