import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { applyServerSide, type ApplyOptions } from './apply.ts';
import { updateManagedFields } from './update.ts';
import { CONFIG_MAP, DEPLOYMENT, testLookup } from './test-schemas.ts';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:01:00Z';
const T3 = '2026-01-01T00:02:00Z';

function deployment(spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', ...(labels ? { labels } : {}) }, spec };
}

function apply(live: KubeObject | undefined, patch: KubeObject, manager: string, now: string, extra: Partial<ApplyOptions> = {}): KubeObject {
  return applyServerSide({ live, patch, manager, force: false, defName: DEPLOYMENT, apiVersion: 'apps/v1', now, lookup: testLookup, ...extra });
}

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError);
    return err;
  }
  assert.fail('expected a conflict');
}

const webContainers = (image: string) => ({ containers: [{ name: 'web', image }] });

test('create by apply records one Apply entry', () => {
  const out = apply(undefined, deployment({ replicas: 2, template: { spec: webContainers('nginx:1') } }, { app: 'web' }), 'kubectl', T1);
  assert.equal(out.metadata.name, 'web');
  assert.deepEqual(out.spec, { replicas: 2, template: { spec: webContainers('nginx:1') } });
  assert.deepEqual(out.metadata.managedFields, [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
    },
  }]);
});

test('re-applying without a field removes it; re-applying the same config keeps the time', () => {
  const v1 = apply(undefined, deployment({ replicas: 2, paused: true, template: { spec: webContainers('nginx:1') } }, { app: 'web', tier: 'fe' }), 'kubectl', T1);
  const v2 = apply(v1, deployment({ replicas: 2, template: { spec: webContainers('nginx:1') } }, { app: 'web' }), 'kubectl', T2);
  assert.deepEqual(v2.metadata.labels, { app: 'web' });
  assert.equal((v2.spec as Record<string, unknown>).paused, undefined);
  assert.equal(v2.metadata.managedFields?.[0]?.time, T2);
  const v3 = apply(v2, deployment({ replicas: 2, template: { spec: webContainers('nginx:1') } }, { app: 'web' }), 'kubectl', T3);
  assert.deepEqual(v3, v2);
});

test('removing a container by apply drops the whole item', () => {
  const v1 = apply(undefined, deployment({ template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } }), 'kubectl', T1);
  const v2 = apply(v1, deployment({ template: { spec: { containers: [{ name: 'a', image: 'x' }] } } }), 'kubectl', T2);
  assert.deepEqual((v2.spec as any).template.spec.containers, [{ name: 'a', image: 'x' }]);
});

test('two appliers changing the same field conflict with upstream message and causes', () => {
  const v1 = apply(undefined, deployment({ replicas: 2 }), 'alice', T1);
  const err = conflictOf(() => apply(v1, deployment({ replicas: 3 }), 'bob', T2));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(err.status.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
});

test('several conflicts are grouped by manager', () => {
  const v1 = apply(undefined, deployment({ replicas: 2, paused: false }), 'alice', T1);
  const err = conflictOf(() => apply(v1, deployment({ replicas: 3, paused: true }), 'bob', T2));
  assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.paused\n- .spec.replicas');
  assert.equal(err.status.details?.causes?.length, 2);
});

test('force takes ownership from the other manager', () => {
  const v1 = apply(undefined, deployment({ replicas: 2, paused: false }), 'alice', T1);
  const v2 = apply(v1, deployment({ replicas: 3 }), 'bob', T2, { force: true });
  assert.equal((v2.spec as any).replicas, 3);
  const byManager = Object.fromEntries((v2.metadata.managedFields ?? []).map((e) => [e.manager, e.fieldsV1]));
  assert.deepEqual(byManager.alice, { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(byManager.bob, { 'f:spec': { 'f:replicas': {} } });
  // alice re-applying her old value now conflicts with bob
  const err = conflictOf(() => apply(v2, deployment({ replicas: 2, paused: false }), 'alice', T3));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "bob": .spec.replicas');
});

test('applying the same value as another manager shares ownership', () => {
  const v1 = apply(undefined, deployment({ replicas: 2 }), 'alice', T1);
  const v2 = apply(v1, deployment({ replicas: 2 }), 'bob', T2);
  const managers = (v2.metadata.managedFields ?? []).map((e) => [e.manager, e.fieldsV1]);
  assert.deepEqual(managers, [['alice', { 'f:spec': { 'f:replicas': {} } }], ['bob', { 'f:spec': { 'f:replicas': {} } }]]);
  // bob dropping the field keeps it, because alice still owns it
  const { spec: _spec, ...withoutSpec } = deployment({});
  const v3 = apply(v2, withoutSpec, 'bob', T3);
  assert.equal((v3.spec as any).replicas, 2);
  assert.deepEqual((v3.metadata.managedFields ?? []).map((e) => e.manager), ['alice']);
});

test('map-lists merge by key between two managers', () => {
  const v1 = apply(undefined, deployment({ template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } }), 'alice', T1);
  const v2 = apply(v1, deployment({ template: { spec: { containers: [{ name: 'sidecar', image: 'envoy' }, { name: 'web', env: [{ name: 'A', value: '1' }] }] } } }), 'bob', T2);
  assert.deepEqual((v2.spec as any).template.spec.containers, [
    { name: 'sidecar', image: 'envoy' },
    { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }] },
  ]);
  const bob = v2.metadata.managedFields?.find((e) => e.manager === 'bob');
  assert.deepEqual(bob?.fieldsV1, {
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': {
      'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} },
      'k:{"name":"web"}': { '.': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:name': {} },
    } } } },
  });
  // alice stops applying "web": it stays (bob still owns the item), but alice's image goes
  const v3 = apply(v2, deployment({ template: { spec: { containers: [] } } }), 'alice', T3);
  assert.deepEqual((v3.spec as any).template.spec.containers, [
    { name: 'sidecar', image: 'envoy' },
    { name: 'web', env: [{ name: 'A', value: '1' }] },
  ]);
});

