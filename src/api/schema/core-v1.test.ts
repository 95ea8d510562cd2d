import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schema } from './dsl.ts';
import * as dsl from './dsl.ts';
import { definitions } from './core-v1.ts';

const P = 'io.k8s.api.core.v1.';

// meta.ts is written separately; a shared name is good enough when it is one of dsl.ts's constants
// or lives under io.k8s.apimachinery.
const shared = new Set(Object.values(dsl as Record<string, unknown>).filter((v): v is string => typeof v === 'string'));

function* walk(s: Schema, path: string): Generator<[string, Schema]> {
  yield [path, s];
  for (const [k, p] of Object.entries(s.properties ?? {})) yield* walk(p, `${path}.${k}`);
  if (s.items) yield* walk(s.items, `${path}[]`);
  if (typeof s.additionalProperties === 'object') yield* walk(s.additionalProperties, `${path}{}`);
}

void test('every $ref resolves', () => {
  for (const [name, def] of Object.entries(definitions)) {
    for (const [path, s] of walk(def, name)) {
      if (!s.$ref) continue;
      const ok = s.$ref in definitions || shared.has(s.$ref) || s.$ref.startsWith('io.k8s.apimachinery.');
      assert.ok(ok, `${path} refers to unknown ${s.$ref}`);
    }
  }
});

void test('every definition name is a core/v1 name', () => {
  for (const name of Object.keys(definitions)) assert.match(name, /^io\.k8s\.api\.core\.v1\.[A-Z]\w+$/);
});

void test('every kind has a GVK and a list', () => {
  const kinds = ['Pod', 'PodTemplate', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'ServiceAccount', 'Namespace', 'Node',
    'Event', 'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'ReplicationController',
    'ComponentStatus'];
  for (const k of kinds) {
    for (const name of [k, `${k}List`]) {
      const def = definitions[P + name];
      assert.ok(def, `missing ${name}`);
      assert.deepEqual(def['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: name }]);
    }
    assert.equal(definitions[`${P}${k}List`]?.properties?.['items']?.items?.$ref, P + k);
  }
  assert.deepEqual(definitions[P + 'Binding']?.['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Binding' }]);
});

void test('merge keys match upstream', () => {
  const prop = (def: string, field: string): Schema | undefined => definitions[P + def]?.properties?.[field];
  const ports = prop('Container', 'ports');
  assert.equal(ports?.['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.equal(ports?.['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(ports?.['x-kubernetes-list-type'], 'map');
  assert.deepEqual(ports?.['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal(prop('ContainerPort', 'protocol')?.default, 'TCP');

  assert.equal(prop('PodSpec', 'containers')?.['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(prop('PodSpec', 'volumes')?.['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(prop('PodSpec', 'tolerations')?.['x-kubernetes-list-type'], 'atomic');
  assert.equal(prop('PodSpec', 'tolerations')?.['x-kubernetes-patch-merge-key'], undefined);
  assert.deepEqual(prop('ServiceSpec', 'ports')?.['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.equal(prop('PodStatus', 'podIPs')?.['x-kubernetes-patch-merge-key'], 'ip');
  assert.equal(prop('NodeStatus', 'addresses')?.['x-kubernetes-patch-merge-key'], 'type');
  assert.deepEqual(definitions[P + 'PodSpec']?.required, ['containers']);
  assert.deepEqual(definitions[P + 'Container']?.required, ['name']);
});
