// What a schema means for field ownership, as upstream's schemaconv turns OpenAPI into
// structured-merge-diff types: scalars are leaves; lists are atomic, sets or map-lists; maps and
// structs are granular unless marked atomic; anything without a schema is "deduced" from its
// value (objects granular, lists atomic), as upstream's untyped/deduced type.
import type { Schema } from '../../api/schema/index.ts';
import { getDefinition } from '../../api/schema/index.ts';
import { indexElement, keyElement, valueElement, type PathElement } from './path-element.ts';

export type SchemaLookup = (name: string) => Schema | undefined;

export const defaultLookup: SchemaLookup = getDefinition;

export type SchemaNode =
  | { kind: 'scalar' }
  | { kind: 'list'; atomic: boolean; keys: readonly string[] | undefined; items: Schema | undefined }
  | { kind: 'map'; atomic: boolean; fields: Readonly<Record<string, Schema>> | undefined; elem: Schema | undefined };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Follows $refs; undefined when a reference cannot be resolved (the value is then deduced). */
export function resolveSchema(s: Schema | undefined, lookup: SchemaLookup): Schema | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref !== undefined && i < 32; i++) cur = lookup(cur.$ref);
  return cur?.$ref !== undefined ? undefined : cur;
}

function deduced(value: unknown): SchemaNode {
  if (isPlainObject(value)) return { kind: 'map', atomic: false, fields: undefined, elem: undefined };
  if (Array.isArray(value)) return { kind: 'list', atomic: true, keys: undefined, items: undefined };
  return { kind: 'scalar' };
}

/**
 * The node for a value under a schema. Where the schema says nothing, or the value does not have
 * the schema's shape, the value decides (so a mismatched value is still tracked, as a leaf).
 */
export function nodeFor(schema: Schema | undefined, value: unknown, lookup: SchemaLookup): SchemaNode {
  const node = schemaNode(resolveSchema(schema, lookup));
  if (!node) return deduced(value);
  if (value === undefined || value === null) return node;
  if (node.kind === 'map' && !isPlainObject(value)) return deduced(value);
  if (node.kind === 'list' && !Array.isArray(value)) return deduced(value);
  if (node.kind === 'scalar' && typeof value === 'object') return deduced(value);
  return node;
}

function schemaNode(s: Schema | undefined): SchemaNode | undefined {
  if (!s) return undefined;
  if (s['x-kubernetes-int-or-string'] || s.format === 'int-or-string') return { kind: 'scalar' };
  if (s.type === 'array' || s.items) {
    const lt = s['x-kubernetes-list-type'] ?? legacyListType(s);
    const keys = lt === 'map' ? s['x-kubernetes-list-map-keys'] : undefined;
    if (lt === 'map' && (!keys || keys.length === 0)) return { kind: 'list', atomic: true, keys: undefined, items: s.items };
    return { kind: 'list', atomic: lt === undefined || lt === 'atomic', keys, items: s.items };
  }
  if (s.type === 'object' || s.properties || s.additionalProperties !== undefined || s['x-kubernetes-preserve-unknown-fields']) {
    const elem = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    return { kind: 'map', atomic: s['x-kubernetes-map-type'] === 'atomic', fields: s.properties, elem };
  }
  if (s.type) return { kind: 'scalar' };
  return undefined;
}

/** Lists without x-kubernetes-list-type but with a strategic-merge strategy, as schemaconv reads them. */
function legacyListType(s: Schema): 'set' | 'map' | undefined {
  if (!s['x-kubernetes-patch-strategy']?.split(',').includes('merge')) return undefined;
  return s['x-kubernetes-patch-merge-key'] ? 'map' : 'set';
}

/** The schema of a map entry, and whether it is a declared struct field. */
export function fieldSchema(node: Extract<SchemaNode, { kind: 'map' }>, key: string): { schema: Schema | undefined; declared: boolean } {
  if (node.fields && Object.hasOwn(node.fields, key)) return { schema: node.fields[key], declared: true };
  return { schema: node.elem, declared: false };
}

/** The path element of a list item (upstream's listItemToPathElement); throws on malformed items. */
export function listItemElement(node: Extract<SchemaNode, { kind: 'list' }>, item: unknown, index: number, lookup: SchemaLookup): PathElement {
  if (node.atomic) return indexElement(index);
  if (node.keys) {
    if (!isPlainObject(item)) throw new Error('associative list with keys may not have non-map elements');
    const itemSchema = resolveSchema(node.items, lookup);
    const fields: Array<[string, unknown]> = [];
    for (const k of node.keys) {
      if (item[k] !== undefined && item[k] !== null) fields.push([k, item[k]]);
      else {
        const def = resolveSchema(itemSchema?.properties?.[k], lookup)?.default;
        if (def === undefined) throw new Error(`associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
        fields.push([k, def]);
      }
    }
    return keyElement(fields);
  }
  if (isPlainObject(item)) throw new Error("associative list without keys has an element that's a map type");
  if (Array.isArray(item)) throw new Error("associative list without keys has an element that's a list type");
  return valueElement(item);
}
