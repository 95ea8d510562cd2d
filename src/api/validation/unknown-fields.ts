// Strict field validation: the fields of an object its schema does not know, as the paths upstream's
// strict decoding reports (`unknown field "spec.containers[0].imagee"`; the caller adds the wording).
// Mirrors the pruning walk of k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning.
import { getDefinition } from '../schema/index.ts';
import type { Schema } from '../schema/index.ts';

export type DefinitionLookup = (name: string) => Schema | undefined;

const MAX_REF_DEPTH = 32;

/** Follow $refs; an unknown definition (not registered yet) accepts anything. */
function resolveWith(s: Schema, lookup: DefinitionLookup): Schema | undefined {
  let cur = s;
  for (let i = 0; cur.$ref && i < MAX_REF_DEPTH; i++) {
    const next = lookup(cur.$ref);
    if (!next) return undefined;
    cur = next;
  }
  return cur.$ref ? undefined : cur;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(value: unknown, schema: Schema, path: string, lookup: DefinitionLookup, out: string[], prune = false): void {
  const s = resolveWith(schema, lookup);
  if (!s) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => walk(item, s.items!, `${path}[${i}]`, lookup, out, prune));
    return;
  }
  if (!isPlainObject(value)) return;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const props = s.properties;
  const additional = s.additionalProperties;
  // An object schema that names no fields at all (e.g. a free-form map) accepts anything.
  const open = preserve || additional === true || (props === undefined && additional === undefined);
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    const known = props?.[k];
    if (known) walk(v, known, p, lookup, out, prune);
    else if (typeof additional === 'object') walk(v, additional, p, lookup, out, prune);
    else if (!open) {
      out.push(p);
      if (prune) delete value[k];
    }
  }
}

/**
 * The paths of fields in `obj` that the definition `defName` (and what it references) does not
 * declare. `lookup` defaults to the built-in schema registry.
 */
export function unknownFields(defName: string, obj: unknown, lookup: DefinitionLookup = getDefinition): string[] {
  const out: string[] = [];
  walk(obj, { $ref: defName }, '', lookup, out);
  return out;
}

/**
 * Remove the fields the schema does not know (what decoding into typed objects does upstream
 * under fieldValidation Warn and Ignore); returns their paths.
 */
export function pruneUnknownFields(defName: string, obj: unknown, lookup: DefinitionLookup = getDefinition): string[] {
  const out: string[] = [];
  walk(obj, { $ref: defName }, '', lookup, out, true);
  return out;
}
