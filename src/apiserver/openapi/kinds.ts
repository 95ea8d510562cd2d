// Which definition describes which kind (from their x-kubernetes-group-version-kind), and the
// schemas of operation bodies rendered from that.
import type { GVK } from '../../api/schema/dsl.ts';
import type { Definitions } from '../../api/schema/index.ts';
import type { BodySpec } from './operations.ts';
import { renderRef, type Dialect, type JsonSchema } from './render-schema.ts';

export type KindIndex = ReadonlyMap<string, string>;

export const gvkKey = (g: GVK): string => `${g.group}/${g.version}/${g.kind}`;

export function indexKinds(defs: Readonly<Definitions>): KindIndex {
  const out = new Map<string, string>();
  for (const name of Object.keys(defs).sort()) {
    for (const g of defs[name]!['x-kubernetes-group-version-kind'] ?? []) if (!out.has(gvkKey(g))) out.set(gvkKey(g), name);
  }
  return out;
}

/** The definition a body refers to, if the registry has it. */
export function bodyDefinition(body: BodySpec, kinds: KindIndex, defs: Readonly<Definitions>): string | undefined {
  if ('string' in body) return undefined;
  const name = 'gvk' in body ? kinds.get(gvkKey(body.gvk)) : body.definition;
  return name !== undefined && Object.hasOwn(defs, name) ? name : undefined;
}

export function bodySchema(dialect: Dialect, body: BodySpec, kinds: KindIndex, defs: Readonly<Definitions>): JsonSchema {
  if ('string' in body) return { type: 'string' };
  const name = bodyDefinition(body, kinds, defs);
  return name === undefined ? { type: 'object' } : renderRef(dialect, name, defs);
}

/** GVK as upstream writes it in operation extensions: one object, keys in Go's sorted order. */
export function gvkExtension(g: GVK): { group: string; kind: string; version: string } {
  return { group: g.group, kind: g.kind, version: g.version };
}
