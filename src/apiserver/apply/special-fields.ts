// Fields ownership treats specially: metadata that is never owned (upstream's stripmeta.go),
// fields a write to one endpoint may not set (the strategies' GetResetFields), and the empty
// structs a Go object always carries (so comparisons see `spec: {}` where Go would).
import type { Schema } from '../../api/schema/index.ts';
import { FieldSet } from './field-set.ts';
import { fieldElement, type Path } from './path-element.ts';
import { isPlainObject, nodeFor, resolveSchema, type SchemaLookup } from './schema-node.ts';

const f = (...names: string[]): Path => names.map(fieldElement);

/** Never part of any manager's set. */
export const STRIPPED_FIELDS = FieldSet.of(
  f('apiVersion'), f('kind'), f('metadata'), f('metadata', 'name'), f('metadata', 'namespace'),
  f('metadata', 'creationTimestamp'), f('metadata', 'selfLink'), f('metadata', 'uid'), f('metadata', 'clusterName'),
  f('metadata', 'generation'), f('metadata', 'managedFields'), f('metadata', 'resourceVersion'),
);

/**
 * What a write through an endpoint resets rather than sets: status for the main resource, spec
 * for the status subresource (the common shape of upstream's per-kind GetResetFields).
 */
export function defaultResetFields(subresource: string | undefined): string[][] {
  if (!subresource) return [['status']];
  if (subresource === 'status') return [['spec']];
  return [];
}

export function pathsToSet(paths: readonly (readonly string[])[]): FieldSet {
  return FieldSet.of(...paths.map((p) => f(...p)));
}

/** Sets each path of target to its value in source (or removes it); used to reset fields. */
export function resetPaths(target: Record<string, unknown>, source: Record<string, unknown> | undefined, paths: readonly (readonly string[])[]): void {
  for (const p of paths) {
    let t: unknown = target;
    let s: unknown = source;
    for (let i = 0; i < p.length - 1; i++) {
      const k = p[i]!;
      s = isPlainObject(s) ? s[k] : undefined;
      if (!isPlainObject(t)) break;
      if (!isPlainObject(t[k])) {
        if (s === undefined) { t = undefined; break; }
        t[k] = {};
      }
      t = t[k];
    }
    const last = p[p.length - 1]!;
    const v = isPlainObject(s) ? s[last] : undefined;
    if (!isPlainObject(t)) continue;
    if (v === undefined) delete t[last];
    else t[last] = structuredClone(v);
  }
}

/**
 * A copy of obj as Go would serialize it for comparison: non-pointer structs are always there
 * (`{}`), and fields without omitempty (required in the schema) are at least null. Here the
 * always-present structs are the top-level ones (metadata, spec, status), nested metadata/spec
 * and required ones. The schema cannot tell pointers from values, so this approximates upstream;
 * it only decides whether an Update entry marks a container itself (`".": {}`).
 */
export function withZeroStructs(obj: Record<string, unknown>, schema: Schema | undefined, lookup: SchemaLookup): Record<string, unknown> {
  return fill(obj, schema, lookup, true, 0);
}

/** Copy-on-write: only the structs that gain a field are copied (shallowly); the rest is shared. */
function fill(v: Record<string, unknown>, schema: Schema | undefined, lookup: SchemaLookup, root: boolean, depth: number): Record<string, unknown> {
  if (depth > 16) return v;
  const s = resolveSchema(schema, lookup);
  const node = nodeFor(s, v, lookup);
  if (node.kind !== 'map' || node.atomic || !node.fields) return v;
  let out = v;
  const set = (name: string, value: unknown): void => {
    if (out === v) out = { ...v };
    out[name] = value;
  };
  for (const [name, fs] of Object.entries(node.fields)) {
    const child = nodeFor(fs, undefined, lookup);
    const required = s?.required?.includes(name) ?? false;
    const struct = child.kind === 'map' && !child.atomic && child.fields !== undefined;
    if (v[name] === undefined) {
      if (struct && (root || required || name === 'metadata' || name === 'spec')) set(name, {});
      else if (required) set(name, null);
    }
    const cv = out[name];
    if (struct && isPlainObject(cv)) {
      const filled = fill(cv, fs, lookup, false, depth + 1);
      if (filled !== cv) set(name, filled);
    }
  }
  return out;
}
