// Completion indexes of Indexed Jobs (pkg/controller/job/indexed_job_utils.go): each pod carries
// its index in an annotation (and label); completed and failed indexes are kept in the status as
// ordered intervals written "1,3-5"; new pods take the lowest indexes nobody holds.
import { JOB_COMPLETION_INDEX_ANNOTATION, JOB_INDEX_FAILURE_COUNT_ANNOTATION, JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION } from '../../api/types/batch-v1.ts';
import type { Pod } from '../../api/types/core-v1.ts';

export interface Interval {
  first: number;
  last: number;
}

/** The pod's completion index, or -1 (unknownCompletionIndex) when absent or not a non-negative integer. */
export function completionIndexOf(pod: Pod): number {
  const v = pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^\+?\d+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

function nonNegativeInt(v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) return 0;
  const n = Number(v);
  return n <= 2147483647 ? n : 0;
}

/** The batch.kubernetes.io/job-index-failure-count annotation (0 when absent or bad). */
export function indexFailureCount(pod: Pod): number {
  return nonNegativeInt(pod.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT_ANNOTATION]);
}

export function indexIgnoredFailureCount(pod: Pod): number {
  return nonNegativeInt(pod.metadata.annotations?.[JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION]);
}

/** "1,3-5" → intervals; pieces at or past `completions` are dropped, bad pieces skipped. */
export function parseIndexes(s: string | undefined, completions: number): Interval[] {
  const out: Interval[] = [];
  if (!s) return out;
  for (const piece of s.split(',')) {
    const [a, b] = piece.split('-');
    if (a === undefined || !/^\d+$/.test(a)) continue;
    const first = Number(a);
    if (first >= completions) break;
    let last = first;
    if (b !== undefined) {
      if (!/^\d+$/.test(b)) continue;
      last = Math.min(Number(b), completions - 1);
    }
    const prev = out[out.length - 1];
    if (prev && prev.last === first - 1) prev.last = last;
    else out.push({ first, last });
  }
  return out;
}

/** Intervals → "1,3-5" (two adjacent indexes are written "3,4", as upstream). */
export function formatIndexes(iv: readonly Interval[]): string {
  return iv.map((v) => (v.last === v.first ? `${v.first}` : v.last === v.first + 1 ? `${v.first},${v.last}` : `${v.first}-${v.last}`)).join(',');
}

export function mergeIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const all = [...a, ...b].sort((x, y) => x.first - y.first);
  const out: Interval[] = [];
  for (const v of all) {
    const prev = out[out.length - 1];
    if (!prev || v.first > prev.last + 1) out.push({ ...v });
    else if (v.last > prev.last) prev.last = v.last;
  }
  return out;
}

export function withIndexes(iv: readonly Interval[], indexes: Iterable<number>): Interval[] {
  return mergeIntervals(iv, [...indexes].map((i) => ({ first: i, last: i })));
}

export function totalIndexes(iv: readonly Interval[]): number {
  return iv.reduce((n, v) => n + v.last - v.first + 1, 0);
}

export function hasIndex(iv: readonly Interval[], ix: number): boolean {
  return iv.some((v) => v.first <= ix && ix <= v.last);
}

/** The `count` lowest indexes below `completions` that no interval of `taken` holds. */
export function firstPendingIndexes(taken: readonly Interval[], count: number, completions: number): number[] {
  const out: number[] = [];
  let candidate = 0;
  for (const v of mergeIntervals(taken, [])) {
    for (; candidate < completions && out.length < count && candidate < v.first; candidate++) out.push(candidate);
    if (candidate < v.last + 1) candidate = v.last + 1;
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate);
  return out;
}

/**
 * Active pods that must go whatever the counts say (appendDuplicatedIndexPodsForRemoval): pods
 * without an index or with one past `completions`, and all but one pod of a repeated index
 * (`order` ranks which to delete first; the last kept). Returns [remove, keep].
 */
export function duplicateIndexPods(pods: readonly Pod[], completions: number, order: (a: Pod, b: Pod) => number): [Pod[], Pod[]] {
  const rm: Pod[] = [];
  const keep: Pod[] = [];
  const byIndex = new Map<number, Pod[]>();
  for (const p of pods) {
    const ix = completionIndexOf(p);
    if (ix < 0 || ix >= completions) {
      rm.push(p);
      continue;
    }
    const list = byIndex.get(ix) ?? [];
    list.push(p);
    byIndex.set(ix, list);
  }
  for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
    const list = byIndex.get(ix)!;
    if (list.length > 1) list.sort(order);
    rm.push(...list.slice(0, -1));
    keep.push(list[list.length - 1]!);
  }
  return [rm, keep];
}
