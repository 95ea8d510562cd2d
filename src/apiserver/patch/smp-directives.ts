// The strategic merge patch directives that travel in the patch itself
// (see strategicpatch/patch.go and the strategic-merge-patch design doc):
//   $patch: replace | delete | merge           on a map, or as a list item
//   $deleteFromPrimitiveList/<field>: [...]    values to drop from a primitive list
//   $setElementOrder/<field>: [...]            the order the merged list should have
//   $retainKeys: [...]                         the only keys the map may keep
import { malformed } from './errors.ts';
import { isObject, shortJson, type JsonObject } from './json-value.ts';

export const DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';

// Upstream's messages (apimachinery/pkg/util/mergepatch/errors.go), kept verbatim because clients see them.
export const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
export const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
export const BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';
export const NO_LIST_OF_LISTS = 'lists of lists are not supported';

/** The field a parallel-list key names: `$setElementOrder/containers` → `containers`. */
export function directiveField(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix || slash === key.length - 1) {
    throw malformed(prefix === SET_ELEMENT_ORDER ? BAD_SET_ELEMENT_ORDER : BAD_PRIMITIVE_LIST);
  }
  return key.slice(slash + 1);
}

export function isParallelListKey(key: string): boolean {
  return key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER);
}

export function hasDirective(item: unknown, value?: string): boolean {
  return isObject(item) && Object.hasOwn(item, DIRECTIVE) && (value === undefined || item[DIRECTIVE] === value);
}

/**
 * $retainKeys: every key the patch sets must be listed, and keys of `original` that are not
 * listed are cleared. Consumes the directive from `patch`.
 */
export function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw malformed(BAD_RETAIN_KEYS);
  const keep = new Set<unknown>(list);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || isParallelListKey(key)) continue;
    if (!keep.has(key)) throw malformed(BAD_RETAIN_KEYS);
  }
  for (const key of Object.keys(original)) {
    if (!keep.has(key)) delete original[key];
  }
}

function sameItem(a: unknown, b: unknown, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  if (!isObject(a) || !Object.hasOwn(a, mergeKey)) throw noMergeKey(a, mergeKey);
  if (!isObject(b) || !Object.hasOwn(b, mergeKey)) throw noMergeKey(b, mergeKey);
  return a[mergeKey] === b[mergeKey];
}

export function noMergeKey(item: unknown, mergeKey: string): Error {
  return malformed(`map: ${shortJson(item)} does not contain declared merge key: ${mergeKey}`);
}

/**
 * The patch list's items (deletions aside) must appear in the $setElementOrder list, in the
 * same relative order (validatePatchWithSetOrderList upstream).
 */
export function checkSetElementOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items = mergeKey ? patchList.filter((item) => !hasDirective(item, 'delete')) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (hasDirective(items[p])) {
      p++;
      continue;
    }
    if (sameItem(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw malformed(`the order in patch list ${shortJson(patchList)} doesn't match ${SET_ELEMENT_ORDER} list ${shortJson(order)}`);
  }
}
