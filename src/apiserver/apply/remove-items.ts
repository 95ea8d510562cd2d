// Removing the fields and items of a set from a value, as structured-merge-diff's
// TypedValue.RemoveItems (typed/remove.go): a member path is dropped whole; atomic values are
// never entered.
import type { FieldSet } from './field-set.ts';
import { fieldElement } from './path-element.ts';
import { fieldSchema, isPlainObject, listItemElement, nodeFor, type SchemaLookup } from './schema-node.ts';
import type { Schema } from '../../api/schema/index.ts';

export function removeItems(v: unknown, set: FieldSet, schema: Schema | undefined, lookup: SchemaLookup): unknown {
  const node = nodeFor(schema, v, lookup);
  if (node.kind === 'scalar' || node.atomic) return v;
  if (node.kind === 'list') {
    if (!Array.isArray(v)) return v;
    const out: unknown[] = [];
    v.forEach((item, i) => {
      let pe;
      try {
        pe = listItemElement(node, item, i, lookup);
      } catch {
        out.push(item);
        return;
      }
      if (set.hasMember(pe)) return;
      const sub = set.withPrefix(pe);
      out.push(sub ? removeItems(item, sub, node.items, lookup) : item);
    });
    return out;
  }
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) {
    const pe = fieldElement(k);
    if (set.hasMember(pe)) continue;
    const sub = set.withPrefix(pe);
    out[k] = sub ? removeItems(child, sub, fieldSchema(node, k).schema, lookup) : child;
  }
  return out;
}
