// When a pod on a node with NoExecute taints must go (pkg/controller/tainteviction/
// taint_eviction.go processPodOnNode and getMinTolerationTime): at once if some taint is not
// tolerated; never if every toleration used is unbounded; else after the shortest
// tolerationSeconds among the tolerations used.
import type { Taint, Toleration } from '../../api/types/core-v1.ts';
import { matchingTolerations } from './tolerations.ts';

export type EvictionDecision =
  | { action: 'keep' }
  | { action: 'delete-now' }
  | { action: 'delete-after'; seconds: number };

export function noExecuteTaints(taints: readonly Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export function evictionDecision(tolerations: readonly Toleration[] | undefined, taints: readonly Taint[]): EvictionDecision {
  const noExecute = noExecuteTaints(taints);
  if (noExecute.length === 0) return { action: 'keep' };
  const used = matchingTolerations(tolerations, noExecute);
  if (!used) return { action: 'delete-now' };
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined) continue;
    // Upstream: zero or negative seconds mean "evict now".
    if (t.tolerationSeconds <= 0) return { action: 'delete-now' };
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? { action: 'keep' } : { action: 'delete-after', seconds: min };
}

/**
 * When a pod scheduled for eviction since `scheduledAtMs` goes, given the current decision: the
 * countdown runs from when the controller first saw the taint (upstream keeps the work's
 * CreatedAt), so resyncs do not postpone it.
 */
export function evictionDueMs(decision: EvictionDecision, scheduledAtMs: number): number | undefined {
  if (decision.action === 'keep') return undefined;
  if (decision.action === 'delete-now') return scheduledAtMs;
  return scheduledAtMs + decision.seconds * 1000;
}
