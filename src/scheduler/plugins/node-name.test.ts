import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, node, pod, runFilter } from '../testing/fixtures.ts';
import { nodeName } from './node-name.ts';

describe('NodeName', () => {
  it('a pod naming a node fits only that node; a pod naming none fits all', () => {
    const c = cluster([node('a'), node('b')]);
    assert.deepEqual(runFilter(nodeName, pod('p', { nodeName: 'b' }), c), { a: "node(s) didn't match the requested node name", b: '' });
    assert.deepEqual(runFilter(nodeName, pod('p'), c), { a: '', b: '' });
  });
});
