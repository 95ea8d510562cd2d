// Removing what an applier stopped applying, as structured-merge-diff's Updater.prune
// (merge/update.go): fields the manager applied last time and not this time are removed unless
// another manager (applier or updater) or the new configuration still owns them.
import type { Schema } from '../../api/schema/index.ts';
import { FieldSet } from './field-set.ts';
import type { Managers } from './managed-fields.ts';
import { removeItems } from './remove-items.ts';
import type { SchemaLookup } from './schema-node.ts';
import { toFieldSet } from './to-field-set.ts';

export function prune(merged: unknown, managers: Managers, lastSet: FieldSet | undefined, schema: Schema | undefined, lookup: SchemaLookup): unknown {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const setOf = (v: unknown): FieldSet => toFieldSet(v, schema, lookup).ensureNamedFieldsAreMembers();
  const last = lastSet.ensureNamedFieldsAreMembers();
  let pruned = removeItems(merged, last, schema, lookup);
  // Add back what any manager (or the new configuration) owns.
  let managed = new FieldSet();
  for (const m of managers.values()) managed = managed.union(m.set);
  const mergedSet = setOf(merged);
  pruned = removeItems(merged, mergedSet.difference(setOf(pruned).union(managed.ensureNamedFieldsAreMembers())), schema, lookup);
  // Add back what the manager did not own last time (nothing it never applied may go).
  return removeItems(merged, mergedSet.difference(setOf(pruned)).intersection(last), schema, lookup);
}
