import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/errors.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../api/meta.ts';
import { MAX_NESTING_DEPTH } from '../json-bounds.ts';
import { managedFieldsErrors } from './managed-fields.ts';
import { updateManagedFields, type UpdateOptions } from './update.ts';
import { DEPLOYMENT, testLookup } from './test-schemas.ts';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:01:00Z';
const T3 = '2026-01-01T00:02:00Z';

function deployment(replicas: number, image = 'nginx:1', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '1', labels: { app: 'web' } },
    spec: { replicas, template: { spec: { containers: [{ name: 'web', image }] } } },
    ...extra,
  };
}

function update(old: KubeObject | undefined, next: KubeObject, manager: string, now: string, extra: Partial<UpdateOptions> = {}): KubeObject {
  const managedFields = updateManagedFields({ old, next, manager, defName: DEPLOYMENT, apiVersion: 'apps/v1', now, lookup: testLookup, ...extra });
  return { ...next, metadata: { ...next.metadata, managedFields } };
}

const withMF = (o: KubeObject, managedFields: unknown): KubeObject => ({ ...o, metadata: { ...o.metadata, managedFields: managedFields as ManagedFieldsEntry[] } });
const fieldsOf = (o: KubeObject, manager: string) => o.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1;

test('create owns every field, marking new maps and items with "."', () => {
  const created = update(undefined, deployment(2), 'kubectl-create', T1);
  assert.deepEqual(created.metadata.managedFields, [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: JSON.parse('{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}'),
  }]);
});

test('an update takes the fields it changes from other managers', () => {
  const v1 = update(undefined, deployment(2), 'creator', T1);
  const v2 = update(v1, withMF(deployment(3), v1.metadata.managedFields), 'scaler', T2);
  assert.deepEqual(fieldsOf(v2, 'scaler'), { 'f:spec': { 'f:replicas': {} } });
  assert.equal((fieldsOf(v2, 'creator') as any)['f:spec']['f:replicas'], undefined);
  assert.equal(v2.metadata.managedFields?.find((e) => e.manager === 'creator')?.time, T1);
  // a write that changes nothing leaves entries and times alone
  const v3 = update(v2, withMF(deployment(3), v2.metadata.managedFields), 'scaler', T3);
  assert.deepEqual(v3.metadata.managedFields, v2.metadata.managedFields);
  // the same manager writing again merges into its entry and moves its time
  const v4 = update(v3, withMF(deployment(3, 'nginx:2'), v3.metadata.managedFields), 'scaler', T3);
  const scaler = v4.metadata.managedFields?.find((e) => e.manager === 'scaler');
  assert.equal(scaler?.time, T3);
  assert.deepEqual(scaler?.fieldsV1, { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } } });
  assert.deepEqual(v4.metadata.managedFields?.map((e) => e.manager), ['creator', 'scaler']);
});

test('entries left with nothing are dropped; removed fields leave their owners', () => {
  const v1 = update(undefined, deployment(2), 'creator', T1);
  const v2 = update(v1, withMF(deployment(3), v1.metadata.managedFields), 'scaler', T2);
  const next = deployment(3);
  delete (next.spec as Record<string, unknown>).replicas;
  const v3 = update(v2, withMF(next, v2.metadata.managedFields), 'other', T3);
  assert.deepEqual(v3.metadata.managedFields?.map((e) => e.manager), ['creator']);
});

