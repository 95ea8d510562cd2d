// Structural defaulting: every absent property whose schema has a default gets a copy of it, at
// every depth, in properties, additionalProperties and items
// (apiextensions-apiserver pkg/apiserver/schema/defaulting/algorithm.go). Nulls of fields that
// are not nullable are dropped first, so a default replaces them (prunenulls.go).
import type { JSONSchemaProps } from '../../../api/types/apiextensions-v1.ts';

type Obj = Record<string, unknown>;

export function applySchemaDefaults(s: JSONSchemaProps | undefined, value: unknown): void {
  if (!s || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (s.items) for (const item of value) applySchemaDefaults(s.items, item);
    return;
  }
  const obj = value as Obj;
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    if (obj[k] === null && !ps.nullable && ps.default !== undefined) delete obj[k];
    if (!Object.hasOwn(obj, k) && ps.default !== undefined) obj[k] = structuredClone(ps.default);
  }
  for (const [k, v] of Object.entries(obj)) {
    const ps = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (ps) applySchemaDefaults(ps, v);
  }
}
