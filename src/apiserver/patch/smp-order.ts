// Ordering of merged lists, as strategicpatch/patch.go does it (normalizeElementOrder,
// mergeSortedSlice): items named by the patch (or by $setElementOrder) keep that relative order,
// items only on the server keep theirs, and the two are interleaved using the server's order.
import { isObject } from './json-value.ts';

/** Identity of a list item: its merge-key value for lists of maps, the value itself otherwise. */
function identity(item: unknown, mergeKey: string): unknown {
  if (!mergeKey) return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

/** Position of `item` in `order`, or -1. Items without a merge key never match. */
export function indexIn(order: readonly unknown[], item: unknown, mergeKey: string): number {
  const id = identity(item, mergeKey);
  if (id === undefined) return -1;
  return order.findIndex((o) => identity(o, mergeKey) === id);
}

/** Split `items` into those present in `by` and the rest, keeping their order. */
export function partitionByPresence(items: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of items) (indexIn(by, item, mergeKey) >= 0 ? present : absent).push(item);
  return [present, absent];
}

/** Stable sort by position in `order`; items not found keep their relative place at the end. */
function sortByOrder(items: readonly unknown[], order: readonly unknown[], mergeKey: string): unknown[] {
  return items
    .map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey) }))
    .sort((a, b) => (a.at < 0 ? Infinity : a.at) - (b.at < 0 ? Infinity : b.at) || a.i - b.i)
    .map((x) => x.item);
}

/**
 * Interleave server-only items (`left`) with patch items (`right`): a server item goes first only
 * when both are known to the server order and it comes earlier there; otherwise the patch item
 * does. So new items land right after the patch item before them (or first), as upstream.
 */
export function mergeSorted(left: readonly unknown[], right: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = indexIn(serverOrder, left[i], mergeKey);
    const ri = indexIn(serverOrder, right[j], mergeKey);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out.concat(left.slice(i), right.slice(j));
}

/** Order `patchItems` by `patchOrder`, `serverOnly` by `serverOrder`, then interleave them. */
export function normalizeElementOrder(
  patchItems: readonly unknown[], serverOnly: readonly unknown[],
  patchOrder: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string,
): unknown[] {
  return mergeSorted(sortByOrder(serverOnly, serverOrder, mergeKey), sortByOrder(patchItems, patchOrder, mergeKey), serverOrder, mergeKey);
}
