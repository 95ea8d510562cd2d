import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointPortsForPod } from './endpoint-ports.ts';
import { podToEndpoint } from './pod-endpoint.ts';
import { groupByPorts, reconcileSlices, type DesiredGroup } from './reconcile-slices.ts';
import { pod, service } from './test-fixtures.ts';
import type { EndpointSlice, Service } from './types.ts';

function desiredFor(svc: Service, n: number, from = 0, opts: Parameters<typeof pod>[1] = {}): Map<string, DesiredGroup> {
  const pods = Array.from({ length: n }, (_, i) => pod(`p${String(from + i).padStart(4, '0')}`, { ip: `10.0.${(from + i) >> 8}.${(from + i) & 255}`, ...opts }));
  return groupByPorts(pods.map((p) => ({ ports: endpointPortsForPod(svc, p), endpoint: podToEndpoint(p, svc, undefined) })));
}

/** What the server gives back: names filled in. */
function stored(slices: EndpointSlice[], prefix = 'web-'): EndpointSlice[] {
  return slices.map((s, i) => ({ ...structuredClone(s), metadata: { ...structuredClone(s.metadata), name: s.metadata.name ?? `${prefix}${i}`, resourceVersion: '1' } }));
}

describe('slice reconciler', () => {
  test('a new service gets slices of at most maxEndpointsPerSlice, labelled, owned and generate-named', () => {
    const svc = service();
    const ch = reconcileSlices(svc, [], desiredFor(svc, 250), { triggerTime: Date.parse('2024-01-01T00:00:01.5Z') });
    assert.deepEqual(ch.create.map((s) => s.endpoints.length), [100, 100, 50]);
    assert.equal(ch.update.length + ch.delete.length, 0);
    const s = ch.create[0]!;
    assert.equal(s.metadata.generateName, 'web-');
    assert.deepEqual(s.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(s.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2024-01-01T00:00:01.5Z');
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal(s.addressType, 'IPv4');
  });

  test('nothing changed: no writes', () => {
    const svc = service();
    const existing = stored(reconcileSlices(svc, [], desiredFor(svc, 150)).create);
    assert.deepEqual(reconcileSlices(svc, existing, desiredFor(svc, 150)), { create: [], update: [], delete: [] });
  });

  test('one pod turning unready updates only the slice holding it, in place', () => {
    const svc = service();
    const existing = stored(reconcileSlices(svc, [], desiredFor(svc, 150)).create);
    const desired = desiredFor(svc, 150);
    const g = [...desired.values()][0]!;
    const target = existing[1]!.endpoints[3]!;
    const i = g.endpoints.findIndex((e) => e.targetRef?.name === target.targetRef?.name);
    g.endpoints[i] = { ...g.endpoints[i]!, conditions: { ready: false, serving: false, terminating: false } };
    const ch = reconcileSlices(svc, existing, desired);
    assert.equal(ch.create.length + ch.delete.length, 0);
    assert.deepEqual(ch.update.map((s) => s.metadata.name), [existing[1]!.metadata.name]);
    assert.equal(ch.update[0]!.metadata.resourceVersion, '1', 'an update of the stored object');
    assert.equal(ch.update[0]!.endpoints[3]!.conditions?.ready, false, 'the endpoint keeps its position');
  });

  test('removed endpoints leave their slices; a slice left empty is deleted', () => {
    const svc = service();
    const existing = stored(reconcileSlices(svc, [], desiredFor(svc, 150)).create);
    const ch = reconcileSlices(svc, existing, desiredFor(svc, 100));
    assert.deepEqual(ch.delete.map((s) => s.metadata.name), ['web-1']);
    assert.equal(ch.update.length + ch.create.length, 0);
  });

  test('new endpoints fill a slice that is written anyway before an untouched one or a new one', () => {
    const svc = service();
    const existing = stored(reconcileSlices(svc, [], desiredFor(svc, 150)).create); // 100 + 50
    const desired = desiredFor(svc, 149); // p0149 removed from web-1
    for (const [k, g] of desiredFor(svc, 10, 500)) desired.get(k)!.endpoints.push(...g.endpoints);
    const ch = reconcileSlices(svc, existing, desired);
    assert.deepEqual(ch.update.map((s) => [s.metadata.name, s.endpoints.length]), [['web-1', 59]]);
    assert.equal(ch.create.length + ch.delete.length, 0);
  });

  test('leftovers go to the fullest untouched slice they fit in', () => {
    const svc = service();
    const existing = stored(reconcileSlices(svc, [], desiredFor(svc, 160)).create); // 100 + 60
    const desired = desiredFor(svc, 160);
    for (const [k, g] of desiredFor(svc, 30, 500)) desired.get(k)!.endpoints.push(...g.endpoints);
    const ch = reconcileSlices(svc, existing, desired);
    assert.deepEqual(ch.update.map((s) => [s.metadata.name, s.endpoints.length]), [['web-1', 90]]);
    assert.equal(ch.create.length, 0);
  });

  test('pods lacking a named port get their own slice with the ports they have', () => {
    const svc = service([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'raw', port: 81, targetPort: 81, protocol: 'TCP' }]);
    const desired = desiredFor(svc, 2);
    for (const [k, g] of desiredFor(svc, 1, 10, { containers: [{ name: 'c' }] })) desired.set(k, g);
    const ch = reconcileSlices(svc, [], desired);
    assert.equal(ch.create.length, 2);
    const ports = ch.create.map((s) => [s.ports, s.endpoints.length]);
    assert.deepEqual(ports, [
      [[{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'raw', port: 81, protocol: 'TCP' }], 2],
      [[{ name: 'raw', port: 81, protocol: 'TCP' }], 1],
    ]);
  });

  test('a service without endpoints gets one empty placeholder, which is then kept', () => {
    const svc = service();
    const ch = reconcileSlices(svc, [], new Map());
    assert.equal(ch.create.length, 1);
    assert.deepEqual([ch.create[0]!.endpoints, ch.create[0]!.ports], [[], []]);
    const placeholder = stored(ch.create);
    assert.deepEqual(reconcileSlices(svc, placeholder, new Map()), { create: [], update: [], delete: [] });
  });

  test('the placeholder is reused (updated, not deleted and created) when endpoints appear', () => {
    const svc = service();
    const placeholder = stored(reconcileSlices(svc, [], new Map()).create);
    const ch = reconcileSlices(svc, placeholder, desiredFor(svc, 3));
    assert.deepEqual([ch.create.length, ch.delete.length], [0, 0]);
    assert.equal(ch.update[0]!.metadata.name, 'web-0');
    assert.equal(ch.update[0]!.endpoints.length, 3);
    assert.equal(ch.update[0]!.metadata.resourceVersion, '1', 'an update of the stored placeholder');
  });

  test('slices owned by an earlier service of the same name are replaced', () => {
    const svc = service();
    const old = stored(reconcileSlices({ ...svc, metadata: { ...svc.metadata, uid: 'old' } }, [], desiredFor(svc, 2)).create);
    const ch = reconcileSlices(svc, old, desiredFor(svc, 2));
    assert.deepEqual([ch.create.length, ch.update.length, ch.delete.length], [1, 0, 1]);
  });

  test('a label change on the service rewrites the labels of unchanged slices', () => {
    const svc = service();
    const existing = stored(reconcileSlices(svc, [], desiredFor(svc, 3)).create);
    const relabelled = { ...svc, metadata: { ...svc.metadata, labels: { team: 'b' } } };
    const ch = reconcileSlices(relabelled, existing, desiredFor(svc, 3));
    assert.equal(ch.update.length, 1);
    assert.equal(ch.update[0]!.metadata.labels?.team, 'b');
  });

  test('an endpoint listed twice (in two slices) is kept once', () => {
    const svc = service();
    const [a] = stored(reconcileSlices(svc, [], desiredFor(svc, 2)).create);
    const b = { ...structuredClone(a!), metadata: { ...a!.metadata, name: 'web-dup' } };
    const ch = reconcileSlices(svc, [a!, b], desiredFor(svc, 2));
    assert.deepEqual(ch.delete.map((s) => s.metadata.name), ['web-dup']);
    assert.equal(ch.update.length + ch.create.length, 0);
  });
});
