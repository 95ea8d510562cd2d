// Ordering of merged lists, as strategicpatch/patch.go does it (normalizeElementOrder,
// mergeSortedSlice): items named by the patch (or by $setElementOrder) keep that relative order,
// items only on the server keep theirs, and the two are interleaved using the server's order.
// Positions are looked up in maps built once per list, so ordering stays linear in the list sizes
// (a patch may carry hundreds of thousands of items within the body limit).
import { isObject } from './json-value.ts';

/** Identity of a list item: its merge-key value for lists of maps, the value itself otherwise. */
function identity(item: unknown, mergeKey: string): unknown {
  if (!mergeKey) return item;
  return isObject(item) ? item[mergeKey] : undefined;
}

/** Where each identity first occurs in `order` (Map keys compare as `===` does for JSON values). */
function positions(order: readonly unknown[], mergeKey: string): Map<unknown, number> {
  const at = new Map<unknown, number>();
  order.forEach((o, i) => {
    const id = identity(o, mergeKey);
    if (id !== undefined && !at.has(id)) at.set(id, i);
  });
  return at;
}

/** Position of `item` in the order `at` indexes, or -1. Items without a merge key never match. */
function lookup(at: Map<unknown, number>, item: unknown, mergeKey: string): number {
  const id = identity(item, mergeKey);
  return id === undefined ? -1 : at.get(id) ?? -1;
}

/** Position of `item` in `order`, or -1. Items without a merge key never match. */
export function indexIn(order: readonly unknown[], item: unknown, mergeKey: string): number {
  return lookup(positions(order, mergeKey), item, mergeKey);
}

/** Split `items` into those present in `by` and the rest, keeping their order. */
export function partitionByPresence(items: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const at = positions(by, mergeKey);
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of items) (lookup(at, item, mergeKey) >= 0 ? present : absent).push(item);
  return [present, absent];
}

/** Stable sort by position in `order`; items not found keep their relative place at the end. */
function sortByOrder(items: readonly unknown[], order: readonly unknown[], mergeKey: string): unknown[] {
  const at = positions(order, mergeKey);
  return items
    .map((item, i) => ({ item, i, at: lookup(at, item, mergeKey) }))
    .sort((a, b) => (a.at < 0 ? Infinity : a.at) - (b.at < 0 ? Infinity : b.at) || a.i - b.i)
    .map((x) => x.item);
}

/**
 * Interleave server-only items (`left`) with patch items (`right`): a server item goes first only
 * when both are known to the server order and it comes earlier there; otherwise the patch item
 * does. So new items land right after the patch item before them (or first), as upstream.
 */
export function mergeSorted(left: readonly unknown[], right: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string): unknown[] {
  const at = positions(serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = lookup(at, left[i], mergeKey);
    const ri = lookup(at, right[j], mergeKey);
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
