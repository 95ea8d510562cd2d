// Merging an applied configuration into the live object, as structured-merge-diff's
// TypedValue.Merge with ruleKeepRHS (typed/merge.go): the configuration wins on every leaf;
// granular maps merge by field, sets and map-lists by item (keeping live order where the
// configuration does not reorder); atomic values are replaced whole. A null in the configuration
// removes the field, as decoding null into a typed object does.
import { indexItems } from './compare.ts';
import { fieldSchema, isPlainObject, nodeFor, type SchemaLookup, type SchemaNode } from './schema-node.ts';
import { clone } from './values.ts';
import type { Schema } from '../../api/schema/index.ts';

export function mergeValues(lhs: unknown, rhs: unknown, schema: Schema | undefined, lookup: SchemaLookup): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || lhs === null) return dropNulls(clone(rhs));
  const node = nodeFor(schema, rhs, lookup);
  if (node.kind === 'scalar' || node.atomic) return clone(rhs);
  if (node.kind === 'map') {
    if (!isPlainObject(lhs) || !isPlainObject(rhs)) return dropNulls(clone(rhs));
    const out: Record<string, unknown> = { ...lhs };
    for (const [k, rv] of Object.entries(rhs)) {
      if (rv === undefined) continue;
      if (rv === null) delete out[k];
      else out[k] = mergeValues(lhs[k], rv, fieldSchema(node, k).schema, lookup);
    }
    return out;
  }
  if (!Array.isArray(lhs) || !Array.isArray(rhs)) return clone(rhs);
  return mergeLists(node, lhs, rhs, lookup) ?? clone(rhs);
}

function dropNulls<T>(v: T): T {
  if (Array.isArray(v)) for (const x of v) dropNulls(x);
  else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else dropNulls(x);
    }
  }
  return v;
}

/** Item order as upstream's visitListItems: live items stay put unless the configuration reorders shared ones. */
function mergeLists(node: Extract<SchemaNode, { kind: 'list' }>, lhs: unknown[], rhs: unknown[], lookup: SchemaLookup): unknown[] | undefined {
  const lm = indexItems(node, lhs, lookup);
  const rm = indexItems(node, rhs, lookup);
  if (!lm || !rm) return undefined;
  const lOrder = [...lm.keys()];
  const rOrder = [...rm.keys()];
  const shared = rOrder.filter((k) => lm.has(k));
  let nextShared = shared.shift();
  const out: unknown[] = [];
  const take = (k: string): void => { out.push(mergeValues(lm.get(k)?.item, rm.get(k)?.item, node.items, lookup)); };
  let li = 0;
  let ri = 0;
  while (li < lOrder.length || ri < rOrder.length) {
    if (li < lOrder.length && ri < rOrder.length) {
      const lk = lOrder[li]!;
      if (lk === rOrder[ri]) {
        take(lk);
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (rm.has(lk) && nextShared !== undefined && nextShared !== lk) { li++; continue; }
    }
    if (li < lOrder.length) {
      const lk = lOrder[li]!;
      if (!rm.has(lk)) { take(lk); li++; continue; }
    }
    if (ri < rOrder.length) {
      const rk = rOrder[ri]!;
      take(rk);
      ri++;
      if (nextShared !== undefined && nextShared === rk) nextShared = shared.shift();
    }
  }
  return out;
}
