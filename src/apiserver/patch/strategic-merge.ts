// Kubernetes strategic merge patch, applied server-side. Mirrors
// k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (StrategicMergeMapPatch → mergeMap,
// mergeSlice, mergePatchIntoOriginal) with patch metadata taken from skiff's OpenAPI schemas.
// Deliberate differences from upstream, all about not storing junk (skiff keeps JSON, it does
// not round-trip through typed structs): values added where the object had none are merged into
// an empty value, so nested nulls and directives are dropped instead of stored; `$patch: merge`
// is accepted as the explicit default instead of rejected; a parallel list naming a field the
// object lacks is a no-op.
import { getDefinition } from '../../api/schema/index.ts';
import type { Schema } from '../../api/schema/dsl.ts';
import { cannotApply, malformed } from './errors.ts';
import { clone, hasKey, isObject, setKey, shortJson, typeName, type JsonObject } from './json-value.ts';
import {
  BAD_PRIMITIVE_LIST, BAD_SET_ELEMENT_ORDER, DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, NO_LIST_OF_LISTS, SET_ELEMENT_ORDER,
  applyRetainKeys, checkSetElementOrder, directiveField, hasDirective, noMergeKey,
} from './smp-directives.ts';
import { normalizeElementOrder, partitionByPresence } from './smp-order.ts';
import { fieldMeta, itemSchema, resolveSchema, type FieldMeta, type SchemaLookup } from './smp-schema.ts';

export type { SchemaLookup } from './smp-schema.ts';

/**
 * Apply a strategic merge patch to a copy of `doc` (neither argument is mutated). `defName` is
 * the OpenAPI definition of the document's kind, e.g. 'io.k8s.api.apps.v1.Deployment'; fields it
 * does not describe are merged like a JSON merge patch. A null patch changes nothing, as upstream.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, defName: string, lookup: SchemaLookup = getDefinition): unknown {
  if (patch === null) return clone(doc);
  if (!isObject(patch)) throw malformed(`a strategic merge patch must be a JSON object, got ${typeName(patch)}`);
  if (!isObject(doc)) throw malformed('invalid JSON document');
  return mergeMap(clone(doc), clone(patch), resolveSchema({ $ref: defName }, lookup), lookup);
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: Schema | undefined, lookup: SchemaLookup): JsonObject {
  if (hasKey(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    if (directive === 'replace') return mergeMap({}, patch, schema, lookup);
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw malformed(`unknown patch type: ${shortJson(directive, 64)} in map: ${shortJson(patch)}`);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema, lookup);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) deleteFromPrimitiveList(original, directiveField(key, DELETE_FROM_PRIMITIVE_LIST), value);
    else mergeField(original, key, value, fieldMeta(schema, key, lookup), lookup);
  }
  return original;
}

function mergeField(original: JsonObject, key: string, value: unknown, meta: FieldMeta, lookup: SchemaLookup): void {
  if (value === null) {
    delete original[key];
    return;
  }
  if (!hasKey(original, key)) {
    if (!hasDirective(value, 'delete')) setKey(original, key, fresh(value, meta, lookup));
    return;
  }
  const current = original[key];
  if (isObject(current) && isObject(value)) {
    setKey(original, key, meta.strategy === 'replace' ? fresh(value, meta, lookup) : mergeMap(current, value, meta.schema, lookup));
  } else if (Array.isArray(current) && Array.isArray(value)) {
    setKey(original, key, meta.strategy === 'merge' ? mergeList(current, value, meta, lookup) : value);
  } else {
    setKey(original, key, fresh(value, meta, lookup));
  }
}

/** A patch value for a field the object does not have (or replaces): merged into nothing. */
function fresh(value: unknown, meta: FieldMeta, lookup: SchemaLookup): unknown {
  if (isObject(value)) return mergeMap({}, value, meta.schema, lookup);
  if (Array.isArray(value) && meta.strategy === 'merge') return mergeList([], value, meta, lookup);
  return value;
}

function deleteFromPrimitiveList(original: JsonObject, field: string, toDelete: unknown): void {
  if (toDelete === null) {
    delete original[field]; // what upstream does with a null deletion list
    return;
  }
  if (!Array.isArray(toDelete)) throw malformed(BAD_PRIMITIVE_LIST);
  const current = hasKey(original, field) ? original[field] : undefined;
  const drop = new Set<unknown>(toDelete);
  if (Array.isArray(current)) setKey(original, field, current.filter((v) => !drop.has(v)));
}

