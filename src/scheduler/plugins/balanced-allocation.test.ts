import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, node, onNode, pod, podWith } from '../testing/fixtures.ts';
import { runScore } from '../testing/score.ts';
import { balancedAllocation } from './balanced-allocation.ts';

describe('NodeResourcesBalancedAllocation', () => {
  it('scores (1 - |cpu fraction - memory fraction| / 2) × 100', () => {
    const c = cluster([node('even', { cpu: '4', memory: '4Gi' }), node('skewed', { cpu: '4', memory: '4Gi' })], [onNode(podWith('x', { memory: '2Gi' }), 'skewed')]);
    const s = runScore(balancedAllocation, podWith('p', { cpu: '1', memory: '1Gi' }), c)!;
    // even: 0.25 vs 0.25 → 100; skewed: 0.25 vs 0.75 → 1 - 0.25 = 75.
    assert.deepEqual(s, { even: 100, skewed: 75 });
  });

  it('skips pods that request neither cpu nor memory', () => {
    assert.equal(runScore(balancedAllocation, pod('p'), cluster([node('n')])), undefined);
  });
});
