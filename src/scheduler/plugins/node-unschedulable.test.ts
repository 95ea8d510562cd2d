import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, node, pod, runFilter } from '../testing/fixtures.ts';
import { nodeUnschedulable } from './node-unschedulable.ts';

describe('NodeUnschedulable', () => {
  const c = cluster([node('cordoned', { unschedulable: true }), node('open')]);

  it('rejects cordoned nodes', () => {
    assert.deepEqual(runFilter(nodeUnschedulable, pod('p'), c), { cordoned: 'node(s) were unschedulable', open: '' });
  });

  it('lets pods tolerating node.kubernetes.io/unschedulable in', () => {
    const p = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.deepEqual(runFilter(nodeUnschedulable, p, c), { cordoned: '', open: '' });
  });
});
