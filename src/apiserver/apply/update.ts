// managedFields for writes that are not apply (create, update, patch): the manager takes every
// field the write added or changed, from whoever owned it. Mirrors structured-merge-diff's
// Updater.Update and upstream's managedFieldsUpdater ("current-operation" merged into the
// manager's entry, whose time moves only when it took something) and fieldmanager.go's
// decodeLiveOrNew (a reset with `managedFields: []`, the live entries when the request's are
// missing or cannot be decoded, and always the live entries on subresources).
import type { KubeObject, ManagedFieldsEntry } from '../../api/meta.ts';
import { compareValues, excludeFields } from './compare.ts';
import {
  capUpdateManagers, checkManagedFieldsShape, decodeManagedFields, encodeManagedFields, isResetManagedFields, managerId, type Managers,
} from './managed-fields.ts';
import { defaultLookup, isPlainObject, type SchemaLookup } from './schema-node.ts';
import { defaultResetFields, pathsToSet, STRIPPED_FIELDS, withZeroStructs } from './special-fields.ts';

export interface UpdateOptions {
  old: KubeObject | undefined;
  next: KubeObject;
  manager: string;
  defName: string;
  apiVersion: string;
  now: string;
  subresource?: string;
  lookup?: SchemaLookup;
  resetFields?: string[][];
}

export function updateManagedFields(opts: UpdateOptions): ManagedFieldsEntry[] {
  const lookup = opts.lookup ?? defaultLookup;
  const schema = lookup(opts.defName);
  const requested: unknown = opts.next.metadata?.managedFields;
  checkManagedFieldsShape(requested);
  const managers = startingManagers(opts, requested);

  const resetSet = pathsToSet(opts.resetFields ?? defaultResetFields(opts.subresource));
  const view = (o: KubeObject | undefined): Record<string, unknown> => withZeroStructs(withoutManagedFields(o), schema, lookup);
  const cmp = excludeFields(compareValues(view(opts.old), view(opts.next), schema, lookup), resetSet);
  const changed = cmp.modified.union(cmp.added);

  for (const [mid, m] of managers) {
    m.set = m.set.difference(changed).difference(cmp.removed);
    if (m.set.isEmpty()) managers.delete(mid);
  }
  const taken = changed.difference(cmp.removed).difference(STRIPPED_FIELDS);
  if (!taken.isEmpty()) {
    const manager = opts.manager || 'unknown';
    const id = managerId({ manager, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
    const prev = managers.get(id);
    managers.set(id, {
      manager, operation: 'Update', apiVersion: opts.apiVersion, time: opts.now,
      set: prev ? taken.union(prev.set) : taken,
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    });
  }
  capUpdateManagers(managers);
  return encodeManagedFields(managers);
}

function startingManagers(opts: UpdateOptions, requested: unknown): Managers {
  const live = (): Managers => {
    try {
      return decodeManagedFields(opts.old?.metadata.managedFields);
    } catch {
      return new Map();
    }
  };
  if (opts.subresource) return live();
  if (isResetManagedFields(requested)) return new Map();
  try {
    const m = decodeManagedFields(requested as ManagedFieldsEntry[] | undefined);
    return m.size > 0 ? m : live();
  } catch {
    return live();
  }
}

/** A shallow view of o without metadata.managedFields (nothing below is copied: the comparison only reads). */
function withoutManagedFields(o: KubeObject | undefined): Record<string, unknown> {
  if (!o) return {};
  if (!isPlainObject(o.metadata) || !('managedFields' in o.metadata)) return o;
  const { managedFields: _mf, ...metadata } = o.metadata;
  return { ...o, metadata };
}