test('managedFields: [] resets them; missing or undecodable entries fall back to the live ones', () => {
  const v1 = update(undefined, deployment(2), 'creator', T1);
  const reset = update(v1, withMF(deployment(2), []), 'kubectl', T2);
  assert.deepEqual(reset.metadata.managedFields, []);
  const resetWithChange = update(v1, withMF(deployment(5), [{}]), 'kubectl', T2);
  assert.deepEqual(resetWithChange.metadata.managedFields?.map((e) => [e.manager, e.fieldsV1]), [['kubectl', { 'f:spec': { 'f:replicas': {} } }]]);
  const missing = update(v1, deployment(2), 'kubectl', T2);
  assert.deepEqual(missing.metadata.managedFields, v1.metadata.managedFields);
  const bogus = update(v1, withMF(deployment(2), [{ manager: 'x', operation: 'Bogus', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }]), 'kubectl', T2);
  assert.deepEqual(bogus.metadata.managedFields, v1.metadata.managedFields);
  // a client may rewrite entries it can decode
  const rewritten = [{ manager: 'mine', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
  assert.deepEqual(update(v1, withMF(deployment(2), rewritten), 'kubectl', T2).metadata.managedFields, rewritten);
});

test('managedFields that do not decode at all are a 400', () => {
  const is400 = (e: unknown): boolean => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest';
  assert.throws(() => update(undefined, withMF(deployment(1), 'x'), 'm', T1), is400);
  assert.throws(() => update(undefined, withMF(deployment(1), [1]), 'm', T1), is400);
  assert.throws(() => update(undefined, withMF(deployment(1), [{ manager: 3 }]), 'm', T1),
    (e: unknown) => is400(e) && (e as Error).message === 'json: cannot unmarshal number into Go struct field ManagedFieldsEntry.metadata.managedFields.manager of type string');
  assert.throws(() => update(undefined, withMF(deployment(1), [{ time: 'yesterday' }]), 'm', T1), is400);
});

test('validation errors for managedFields entries', () => {
  assert.deepEqual(managedFieldsErrors([{ manager: 'm', operation: 'Patch' as 'Update', fieldsType: 'FieldsV2' as 'FieldsV1' }]), [
    { type: 'FieldValueInvalid', field: 'metadata.managedFields[0].operation', badValue: 'Patch', detail: 'must be `Apply` or `Update`' },
    { type: 'FieldValueInvalid', field: 'metadata.managedFields[0].fieldsType', badValue: 'FieldsV2', detail: 'must be `FieldsV1`' },
  ]);
});

test('status writes are tracked per subresource and ignore spec and request managedFields', () => {
  const v1 = update(undefined, deployment(2), 'creator', T1);
  const next = withMF(deployment(9, 'nginx:1', { status: { replicas: 2 } }), []);
  const v2 = update(v1, next, 'deployment-controller', T2, { subresource: 'status' });
  assert.deepEqual(v2.metadata.managedFields?.[1], {
    manager: 'deployment-controller', operation: 'Update', apiVersion: 'apps/v1', time: T2, fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:replicas': {} } }, subresource: 'status',
  });
  assert.deepEqual(v2.metadata.managedFields?.[0], v1.metadata.managedFields?.[0]);
});

test('no more than ten Update entries: the oldest merge into ancient-changes', () => {
  let cur = update(undefined, deployment(0), 'm0', '2026-01-01T00:00:00Z');
  for (let i = 1; i <= 10; i++) {
    const next = withMF(deployment(0, 'nginx:1', { metadata: { ...deployment(0).metadata, labels: { app: 'web', [`l${i}`]: 'x' } } }), cur.metadata.managedFields);
    next.metadata.labels = { ...cur.metadata.labels, [`l${i}`]: 'x' };
    cur = update(cur, next, `m${i}`, `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`);
  }
  const names = cur.metadata.managedFields?.map((e) => e.manager) ?? [];
  assert.equal(names.length, 10);
  assert.ok(names.includes('ancient-changes'));
  assert.ok(!names.includes('m0') && !names.includes('m1'));
});

test('managedFields a client sends that do not decode keep the live entries (no error, as upstream)', () => {
  const v1 = update(undefined, deployment(1), 'kubectl', T1);
  let deep: Record<string, unknown> = {};
  for (let i = 0; i <= MAX_NESTING_DEPTH; i++) deep = { 'f:a': deep };
  const bad = [
    [{ manager: 'x', operation: 'Bogus', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }],
    [{ manager: 'x', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: deep }],
    [{ manager: 'x', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': 5 } }],
  ];
  for (const mf of bad) {
    const v2 = update(v1, withMF(deployment(2), mf), 'kubectl', T2);
    assert.deepEqual(v2.metadata.managedFields?.map((e) => e.manager), ['kubectl']);
  }
  assert.throws(() => update(v1, withMF(deployment(2), [{ manager: 5 }]), 'kubectl', T2), (e: unknown) => e instanceof StatusError && e.code === 400);
  assert.throws(() => update(v1, withMF(deployment(2), 'x'), 'kubectl', T2), (e: unknown) => e instanceof StatusError && e.code === 400);
});
