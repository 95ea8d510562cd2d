import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, node, pod, runFilter } from '../testing/fixtures.ts';
import { nodeReady } from './node-ready.ts';

describe('NodeReady', () => {
  const c = cluster([node('ready'), node('down', { ready: 'False' }), node('lost', { ready: 'Unknown' }), node('new', { ready: 'missing' })]);

  it('rejects nodes that are not Ready with the taint the node lifecycle controller would set', () => {
    assert.deepEqual(runFilter(nodeReady, pod('p'), c), {
      ready: '',
      down: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
      lost: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }',
      new: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }',
    });
  });

  it('pods tolerating not-ready go there', () => {
    const p = pod('p', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] });
    assert.equal(runFilter(nodeReady, p, c).down, '');
  });
});
