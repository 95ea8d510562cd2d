// Registry schemas (bare definition names in `$ref`) rendered for a document: refs become JSON
// pointers into it, and references to definitions the registry does not have become free-form
// schemas, so a document never points at something it does not contain (kubectl rejects a v2
// document with a dangling reference outright: kube-openapi pkg/util/proto/document.go).
import type { Definitions, Schema } from '../../api/schema/index.ts';

export type JsonSchema = { [key: string]: unknown };
export type Dialect = 'v2' | 'v3';

const REF_PREFIX: Record<Dialect, string> = { v2: '#/definitions/', v3: '#/components/schemas/' };

export function refPointer(dialect: Dialect, name: string): string {
  return REF_PREFIX[dialect] + name;
}

/**
 * A reference to a definition, or an open object schema when the registry lacks it. In v3 a
 * reference with siblings is wrapped in allOf, since siblings of $ref are ignored there (as
 * kube-openapi's builder3 does); v2 readers take the description beside $ref.
 */
export function renderRef(dialect: Dialect, name: string, defs: Readonly<Definitions>, siblings: JsonSchema = {}): JsonSchema {
  if (!Object.hasOwn(defs, name)) return { type: 'object', ...siblings };
  const ref = { $ref: refPointer(dialect, name) };
  if (Object.keys(siblings).length === 0) return ref;
  return dialect === 'v3' ? { allOf: [ref], ...siblings } : { ...ref, ...siblings };
}

export function renderSchema(dialect: Dialect, s: Schema, defs: Readonly<Definitions>): JsonSchema {
  if (s.$ref !== undefined) {
    const { $ref, ...rest } = s;
    const siblings = renderPlain(dialect, rest, defs);
    if (!Object.hasOwn(defs, $ref)) return siblings;
    return renderRef(dialect, $ref, defs, siblings);
  }
  return renderPlain(dialect, s, defs);
}

function renderPlain(dialect: Dialect, s: Schema, defs: Readonly<Definitions>): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(s) as Array<[string, unknown]>) {
    if (value === undefined) continue;
    if (key === 'properties') {
      const props: JsonSchema = {};
      for (const [name, sub] of Object.entries(value as Record<string, Schema>)) props[name] = renderSchema(dialect, sub, defs);
      out.properties = props;
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = renderSchema(dialect, value as Schema, defs);
    } else if ((key === 'allOf' || key === 'oneOf' || key === 'anyOf') && Array.isArray(value)) {
      out[key] = (value as Schema[]).map((sub) => renderSchema(dialect, sub, defs));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The names a schema refers to directly. */
export function refsOf(s: Schema, out = new Set<string>()): Set<string> {
  if (s.$ref !== undefined) out.add(s.$ref);
  for (const sub of Object.values(s.properties ?? {})) refsOf(sub, out);
  if (s.items) refsOf(s.items, out);
  if (typeof s.additionalProperties === 'object') refsOf(s.additionalProperties, out);
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const list = (s as Record<string, unknown>)[key];
    if (Array.isArray(list)) for (const sub of list as Schema[]) refsOf(sub, out);
  }
  return out;
}

/** The definitions reachable from `roots` (those the registry has), sorted by name. */
export function definitionClosure(roots: Iterable<string>, defs: Readonly<Definitions>): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name) || !Object.hasOwn(defs, name)) continue;
    seen.add(name);
    for (const r of refsOf(defs[name]!)) if (!seen.has(r)) queue.push(r);
  }
  return [...seen].sort();
}
