import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schema } from './dsl.ts';
import { DEFINITIONS, definitionNameFor, getDefinition } from './index.ts';
import { RESOURCES, VIRTUAL_RESOURCES } from '../scheme.ts';

/** Every schema reachable inside a definition, with a dotted path for messages. */
function* walk(s: Schema, path: string): Generator<[string, Schema]> {
  yield [path, s];
  for (const [k, p] of Object.entries(s.properties ?? {})) yield* walk(p, `${path}.${k}`);
  if (s.items) yield* walk(s.items, `${path}[]`);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') yield* walk(s.additionalProperties, `${path}{}`);
}

function prop(defName: string, ...path: string[]): Schema {
  let s = getDefinition(defName);
  assert.ok(s, `${defName} is not defined`);
  for (const p of path) {
    const next: Schema | undefined = s.properties?.[p];
    assert.ok(next, `${defName} has no property ${path.join('.')}`);
    s = next;
  }
  return s;
}

void test('every stored kind has a definition and a list definition', () => {
  for (const r of RESOURCES) {
    if (VIRTUAL_RESOURCES.has(r.resource)) continue;
    const where = `${r.group || 'core'}/${r.version} ${r.kind}`;
    const name = definitionNameFor(r.group, r.version, r.kind);
    assert.ok(name, `no definition for ${where}`);
    const def = getDefinition(name);
    assert.ok(def?.properties?.['metadata'], `${name} has no metadata`);

    const listName = definitionNameFor(r.group, r.version, r.listKind);
    assert.ok(listName, `no definition for ${where}'s ${r.listKind}`);
    const items = getDefinition(listName)?.properties?.['items'];
    assert.equal(items?.items?.$ref, name, `${listName}.items does not hold ${name}`);
  }
});

void test('subresource bodies and meta kinds are findable by GVK', () => {
  assert.equal(definitionNameFor('autoscaling', 'v1', 'Scale'), 'io.k8s.api.autoscaling.v1.Scale');
  assert.equal(definitionNameFor('policy', 'v1', 'Eviction'), 'io.k8s.api.policy.v1.Eviction');
  assert.equal(definitionNameFor('', 'v1', 'Status'), 'io.k8s.apimachinery.pkg.apis.meta.v1.Status');
  assert.equal(definitionNameFor('apps', 'v1', 'DeleteOptions'), 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  assert.equal(definitionNameFor('', 'v1', 'DeleteOptions'), 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
});

function unresolvedRefs(): Map<string, string> {
  const missing = new Map<string, string>(); // ref → first place it is used
  for (const [name, def] of Object.entries(DEFINITIONS)) {
    for (const [path, s] of walk(def, name)) {
      if (s.$ref && !DEFINITIONS[s.$ref] && !missing.has(s.$ref)) missing.set(s.$ref, path);
    }
  }
  return missing;
}

const CORE = 'io.k8s.api.core.v1.';
const listRefs = (m: Array<[string, string]>): string => m.map(([r, at]) => `${r} (used at ${at})`).join('\n  ');

void test('every $ref outside core/v1 resolves to a definition', () => {
  const missing = [...unresolvedRefs()].filter(([r]) => !r.startsWith(CORE));
  assert.equal(missing.length, 0, `unresolved references:\n  ${listRefs(missing)}`);
});

// Kept apart so a failure names exactly the core/v1 definitions (core-v1.ts) still to be written.
void test('every core/v1 $ref resolves to a definition', () => {
  const missing = [...unresolvedRefs()].filter(([r]) => r.startsWith(CORE));
  assert.equal(missing.length, 0, `core/v1 definitions missing:\n  ${listRefs(missing)}`);
});

void test('strategic merge and apply metadata match upstream', () => {
  const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

  const owners = prop(`${META}.ObjectMeta`, 'ownerReferences');
  assert.equal(owners['x-kubernetes-patch-merge-key'], 'uid');
  assert.equal(owners['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(owners['x-kubernetes-list-type'], 'map');
  assert.deepEqual(owners['x-kubernetes-list-map-keys'], ['uid']);

  const finalizers = prop(`${META}.ObjectMeta`, 'finalizers');
  assert.equal(finalizers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(finalizers['x-kubernetes-patch-merge-key'], undefined);
  assert.equal(finalizers['x-kubernetes-list-type'], 'set');

  assert.equal(prop(`${META}.ObjectMeta`, 'managedFields')['x-kubernetes-list-type'], 'atomic');
  assert.deepEqual(getDefinition(`${META}.OwnerReference`)?.required?.slice().sort(), ['apiVersion', 'kind', 'name', 'uid']);
  assert.equal(getDefinition(`${META}.LabelSelector`)?.['x-kubernetes-map-type'], 'atomic');

  for (const [def, mapped] of [
    ['io.k8s.api.apps.v1.DeploymentStatus', true],
    ['io.k8s.api.apps.v1.StatefulSetStatus', true],
    ['io.k8s.api.apps.v1.DaemonSetStatus', true],
    ['io.k8s.api.apps.v1.ReplicaSetStatus', true],
    ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus', true],
    ['io.k8s.api.policy.v1.PodDisruptionBudgetStatus', true],
    // Job conditions merge by type under strategic merge patch but are atomic for apply.
    ['io.k8s.api.batch.v1.JobStatus', false],
  ] as const) {
    const c = prop(def, 'conditions');
    assert.equal(c['x-kubernetes-patch-merge-key'], 'type', `${def}.conditions merge key`);
    assert.equal(c['x-kubernetes-patch-strategy'], 'merge', `${def}.conditions strategy`);
    assert.equal(c['x-kubernetes-list-type'], mapped ? 'map' : 'atomic', `${def}.conditions list type`);
    if (mapped) assert.deepEqual(c['x-kubernetes-list-map-keys'], ['type']);
  }

  assert.equal(prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.equal(prop('io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'selector')['x-kubernetes-patch-strategy'], 'replace');
  assert.equal(prop('io.k8s.api.discovery.v1.Endpoint', 'addresses')['x-kubernetes-list-type'], 'set');
});

void test('shared scalar types are modelled as upstream does', () => {
  const ios = getDefinition('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(ios?.type, 'string');
  assert.equal(ios?.format, 'int-or-string');
  assert.equal(ios?.['x-kubernetes-int-or-string'], true);
  assert.equal(getDefinition('io.k8s.apimachinery.pkg.api.resource.Quantity')?.type, 'string');
  assert.equal(getDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.Time')?.format, 'date-time');
  assert.equal(getDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime')?.format, 'date-time');
  assert.equal(prop('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge').$ref, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
});

void test('every top-level kind carries apiVersion and kind, and list kinds require items', () => {
  for (const [name, def] of Object.entries(DEFINITIONS)) {
    const gvks = def['x-kubernetes-group-version-kind'];
    // WatchEvent is registered in every group-version but, as upstream, is framed without TypeMeta.
    if (!gvks?.length || name.endsWith('.WatchEvent')) continue;
    assert.ok(def.properties?.['apiVersion'] && def.properties['kind'], `${name} lacks apiVersion/kind`);
    if (name.endsWith('List') && def.properties['items']) assert.ok(def.required?.includes('items'), `${name} does not require items`);
  }
});
