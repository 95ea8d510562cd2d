// The set of fields a value sets, as structured-merge-diff's typed/tofieldset.go: scalars,
// atomic lists and maps are leaves; every list item is a member; a map entry is a member when it is
// null or an empty map, or when it is not a declared struct field (labels, annotations, ...).
import { FieldSet } from './field-set.ts';
import { describePath, fieldElement, serializePathElement, type Path } from './path-element.ts';
import { fieldSchema, isPlainObject, listItemElement, nodeFor, type SchemaLookup } from './schema-node.ts';
import type { Schema } from '../../api/schema/index.ts';

/** A value that does not fit its schema (duplicate or missing list keys); the message names the path. */
export class TypedValueError extends Error {
  constructor(path: Path, detail: string) {
    super(path.length ? `${describePath(path)}: ${detail}` : detail);
    this.name = 'TypedValueError';
  }
}

/**
 * Strict mode (for applied configurations) rejects list items without keys and duplicate keys;
 * otherwise such items are skipped, as upstream tolerates them in live objects.
 */
export function toFieldSet(value: unknown, schema: Schema | undefined, lookup: SchemaLookup, strict = false): FieldSet {
  const set = new FieldSet();
  walk(value, schema, [], set, lookup, strict);
  return set;
}

function walk(v: unknown, schema: Schema | undefined, path: Path, set: FieldSet, lookup: SchemaLookup, strict: boolean): void {
  const node = nodeFor(schema, v, lookup);
  if (node.kind === 'scalar') { set.insert(path); return; }
  if (node.atomic) { set.insert(path); return; }
  if (node.kind === 'list') {
    if (!Array.isArray(v)) return;
    const seen = new Set<string>();
    v.forEach((item, i) => {
      let pe;
      try {
        pe = listItemElement(node, item, i, lookup);
      } catch (err) {
        if (strict) throw new TypedValueError(path, `element ${i}: ${(err as Error).message}`);
        return;
      }
      const key = serializePathElement(pe);
      if (seen.has(key)) {
        if (strict) throw new TypedValueError(path, `duplicate entries for key ${describePath([pe])}`);
        return;
      }
      seen.add(key);
      const itemPath = [...path, pe];
      walk(item, node.items, itemPath, set, lookup, strict);
      set.insert(itemPath);
    });
    return;
  }
  if (!isPlainObject(v)) return;
  for (const [key, child] of Object.entries(v)) {
    if (child === undefined) continue;
    const { schema: cs, declared } = fieldSchema(node, key);
    const childPath = [...path, fieldElement(key)];
    walk(child, cs, childPath, set, lookup, strict);
    if (child === null || (isPlainObject(child) && Object.keys(child).length === 0) || !declared) set.insert(childPath);
  }
}
