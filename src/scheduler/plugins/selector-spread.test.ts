import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types/core-v1.ts';
import { cluster, node, onNode, pod } from '../testing/fixtures.ts';
import { runScore } from '../testing/score.ts';
import { selectorSpread } from './selector-spread.ts';

function owned(name: string, owner: string): Pod {
  const p = pod(name, {}, { app: 'web' });
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}`, controller: true }];
  return p;
}

describe('SelectorSpread', () => {
  it('pods of one controller spread: the node with fewer of them scores higher', () => {
    const c = cluster([node('a'), node('b'), node('c')], [onNode(owned('r1', 'rs'), 'a'), onNode(owned('r2', 'rs'), 'a'), onNode(owned('r3', 'rs'), 'b'), onNode(owned('x', 'other'), 'c')]);
    assert.deepEqual(runScore(selectorSpread, owned('r4', 'rs'), c), { a: 0, b: 50, c: 100 });
  });

  it('pods a service selects spread too; zones weigh 2/3', () => {
    const c = cluster([node('a1', { labels: { 'topology.kubernetes.io/zone': 'a' } }), node('a2', { labels: { 'topology.kubernetes.io/zone': 'a' } }), node('b1', { labels: { 'topology.kubernetes.io/zone': 'b' } })],
      [onNode(pod('s1', {}, { app: 'web' }), 'a1')]);
    c.setService('default', 'web', { app: 'web' });
    // a1: node 0, zone 0 → 0; a2: node 100, zone 0 → 33; b1: 100, 100 → 100.
    assert.deepEqual(runScore(selectorSpread, pod('s2', {}, { app: 'web' }), c), { a1: 0, a2: 33, b1: 100 });
  });

  it('skips pods with no controller and no service', () => {
    assert.equal(runScore(selectorSpread, pod('p'), cluster([node('a')])), undefined);
  });
});
