import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, NodeCondition, Taint } from '../../api/types/core-v1.ts';
import { desiredTaints, fullyDisruptedZones, reconcileTaints } from './node-taints.ts';

const NOW = '2024-01-01T00:01:00Z';

function node(name: string, ready: NodeCondition['status'] | undefined, extra: NodeCondition[] = [], spec: Node['spec'] = {}, zone?: string): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, ...(zone ? { labels: { 'topology.kubernetes.io/zone': zone } } : {}) },
    spec,
    status: { conditions: [...(ready ? [{ type: 'Ready', status: ready }] : []), ...extra] },
  };
}
const keys = (ts: Taint[]): string[] => ts.map((t) => `${t.key}:${t.effect}`).sort();

test('Ready Unknown: unreachable NoSchedule and NoExecute; False: not-ready; True: none', () => {
  assert.deepEqual(keys(desiredTaints(node('a', 'Unknown'), false)), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  assert.deepEqual(keys(desiredTaints(node('a', 'False'), false)), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  assert.deepEqual(desiredTaints(node('a', 'True'), false), []);
  assert.deepEqual(desiredTaints(node('a', undefined), false), [], 'no Ready posted yet: the kubelet\'s registration taint speaks');
});

test('pressure conditions and cordoning become NoSchedule taints; a fully disrupted zone gets no NoExecute', () => {
  const n = node('a', 'Unknown', [{ type: 'MemoryPressure', status: 'True' }, { type: 'DiskPressure', status: 'False' }], { unschedulable: true });
  assert.deepEqual(keys(desiredTaints(n, true)), ['node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
});

test('reconcile keeps foreign taints and timeAdded, stamps new ones, swaps and removes managed ones', () => {
  const foreign: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoExecute' };
  const old: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' };
  const next = reconcileTaints([foreign, old], desiredTaints(node('a', 'Unknown'), false), NOW)!;
  assert.deepEqual(next, [foreign, old, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: NOW }]);
  assert.equal(reconcileTaints(next, desiredTaints(node('a', 'Unknown'), false), NOW), undefined, 'nothing to change');
  const swapped = reconcileTaints(next, desiredTaints(node('a', 'False'), false), NOW)!;
  assert.deepEqual(keys(swapped), ['dedicated:NoExecute', 'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  assert.deepEqual(reconcileTaints(next, desiredTaints(node('a', 'True'), false), NOW), [foreign], 'Ready again: managed taints go');
});

test('a zone is fully disrupted only when none of its nodes is Ready', () => {
  const zones = fullyDisruptedZones([node('a', 'Unknown', [], {}, 'z1'), node('b', 'True', [], {}, 'z1'), node('c', 'Unknown', [], {}, 'z2')]);
  assert.equal(zones.size, 1);
  assert.ok([...zones][0]!.endsWith('z2'));
});
