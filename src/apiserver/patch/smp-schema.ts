// Patch metadata for strategic merge patch, read from skiff's OpenAPI schemas: the equivalent of
// apimachinery's PatchMetaFromOpenAPI (strategicpatch/meta.go). A field the schema does not know
// has no metadata, which makes strategic merge behave like a JSON merge patch there.
import type { Schema } from '../../api/schema/dsl.ts';

/** Finds a definition by its bare name (e.g. 'io.k8s.api.core.v1.PodSpec'). */
export type SchemaLookup = (name: string) => Schema | undefined;

export interface FieldMeta {
  /** The field's schema with $refs followed, or undefined when unknown. */
  schema: Schema | undefined;
  /** 'merge', 'replace' or '' (the strategy without retainKeys). */
  strategy: string;
  retainKeys: boolean;
  mergeKey: string;
}

const NO_META: FieldMeta = { schema: undefined, strategy: '', retainKeys: false, mergeKey: '' };

/** Follow $refs; an unknown reference (or a preserve-unknown schema) means "no schema". */
export function resolveSchema(s: Schema | undefined, lookup: SchemaLookup): Schema | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref && i < 32; i++) cur = lookup(cur.$ref);
  if (!cur || cur.$ref || cur['x-kubernetes-preserve-unknown-fields']) return undefined;
  return cur;
}

/** Metadata of field `key` of an object whose (resolved) schema is `parent`. */
export function fieldMeta(parent: Schema | undefined, key: string, lookup: SchemaLookup): FieldMeta {
  if (!parent) return NO_META;
  const raw = parent.properties?.[key] ?? (typeof parent.additionalProperties === 'object' ? parent.additionalProperties : undefined);
  if (!raw) return NO_META;
  const schema = resolveSchema(raw, lookup);
  // The DSL puts patch extensions next to a $ref (`{ $ref, 'x-kubernetes-patch-strategy': … }`)
  // or on the array schema itself; read the field's own schema first.
  const strategyText = raw['x-kubernetes-patch-strategy'] ?? schema?.['x-kubernetes-patch-strategy'] ?? '';
  const mergeKey = raw['x-kubernetes-patch-merge-key'] ?? schema?.['x-kubernetes-patch-merge-key'] ?? '';
  const parts = strategyText.split(',').map((p) => p.trim()).filter(Boolean);
  return {
    schema,
    strategy: parts.find((p) => p !== 'retainKeys') ?? '',
    retainKeys: parts.includes('retainKeys'),
    mergeKey,
  };
}

/** The resolved schema of a list's items. */
export function itemSchema(list: Schema | undefined, lookup: SchemaLookup): Schema | undefined {
  return list?.items ? resolveSchema(list.items, lookup) : undefined;
}
