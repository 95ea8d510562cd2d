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

type Step =
  | { visit: unknown; schema: Schema; path: string }
  | { unknown: string; owner: Record<string, unknown>; key: string };

/**
 * Depth-first, in document order, with an explicit stack: a client's nesting must not become ours
 * (10,000 levels overflowed the recursive walk). Paths are built only for objects and unknowns, so
 * a 100,000-element list of strings costs no strings.
 */
function walk(root: unknown, schema: Schema, lookup: DefinitionLookup, out: string[], prune: boolean): void {
  const stack: Step[] = [{ visit: root, schema, path: '' }];
  for (let step = stack.pop(); step; step = stack.pop()) {
    if ('unknown' in step) {
      out.push(step.unknown);
      if (prune) delete step.owner[step.key];
      continue;
    }
    const { visit: value, path } = step;
    if (value === null || typeof value !== 'object') continue;
    const s = resolveWith(step.schema, lookup);
    if (!s) continue;
    const next: Step[] = [];
    if (Array.isArray(value)) {
      const items = s.items;
      if (!items) continue;
      value.forEach((item, i) => {
        if (item !== null && typeof item === 'object') next.push({ visit: item, schema: items, path: `${path}[${i}]` });
      });
    } else {
      const obj = value as Record<string, unknown>;
      const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
      const props = s.properties;
      const additional = s.additionalProperties;
      // An object schema that names no fields at all (e.g. a free-form map) accepts anything.
      const open = preserve || additional === true || (props === undefined && additional === undefined);
      for (const [k, v] of Object.entries(obj)) {
        const known = props && Object.hasOwn(props, k) ? props[k] : undefined;
        const p = path ? `${path}.${k}` : k;
        if (known) next.push({ visit: v, schema: known, path: p });
        else if (typeof additional === 'object') next.push({ visit: v, schema: additional, path: p });
        else if (!open) next.push({ unknown: p, owner: obj, key: k });
      }
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
  }
}

/**
 * The paths of fields in `obj` that the definition `defName` (and what it references) does not
 * declare. `lookup` defaults to the built-in schema registry.
 */
export function unknownFields(defName: string, obj: unknown, lookup: DefinitionLookup = getDefinition): string[] {
  const out: string[] = [];
  walk(obj, { $ref: defName }, lookup, out, false);
  return out;
}

/**
 * Remove the fields the schema does not know (what decoding into typed objects does upstream
 * under fieldValidation Warn and Ignore); returns their paths.
 */
export function pruneUnknownFields(defName: string, obj: unknown, lookup: DefinitionLookup = getDefinition): string[] {
  const out: string[] = [];
  walk(obj, { $ref: defName }, lookup, out, true);
  return out;
}
