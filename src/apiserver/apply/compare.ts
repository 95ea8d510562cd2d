// What changed between two values, as structured-merge-diff's TypedValue.Compare
// (typed/compare.go): leaves are added, removed or modified; a granular map or list that appears
// or disappears is itself added or removed (hence `".": {}` in Update entries).
import { FieldSet } from './field-set.ts';
import { fieldElement, serializePathElement, type Path, type PathElement } from './path-element.ts';
import { fieldSchema, isPlainObject, listItemElement, nodeFor, type SchemaLookup, type SchemaNode } from './schema-node.ts';
import { deepEqual } from './values.ts';
import type { Schema } from '../../api/schema/index.ts';

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

export function compareValues(lhs: unknown, rhs: unknown, schema: Schema | undefined, lookup: SchemaLookup): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walk([], lhs, rhs, schema, lookup, c);
  return c;
}

/** Drops ignored fields and everything under them from each part (upstream's Comparison.ExcludeFields). */
export function excludeFields(c: Comparison, ignored: FieldSet): Comparison {
  return { added: c.added.recursiveDifference(ignored), modified: c.modified.recursiveDifference(ignored), removed: c.removed.recursiveDifference(ignored) };
}

function leaf(path: Path, l: unknown, r: unknown, c: Comparison): void {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!deepEqual(l, r)) c.modified.insert(path);
}

function sameKind(a: SchemaNode, b: SchemaNode): boolean {
  return a.kind === b.kind && (a.kind === 'scalar' || a.atomic === (b as typeof a).atomic);
}

function walk(path: Path, l: unknown, r: unknown, schema: Schema | undefined, lookup: SchemaLookup, c: Comparison): void {
  const node = nodeFor(schema, r !== undefined ? r : l, lookup);
  if (l !== undefined && r !== undefined && !sameKind(node, nodeFor(schema, l, lookup))) { leaf(path, l, r, c); return; }
  if (node.kind === 'scalar' || node.atomic) { leaf(path, l, r, c); return; }
  const children = node.kind === 'list' ? listChildren(node, l, r, lookup) : mapChildren(node, l, r);
  if (!children) { leaf(path, l, r, c); return; }
  for (const ch of children) walk([...path, ch.pe], ch.l, ch.r, ch.schema, lookup, c);
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

interface ChildPair { pe: PathElement; l: unknown; r: unknown; schema: Schema | undefined }

/** Undefined when both sides are empty (then the container compares as a leaf) or items cannot be keyed. */
function listChildren(node: Extract<SchemaNode, { kind: 'list' }>, l: unknown, r: unknown, lookup: SchemaLookup): ChildPair[] | undefined {
  const la = Array.isArray(l) ? l : [];
  const ra = Array.isArray(r) ? r : [];
  if (la.length === 0 && ra.length === 0) return undefined;
  const lm = indexItems(node, la, lookup);
  const rm = indexItems(node, ra, lookup);
  if (!lm || !rm) return undefined;
  const out: ChildPair[] = [];
  for (const [k, { pe, item }] of lm) out.push({ pe, l: item, r: rm.get(k)?.item, schema: node.items });
  for (const [k, { pe, item }] of rm) if (!lm.has(k)) out.push({ pe, l: undefined, r: item, schema: node.items });
  return out;
}

/** Items by key, first occurrence winning; undefined if an item has no usable key. */
export function indexItems(node: Extract<SchemaNode, { kind: 'list' }>, items: unknown[], lookup: SchemaLookup): Map<string, { pe: PathElement; item: unknown }> | undefined {
  const m = new Map<string, { pe: PathElement; item: unknown }>();
  for (let i = 0; i < items.length; i++) {
    let pe;
    try {
      pe = listItemElement(node, items[i], i, lookup);
    } catch {
      return undefined;
    }
    const k = serializePathElement(pe);
    if (!m.has(k)) m.set(k, { pe, item: items[i] });
  }
  return m;
}

function mapChildren(node: Extract<SchemaNode, { kind: 'map' }>, l: unknown, r: unknown): ChildPair[] | undefined {
  const lo = isPlainObject(l) ? l : {};
  const ro = isPlainObject(r) ? r : {};
  const keys = new Set([...Object.keys(lo), ...Object.keys(ro)].filter((k) => lo[k] !== undefined || ro[k] !== undefined));
  if (keys.size === 0) return undefined;
  return [...keys].map((k) => ({ pe: fieldElement(k), l: lo[k], r: ro[k], schema: fieldSchema(node, k).schema }));
}
