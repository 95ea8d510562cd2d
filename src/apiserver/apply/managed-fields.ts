// metadata.managedFields ↔ one field set per manager, as upstream's
// k8s.io/apimachinery/pkg/util/managedfields/internal/managedfields.go and capmanagers.go.
// Managers are identified by manager, operation, subresource and (for Update only) apiVersion, so
// an applier keeps one entry across versions.
import type { ManagedFieldsEntry } from '../../api/meta.ts';
import type { FieldError } from '../../api/errors.ts';
import { badRequest } from '../../api/errors.ts';
import type { FieldSet } from './field-set.ts';
import { fieldsV1ToFieldSet, fieldSetToFieldsV1 } from './fields-v1.ts';
import { isPlainObject } from './schema-node.ts';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Keyed by managerId. */
export type Managers = Map<string, ManagerEntry>;

/** The identifier upstream's BuildManagerIdentifier makes: the entry's JSON without fields, time, and apiVersion for appliers. */
export function managerId(e: { manager: string; operation: string; apiVersion: string; subresource?: string | undefined }): string {
  const id: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation !== 'Apply' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** Decodes entries; throws with upstream's DecodeManagedFields messages. */
export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | null | undefined): Managers {
  const out: Managers = new Map();
  (entries ?? []).forEach((e, i) => {
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    let set;
    try {
      set = fieldsV1ToFieldSet(e.fieldsV1 ?? {});
    } catch (err) {
      throw new Error(`error decoding versioned set from ${JSON.stringify(e)}: error decoding set: ${(err as Error).message}`, { cause: err });
    }
    const entry: ManagerEntry = { manager: e.manager ?? '', operation: e.operation, apiVersion: e.apiVersion, set };
    if (e.subresource) entry.subresource = e.subresource;
    if (e.time) entry.time = e.time;
    out.set(managerId(entry), entry);
  });
  return out;
}

/** Entries sorted as upstream's sortEncodedManagedFields: Apply first, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const m of managers.values()) {
    if (m.set.isEmpty()) continue;
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = fieldSetToFieldsV1(m.set);
    if (m.subresource) e.subresource = m.subresource;
    out.push(e);
  }
  return out.sort((p, q) => cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager)
    || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource));
}

function cmp(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function seconds(t: string | undefined): number {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** A client resets managedFields by sending an empty list or a list of one empty entry (upstream's isResetManagedFields). */
export function isResetManagedFields(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  return v.length === 1 && isPlainObject(v[0]) && Object.values(v[0]).every((x) => x === undefined || x === '' || x === null);
}

const ENTRY_FIELDS: Record<string, 'string' | 'object'> = {
  manager: 'string', operation: 'string', apiVersion: 'string', time: 'string', fieldsType: 'string', subresource: 'string', fieldsV1: 'object',
};

/**
 * Rejects managedFields that would not even decode into []ManagedFieldsEntry (400 BadRequest,
 * with the decoder's message). Entries that decode but are meaningless are handled by the callers
 * as upstream does: ignored on update, reported by managedFieldsErrors at validation.
 */
export function checkManagedFieldsShape(v: unknown): void {
  if (v === undefined || v === null) return;
  const at = 'Go struct field ObjectMeta.metadata.managedFields';
  if (!Array.isArray(v)) throw badRequest(`json: cannot unmarshal ${jsonType(v)} into ${at} of type []v1.ManagedFieldsEntry`);
  for (const e of v) {
    if (e === null) continue;
    if (!isPlainObject(e)) throw badRequest(`json: cannot unmarshal ${jsonType(e)} into ${at} of type v1.ManagedFieldsEntry`);
    for (const [k, want] of Object.entries(ENTRY_FIELDS)) {
      const x = e[k];
      if (x === undefined || x === null) continue;
      if (want === 'string' && typeof x !== 'string') {
        throw badRequest(`json: cannot unmarshal ${jsonType(x)} into Go struct field ManagedFieldsEntry.metadata.managedFields.${k} of type string`);
      }
    }
    if (typeof e.time === 'string' && Number.isNaN(Date.parse(e.time))) {
      throw badRequest(`parsing time ${JSON.stringify(e.time)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(e.time)} as "2006"`);
    }
  }
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** Field errors for metadata.managedFields, as ValidateManagedFields in apimachinery's objectmeta validation. */
export function managedFieldsErrors(entries: readonly ManagedFieldsEntry[] | undefined, path = 'metadata.managedFields'): FieldError[] {
  const errs: FieldError[] = [];
  (entries ?? []).forEach((e, i) => {
    const at = `${path}[${i}]`;
    if (e.operation !== 'Apply' && e.operation !== 'Update') {
      errs.push({ type: 'FieldValueInvalid', field: `${at}.operation`, badValue: e.operation ?? '', detail: 'must be `Apply` or `Update`' });
    }
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') {
      errs.push({ type: 'FieldValueInvalid', field: `${at}.fieldsType`, badValue: e.fieldsType, detail: 'must be `FieldsV1`' });
    }
    if ((e.manager ?? '').length > 128) errs.push({ type: 'FieldValueTooLong', field: `${at}.manager`, detail: 'may not be more than 128 bytes' });
    if ((e.subresource ?? '').length > 256) errs.push({ type: 'FieldValueTooLong', field: `${at}.subresource`, detail: 'may not be more than 256 bytes' });
  });
  return errs;
}

export const DEFAULT_MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Keeps at most max Update entries by merging the oldest into one "ancient-changes" entry per
 * apiVersion (upstream's capManagersManager).
 */
export function capUpdateManagers(managers: Managers, max = DEFAULT_MAX_UPDATE_MANAGERS): void {
  const updaters = [...managers].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmp(ia, ib));
  let count = updaters.length;
  for (const [id, m] of updaters) {
    if (count <= max) break;
    if (m.manager === ANCIENT_CHANGES) continue;
    const bucketId = managerId({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: m.apiVersion });
    const bucket = managers.get(bucketId);
    managers.delete(id);
    if (bucket) {
      bucket.set = bucket.set.union(m.set);
      if (m.time && seconds(m.time) > seconds(bucket.time)) bucket.time = m.time;
      count--;
    } else {
      managers.set(bucketId, { manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: m.apiVersion, set: m.set, ...(m.time ? { time: m.time } : {}) });
    }
  }
}
