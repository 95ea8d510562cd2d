// Server-side apply: merge an applied configuration into the live object and record what the
// applier owns. Mirrors structured-merge-diff's Updater.Apply (merge/update.go) wrapped the way
// k8s.io/apimachinery/pkg/util/managedfields/internal/fieldmanager.go wraps it (version check,
// managedFields decoding, stripped metadata, timestamps, capped update managers).
import { badRequest, internalError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { compareValues, excludeFields } from './compare.ts';
import { conflictError, type Conflict } from './conflict.ts';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, managerId, type ManagerEntry, type Managers } from './managed-fields.ts';
import { mergeValues } from './merge.ts';
import { prune } from './prune.ts';
import { defaultLookup, isPlainObject, type SchemaLookup } from './schema-node.ts';
import { defaultResetFields, pathsToSet, resetPaths, STRIPPED_FIELDS, withZeroStructs } from './special-fields.ts';
import { toFieldSet, TypedValueError } from './to-field-set.ts';
import { gvkString, kindFromSchema } from './type-meta.ts';
import { deepEqual } from './values.ts';

export interface ApplyOptions {
  live: KubeObject | undefined;
  patch: KubeObject;
  manager: string;
  force: boolean;
  defName: string;
  apiVersion: string;
  now: string;
  subresource?: string;
  lookup?: SchemaLookup;
  /** The kind the endpoint serves; defaults to the schema's GVK for apiVersion, then the live kind. */
  kind?: string;
  /** Paths this endpoint resets instead of setting; defaults per subresource (see defaultResetFields). */
  resetFields?: string[][];
}

const IDENTITY = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'selfLink'];

export function applyServerSide(opts: ApplyOptions): KubeObject {
  try {
    return applyChecked(opts);
  } catch (err) {
    // The walkers recurse once per level of the applied configuration, whose depth the body
    // decoder bounds; should a stack still overflow, that is the request's doing, not a 500.
    if (err instanceof RangeError) throw badRequest(`failed to apply the configuration: ${err.message.slice(0, 128)}`);
    throw err;
  }
}

function applyChecked(opts: ApplyOptions): KubeObject {
  const lookup = opts.lookup ?? defaultLookup;
  const schema = lookup(opts.defName);
  const kind = opts.kind ?? kindFromSchema(schema, opts.apiVersion) ?? opts.live?.kind;
  const patch = opts.patch;
  if (patch.apiVersion !== opts.apiVersion || (kind !== undefined && patch.kind !== kind)) {
    throw badRequest(`invalid object type: ${gvkString(String(patch.apiVersion ?? ''), String(patch.kind ?? ''))}`);
  }
  const meta: unknown = patch.metadata;
  if (meta !== undefined && meta !== null && !isPlainObject(meta)) {
    throw badRequest(`the applied configuration's metadata must be an object, got ${Array.isArray(meta) ? 'array' : typeof meta}`);
  }
  if (patch.metadata?.managedFields !== undefined && patch.metadata.managedFields !== null) throw badRequest('metadata.managedFields must be nil');

  let managers: Managers;
  try {
    managers = decodeManagedFields(opts.live?.metadata.managedFields);
  } catch (err) {
    throw internalError(new Error(`failed to decode managed fields: ${(err as Error).message}`, { cause: err }));
  }
  const live = withoutManagedFields(opts.live) ?? {};
  const reset = opts.resetFields ?? defaultResetFields(opts.subresource);
  const resetSet = pathsToSet(reset);

  let configSet;
  try {
    configSet = toFieldSet(patch, schema, lookup, true).recursiveDifference(resetSet);
  } catch (err) {
    if (!(err instanceof TypedValueError)) throw err;
    // Upstream returns this as a plain error (a 500); it is the applied configuration that is
    // wrong (duplicate or missing list-map keys), so skiff answers 400 with the same message.
    const ns = String(patch.metadata?.namespace ?? '').slice(0, 253);
    const name = String(patch.metadata?.name ?? '').slice(0, 253);
    throw badRequest(`failed to create typed patch object (${ns}/${name}; ${gvkString(opts.apiVersion, String(patch.kind ?? '').slice(0, 63))}): ${capped(err.message, 512)}`);
  }

  const manager = opts.manager || 'unknown';
  const id = managerId({ manager, operation: 'Apply', apiVersion: opts.apiVersion, subresource: opts.subresource });
  const prev = managers.get(id);
  const applier: ManagerEntry = { manager, operation: 'Apply', apiVersion: opts.apiVersion, set: configSet };
  if (opts.subresource) applier.subresource = opts.subresource;
  managers.set(id, applier);

  const merged = mergeValues(live, patch, schema, lookup) as Record<string, unknown>;
  const next = prune(merged, managers, prev?.set.recursiveDifference(resetSet), schema, lookup) as Record<string, unknown>;
  keepIdentity(next, merged);
  resetPaths(next, live, reset);

  takeOwnership(managers, id, live, next, opts, resetSet, lookup);

  applier.set = applier.set.difference(STRIPPED_FIELDS);
  if (applier.set.isEmpty()) managers.delete(id);
  else if (!prev || !deepEqual(live, next) || !prev.set.equals(applier.set) || !prev.time) applier.time = opts.now;
  else applier.time = prev.time;
  capUpdateManagers(managers);

  const out = next as KubeObject;
  out.metadata ??= {};
  const entries = encodeManagedFields(managers);
  if (entries.length > 0) out.metadata.managedFields = entries;
  else delete out.metadata.managedFields;
  return out;
}

/**
 * Other managers lose what this apply removes; what it changes is a conflict unless forced, and
 * forced changes move ownership to the applier (upstream's Updater.update).
 */
function takeOwnership(managers: Managers, id: string, live: unknown, next: unknown, opts: ApplyOptions, resetSet: ReturnType<typeof pathsToSet>, lookup: SchemaLookup): void {
  const schema = lookup(opts.defName);
  const zero = (v: unknown): Record<string, unknown> => withZeroStructs(v as Record<string, unknown>, schema, lookup);
  const cmp = excludeFields(compareValues(zero(live), zero(next), schema, lookup), resetSet);
  const changed = cmp.modified.union(cmp.added);
  const conflicts: Conflict[] = [];
  const others = [...managers].filter(([mid]) => mid !== id).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [mid, m] of others) {
    for (const path of m.set.intersection(changed).paths()) conflicts.push({ id: mid, manager: m, path });
  }
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);
  for (const [mid, m] of others) {
    m.set = m.set.difference(changed).difference(cmp.removed);
    if (m.set.isEmpty()) managers.delete(mid);
  }
}

/** Messages name list keys the client chose; they stay bounded however long those are. */
function capped(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}...`;
}

function withoutManagedFields(o: KubeObject | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  const c = structuredClone(o);
  if (isPlainObject(c.metadata)) delete c.metadata.managedFields;
  return c;
}

/** Pruning must never take the object's identity (those fields are never owned, so never protected). */
function keepIdentity(next: Record<string, unknown>, merged: Record<string, unknown>): void {
  const from = merged.metadata;
  if (!isPlainObject(from)) return;
  if (!isPlainObject(next.metadata)) next.metadata = {};
  const to = next.metadata as Record<string, unknown>;
  for (const k of IDENTITY) if (from[k] !== undefined) to[k] = from[k];
  for (const k of ['apiVersion', 'kind']) if (merged[k] !== undefined) next[k] = merged[k];
}
