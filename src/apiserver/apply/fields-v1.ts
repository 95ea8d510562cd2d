// The fieldsV1 wire form of a field set, as upstream writes and reads it
// (structured-merge-diff fieldpath/serialize.go): one JSON object per level keyed by serialized
// path elements; `{}` marks a member leaf and `".": {}` marks a member that also has children.
import { MAX_NESTING_DEPTH } from '../json-bounds.ts';
import { FieldSet } from './field-set.ts';
import { comparePathElements, parsePathElement, serializePathElement, UnknownPathElementTypeError, type PathElement } from './path-element.ts';

export interface FieldsV1 { [key: string]: FieldsV1 }

export function fieldSetToFieldsV1(set: FieldSet): FieldsV1 {
  return emit(set, false);
}

function emit(set: FieldSet, includeSelf: boolean): FieldsV1 {
  const entries = new Map<string, { pe: PathElement; member: boolean; child?: FieldSet }>();
  for (const pe of set.sortedMembers()) entries.set(serializePathElement(pe), { pe, member: true });
  for (const c of set.sortedChildren()) {
    const key = serializePathElement(c.pe);
    entries.set(key, { pe: c.pe, member: entries.has(key), child: c.set });
  }
  const out: FieldsV1 = {};
  if (includeSelf && entries.size > 0) out['.'] = {};
  const sorted = [...entries].sort((a, b) => comparePathElements(a[1].pe, b[1].pe));
  for (const [key, e] of sorted) out[key] = e.child ? emit(e.child, e.member) : {};
  return out;
}

/** Parses fieldsV1; unknown path element types are skipped, as upstream does. */
export function fieldsV1ToFieldSet(fields: unknown): FieldSet {
  if (fields === null || fields === undefined) return new FieldSet();
  if (typeof fields !== 'object' || Array.isArray(fields)) throw new Error(`ReadMapCB: expect { or n, but found ${JSON.stringify(fields).slice(0, 1)}`);
  return read(fields as Record<string, unknown>, 1).children ?? new FieldSet();
}

/**
 * `depth` bounds the recursion: fieldsV1 arrives from clients inside managedFields (create, update,
 * patch), and no real object nests deeper than a request body may.
 */
function read(obj: Record<string, unknown>, depth: number): { children: FieldSet | undefined; isMember: boolean } {
  if (depth > MAX_NESTING_DEPTH) throw new Error(`fieldsV1 is nested deeper than ${MAX_NESTING_DEPTH} levels`);
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [key, val] of Object.entries(obj)) {
    if (key === '.') { isMember = true; continue; }
    let pe;
    try {
      pe = parsePathElement(key);
    } catch (err) {
      if (err instanceof UnknownPathElementTypeError) continue;
      throw new Error(`parsing key as path element: ${(err as Error).message}`, { cause: err });
    }
    if (val !== null && (typeof val !== 'object' || Array.isArray(val))) throw new Error(`ReadMapCB: expect { or n, but found ${JSON.stringify(val).slice(0, 1)}`);
    const sub = val === null ? { children: undefined, isMember: true } : read(val as Record<string, unknown>, depth + 1);
    if (sub.isMember) (children ??= new FieldSet()).insertMember(pe);
    if (sub.children && !sub.children.isEmpty()) {
      children ??= new FieldSet();
      const target = children.descend(pe);
      for (const p of sub.children.paths()) target.insert(p);
    }
  }
  if (!children) isMember = true;
  return { children, isMember };
}