test('client-side apply (Update) then server-side apply conflicts on a changed field', () => {
  const created: KubeObject = deployment({ replicas: 1, template: { spec: webContainers('nginx:1') } }, { app: 'web' });
  created.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  created.metadata.managedFields = updateManagedFields({
    old: undefined, next: created, manager: 'kubectl-client-side-apply', defName: DEPLOYMENT, apiVersion: 'apps/v1', now: T1, lookup: testLookup,
  });
  const err = conflictOf(() => apply(created, deployment({ replicas: 3, template: { spec: webContainers('nginx:1') } }, { app: 'web' }), 'kubectl', T2));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  assert.deepEqual(err.status.details?.causes, [{
    reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas',
  }]);
  // the unchanged fields are shared, the changed one is taken with force
  const forced = apply(created, deployment({ replicas: 3, template: { spec: webContainers('nginx:1') } }, { app: 'web' }), 'kubectl', T2, { force: true });
  const csa = forced.metadata.managedFields?.find((e) => e.manager === 'kubectl-client-side-apply');
  assert.equal((csa?.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
  assert.deepEqual((csa?.fieldsV1 as any)['f:metadata']['f:labels'], { '.': {}, 'f:app': {} });
});

test('apply to the main resource ignores status; apply to status ignores spec', () => {
  const v1 = apply(undefined, { ...deployment({ replicas: 1 }), status: { replicas: 5 } }, 'kubectl', T1);
  assert.equal(v1.status, undefined);
  assert.equal(JSON.stringify(v1.metadata.managedFields?.[0]?.fieldsV1), '{"f:spec":{"f:replicas":{}}}');
  const v2 = apply(v1, { ...deployment({ replicas: 9 }), status: { replicas: 1 } }, 'controller', T2, { subresource: 'status' });
  assert.equal((v2.spec as any).replicas, 1);
  assert.deepEqual(v2.status, { replicas: 1 });
  const ctrl = v2.metadata.managedFields?.find((e) => e.manager === 'controller');
  assert.deepEqual(ctrl, { manager: 'controller', operation: 'Apply', apiVersion: 'apps/v1', time: T2, fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:replicas': {} } }, subresource: 'status' });
});

test('bad apply requests are 400s', () => {
  const withMF = deployment({});
  withMF.metadata.managedFields = [];
  assert.throws(() => apply(undefined, withMF, 'kubectl', T1), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'metadata.managedFields must be nil');
  const wrong = { ...deployment({}), apiVersion: 'apps/v1beta1' };
  assert.throws(() => apply(undefined, wrong, 'kubectl', T1), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'invalid object type: apps/v1beta1, Kind=Deployment');
  const dup = deployment({ template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } });
  assert.throws(() => apply(undefined, dup, 'kubectl', T1), /duplicate entries for key \[name="a"\]/);
});

test('sets union and atomic maps replace', () => {
  const cm = (data: Record<string, string>, finalizers: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers }, data });
  const opts = { defName: CONFIG_MAP, apiVersion: 'v1', lookup: testLookup, force: false };
  const v1 = applyServerSide({ ...opts, live: undefined, patch: cm({ a: '1' }, ['x']), manager: 'm1', now: T1 });
  const v2 = applyServerSide({ ...opts, live: v1, patch: cm({ b: '2' }, ['y']), manager: 'm2', now: T2 });
  assert.deepEqual(v2.metadata.finalizers, ['x', 'y']);
  assert.deepEqual(v2.data, { a: '1', b: '2' });
  const m2 = v2.metadata.managedFields?.find((e) => e.manager === 'm2');
  assert.deepEqual(m2?.fieldsV1, { 'f:data': { 'f:b': {} }, 'f:metadata': { 'f:finalizers': { 'v:"y"': {} } } });

  const sel = (labels: Record<string, string>): KubeObject => deployment({ selector: { matchLabels: labels } });
  const d1 = apply(undefined, sel({ a: '1' }), 'm1', T1);
  const d2 = apply(d1, sel({ b: '2' }), 'm1', T2);
  assert.deepEqual((d2.spec as any).selector, { matchLabels: { b: '2' } });
});

test('no schema: the value is deduced (maps granular, lists atomic)', () => {
  const live = applyServerSide({
    live: undefined, patch: { apiVersion: 'x/v1', kind: 'Thing', metadata: { name: 't' }, spec: { a: 1, l: [1, 2] } },
    manager: 'm', force: false, defName: 'nope', apiVersion: 'x/v1', now: T1, lookup: testLookup,
  });
  assert.deepEqual(live.metadata.managedFields?.[0]?.fieldsV1, { 'f:spec': { '.': {}, 'f:a': {}, 'f:l': {} } });
});

test('applied configurations with duplicate or missing list-map keys are 400s naming the field', () => {
  const fails = (spec: Record<string, unknown>, message: RegExp): void => {
    assert.throws(() => apply(undefined, deployment(spec), 'kubectl', T1), (e: unknown) => {
      assert.ok(e instanceof StatusError, String(e));
      assert.equal(e.code, 400);
      assert.equal(e.reason, 'BadRequest');
      assert.match(e.message, message);
      return true;
    });
  };
  const pod = (containers: unknown): Record<string, unknown> => ({ template: { spec: { containers } } });
  fails(pod([{ name: 'a' }, { name: 'a' }]), /^failed to create typed patch object \(default\/web; apps\/v1, Kind=Deployment\): \.spec\.template\.spec\.containers: duplicate entries for key \[name="a"\]$/);
  fails(pod([{ image: 'x' }]), /\.spec\.template\.spec\.containers: element 0: associative list with keys has an element that omits key field "name"/);
  fails(pod([null]), /\.spec\.template\.spec\.containers: element 0: associative list with keys may not have non-map elements/);
  fails(pod([{ name: 'a', ports: [{ name: 'http' }] }]), /\.spec\.template\.spec\.containers\[name="a"\]\.ports: element 0: .* omits key field "containerPort"/);
  fails(pod([{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }] }]), /duplicate entries for key \[containerPort=80,protocol="TCP"\]/);
  fails(pod([{ name: 'x'.repeat(100_000) }, { name: 'x'.repeat(100_000) }]), /^failed to create typed patch object .{0,600}$/s);
});

test('an applied configuration nested past the stack is a 400, not a crash', () => {
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 20_000; i++) deep = { a: deep };
  assert.throws(() => apply(undefined, deployment({ template: { spec: { x: deep } } }), 'kubectl', T1), (e: unknown) => e instanceof StatusError && e.code === 400);
});

test('an applied configuration whose metadata is not an object is a 400', () => {
  for (const metadata of [5, 'x', [1], true]) {
    const patch = { ...deployment({}), metadata } as unknown as KubeObject;
    assert.throws(() => apply(undefined, patch, 'kubectl', T1), (e: unknown) => e instanceof StatusError && e.code === 400 && /metadata must be an object/.test(e.message));
  }
});
