// Toleration matching as k8s.io/api/core/v1/toleration.go (ToleratesTaint) and
// component-helpers' GetMatchingTolerations. Controllers may not import the scheduler's copy
// (dependencies point one way), so the few lines live here too.
import type { Taint, Toleration } from '../../api/types/core-v1.ts';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first toleration matching each taint, or undefined if some taint is not tolerated. */
export function matchingTolerations(tolerations: readonly Toleration[] | undefined, taints: readonly Taint[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint));
    if (!t) return undefined;
    used.push(t);
  }
  return used;
}
