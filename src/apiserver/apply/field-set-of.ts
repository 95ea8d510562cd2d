// The fields an object sets, as its owner would be recorded for them.
import type { KubeObject } from '../../api/meta.ts';
import type { FieldSet } from './field-set.ts';
import { defaultLookup, isPlainObject, type SchemaLookup } from './schema-node.ts';
import { STRIPPED_FIELDS } from './special-fields.ts';
import { toFieldSet } from './to-field-set.ts';

/** Leaf fields and list items of obj under its schema, without apiVersion, kind and server-owned metadata. */
export function fieldSetOf(obj: KubeObject, defName: string, lookup: SchemaLookup = defaultLookup): FieldSet {
  const c: Record<string, unknown> = structuredClone(obj);
  if (isPlainObject(c.metadata)) delete c.metadata.managedFields;
  return toFieldSet(c, lookup(defName), lookup).difference(STRIPPED_FIELDS);
}