function elementKind(...lists: unknown[][]): 'map' | 'scalar' {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      if (Array.isArray(v)) throw cannotApply(NO_LIST_OF_LISTS);
      const k = isObject(v) ? 'map' : typeName(v);
      if (kind !== undefined && k !== kind) throw cannotApply(`list element types are not identical: ${shortJson(lists)}`);
      kind = k;
    }
  }
  return kind === 'map' ? 'map' : 'scalar';
}

/** Merge two lists whose field has strategy merge (mergeSlice upstream). */
function mergeList(original: unknown[], patch: unknown[], meta: FieldMeta, lookup: SchemaLookup): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  if (elementKind(original, patch) === 'scalar') {
    const merged = [...new Set([...original, ...patch])];
    const [inPatch, serverOnly] = partitionByPresence(merged, patch, '');
    return normalizeElementOrder(inPatch, serverOnly, patch, original, '');
  }
  const { mergeKey } = meta;
  if (!mergeKey) throw cannotApply('cannot merge lists of maps without a merge key');
  const items = itemSchema(meta.schema, lookup);
  // Items are matched through maps of merge-key values (Map keys compare as === does for JSON
  // values), so merging stays linear in the list sizes.
  const keyOf = (a: unknown): unknown => (isObject(a) && hasKey(a, mergeKey) ? a[mergeKey] : undefined);

  const patchItems: JsonObject[] = [];
  const deleted = new Set<unknown>();
  let replace = false;
  for (const item of patch) {
    if (!isObject(item)) throw noMergeKey(item, mergeKey);
    if (!hasKey(item, DIRECTIVE)) {
      if (!hasKey(item, mergeKey)) throw noMergeKey(item, mergeKey);
      patchItems.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!hasKey(item, mergeKey)) throw noMergeKey(item, mergeKey);
      deleted.add(item[mergeKey]);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive !== 'merge') {
      throw malformed(`unknown patch type: ${shortJson(directive, 64)} in map: ${shortJson(item)}`);
    }
  }
  if (replace) return patchItems.map((item) => mergeMap({}, item, items, lookup));

  const server = deleted.size === 0 ? original : original.filter((s) => !(isObject(s) && hasKey(s, mergeKey) && deleted.has(s[mergeKey])));
  const merged = [...server];
  const at = new Map<unknown, number>();
  merged.forEach((m, i) => {
    const k = keyOf(m);
    if (k !== undefined && !at.has(k)) at.set(k, i);
  });
  for (const item of patchItems) {
    const i = at.get(item[mergeKey]);
    if (i !== undefined) {
      merged[i] = mergeMap(merged[i] as JsonObject, item, items, lookup);
    } else {
      merged.push(mergeMap({}, item, items, lookup));
      at.set(item[mergeKey], merged.length - 1);
    }
  }
  const [inPatch, serverOnly] = partitionByPresence(merged, patchItems, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, server, mergeKey);
}

/**
 * `$setElementOrder/<field>` (mergePatchIntoOriginal upstream): merge the field's list now, then
 * put the items named in the order list in that order, interleaving server-only items. Consumes
 * the directive and the field from `patch`.
 */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: Schema | undefined, lookup: SchemaLookup): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw malformed(BAD_SET_ELEMENT_ORDER);
    const field = directiveField(key, SET_ELEMENT_ORDER);
    const current = hasKey(original, field) ? original[field] : undefined;
    const patchList = hasKey(patch, field) ? patch[field] : undefined;
    // A missing list, or one the patch deletes or retypes, is left to the ordinary merge.
    if (current === undefined && patchList === undefined) continue;
    if ((current !== undefined && !Array.isArray(current)) || (patchList !== undefined && !Array.isArray(patchList))) continue;

    const meta = fieldMeta(schema, field, lookup);
    const merging = meta.strategy === 'merge';
    checkSetElementOrder(patchList ?? [], order, meta.mergeKey);
    let merged: unknown[];
    if (patchList === undefined) merged = current as unknown[];
    else if (!merging) merged = patchList;
    else merged = mergeList((current ?? []) as unknown[], patchList, meta, lookup);
    delete patch[field];

    if (!meta.mergeKey && merged.some(isObject)) {
      setKey(original, field, merged); // maps without a merge key cannot be matched to the order list
      continue;
    }
    const [inOrder, serverOnly] = partitionByPresence(merged, order, meta.mergeKey);
    setKey(original, field, normalizeElementOrder(inOrder, serverOnly, order, (current ?? []) as unknown[], meta.mergeKey));
  }
}
