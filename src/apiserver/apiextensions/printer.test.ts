import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customPrinter, jsonPathValues } from './printer.ts';
import { compareKubeVersions } from './crd-controller.ts';
import { validateCRD } from './crd-validation.ts';
import { defaultCRD } from './crd-validation.ts';
import type { KubeObject } from '../../api/meta.ts';

test('JSONPath subset of printer columns', () => {
  const o = { spec: { a: { 'b.c': 1 }, list: [{ n: 'x' }, { n: 'y' }] } };
  assert.deepEqual(jsonPathValues('.spec.a', o), [{ 'b.c': 1 }]);
  assert.deepEqual(jsonPathValues(".spec.a['b.c']", o), [1]);
  assert.deepEqual(jsonPathValues('.spec.list[1].n', o), ['y']);
  assert.deepEqual(jsonPathValues('.spec.list[*].n', o), ['x', 'y']);
  assert.deepEqual(jsonPathValues('{.spec.missing}', o), []);
});

test('printer: NAME, the columns, AGE when none are given', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  const obj: KubeObject = { metadata: { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { cronSpec: '* * * * *', replicas: 2 } };
  const p = customPrinter([{ name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' }, { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' }, { name: 'Missing', type: 'string', jsonPath: '.spec.nope' }]);
  assert.deepEqual(p.columns.map((c) => c.name), ['Name', 'Spec', 'Replicas', 'Missing']);
  assert.deepEqual(p.cells(obj, now), ['n', '* * * * *', 2, null]);
  assert.deepEqual(customPrinter([]).cells(obj, now), ['n', '60s']);
});

test('Kubernetes version priority', () => {
  assert.deepEqual(['v1beta1', 'v2', 'foo', 'v1', 'v1alpha1', 'v10'].sort(compareKubeVersions), ['v10', 'v2', 'v1', 'v1beta1', 'v1alpha1', 'foo']);
});

test('CRD validation: name, group, scope, versions, names', () => {
  const crd = (spec: Record<string, unknown>, name = 'crontabs.stable.example.com'): KubeObject => {
    const o: KubeObject = { metadata: { name }, spec: { group: 'stable.example.com', scope: 'Namespaced', names: { plural: 'crontabs', kind: 'CronTab' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }], ...spec } };
    defaultCRD(o);
    return o;
  };
  const errs = (o: KubeObject) => validateCRD(o).map((e) => `${e.field}: ${e.detail}`);
  assert.deepEqual(errs(crd({})), []);
  assert.deepEqual(errs(crd({}, 'crontab.stable.example.com')), ['metadata.name: must be spec.names.plural+"."+spec.group']);
  assert.deepEqual(errs(crd({ group: 'example' }, 'crontabs.example')), ['spec.group: should be a domain with at least one dot']);
  assert.deepEqual(errs(crd({ scope: 'Global' })), ['spec.scope: supported values: "Cluster", "Namespaced"']);
  assert.deepEqual(errs(crd({ versions: [{ name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } }] })), ['spec.versions: must have exactly one version marked as storage version']);
  assert.deepEqual(errs(crd({ versions: [{ name: 'v1', served: true, storage: true }] })), ['spec.versions[0].schema.openAPIV3Schema: schemas are required']);
  assert.deepEqual(errs(crd({ group: 'x.k8s.io' }, 'crontabs.x.k8s.io')), ['metadata.annotations[api-approved.kubernetes.io]: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111']);
  const o = crd({});
  assert.deepEqual((o.spec as any).names, { plural: 'crontabs', kind: 'CronTab', singular: 'crontab', listKind: 'CronTabList' });
});
