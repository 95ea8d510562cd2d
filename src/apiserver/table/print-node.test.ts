import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodePrinter } from './print-node.ts';
import { DAY, NOW, obj } from './test-helpers.ts';

const node = (spec: Record<string, unknown>, status: Record<string, unknown>, labels: Record<string, string> = {}) =>
  nodePrinter.cells(obj('node-1', 12 * DAY, { spec, status }, { namespace: undefined, labels }), NOW);

const info = { kubeletVersion: 'v1.33.1', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'skiff://0.1.0' };

test('ready control-plane node, wide columns included', () => {
  assert.deepEqual(
    node({}, {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '10.0.0.2' }],
      nodeInfo: info,
    }, { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/etcd': '', 'kubernetes.io/hostname': 'node-1' }),
    ['node-1', 'Ready', 'control-plane,etcd', '12d', 'v1.33.1', '10.0.0.2', '<none>', 'Debian GNU/Linux 12', '6.1.0-18-amd64', 'skiff://0.1.0'],
  );
});

test('status: NotReady, Unknown and SchedulingDisabled', () => {
  assert.equal(node({}, { conditions: [{ type: 'Ready', status: 'False' }] })[1], 'NotReady');
  assert.equal(node({}, { conditions: [{ type: 'Ready', status: 'Unknown' }] })[1], 'NotReady');
  assert.equal(node({}, {})[1], 'Unknown');
  assert.equal(node({ unschedulable: true }, { conditions: [{ type: 'Ready', status: 'True' }] })[1], 'Ready,SchedulingDisabled');
});

test('roles from kubernetes.io/role, none without labels, unknown node info', () => {
  const c = node({}, {}, { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/': '' });
  assert.equal(c[2], 'worker');
  const bare = node({}, {});
  assert.deepEqual([bare[2], bare[4], bare[5], bare[6], bare[7], bare[8], bare[9]], ['<none>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});
