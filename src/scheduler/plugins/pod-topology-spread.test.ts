import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologySpreadConstraint } from '../../api/types/core-v1.ts';
import { cluster, node, onNode, pod, runFilter } from '../testing/fixtures.ts';
import { runScore } from '../testing/score.ts';
import { ERR_REASON_CONSTRAINTS, ERR_REASON_NODE_LABEL, podTopologySpreadFilter, podTopologySpreadScore } from './pod-topology-spread.ts';

const ZONE = 'topology.kubernetes.io/zone';
const spread = (extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra,
});
const web = (name: string, nodeName: string) => onNode(pod(name, {}, { app: 'web' }), nodeName);

describe('PodTopologySpread filter', () => {
  const nodes = () => [node('a1', { labels: { [ZONE]: 'a' } }), node('b1', { labels: { [ZONE]: 'b' } }), node('c1', { labels: { [ZONE]: 'c' } }), node('none')];

  it('maxSkew 1: only the least loaded zones take the next pod; nodes without the key never', () => {
    const c = cluster(nodes(), [web('w1', 'a1'), web('w2', 'b1')]);
    const p = pod('w3', { topologySpreadConstraints: [spread()] }, { app: 'web' });
    assert.deepEqual(runFilter(podTopologySpreadFilter, p, c), { a1: ERR_REASON_CONSTRAINTS, b1: ERR_REASON_CONSTRAINTS, c1: '', none: ERR_REASON_NODE_LABEL });
  });

  it('a larger maxSkew allows more imbalance', () => {
    const c = cluster(nodes(), [web('w1', 'a1'), web('w2', 'b1')]);
    const p = pod('w3', { topologySpreadConstraints: [spread({ maxSkew: 2 })] }, { app: 'web' });
    assert.deepEqual(runFilter(podTopologySpreadFilter, p, c), { a1: '', b1: '', c1: '', none: ERR_REASON_NODE_LABEL });
  });

  it('minDomains: with fewer domains than asked the global minimum counts as 0', () => {
    const c = cluster([node('a1', { labels: { [ZONE]: 'a' } }), node('b1', { labels: { [ZONE]: 'b' } })], [web('w1', 'a1'), web('w2', 'b1')]);
    const p = pod('w3', { topologySpreadConstraints: [spread({ minDomains: 3 })] }, { app: 'web' });
    assert.deepEqual(runFilter(podTopologySpreadFilter, p, c), { a1: ERR_REASON_CONSTRAINTS, b1: ERR_REASON_CONSTRAINTS });
    const p2 = pod('w3', { topologySpreadConstraints: [spread()] }, { app: 'web' });
    assert.deepEqual(runFilter(podTopologySpreadFilter, p2, c), { a1: '', b1: '' });
  });

  it('nodes the pod’s nodeSelector excludes do not count as domains (nodeAffinityPolicy Honor)', () => {
    const c = cluster([node('a1', { labels: { [ZONE]: 'a', pool: 'x' } }), node('b1', { labels: { [ZONE]: 'b', pool: 'x' } }), node('c1', { labels: { [ZONE]: 'c' } })], [web('w1', 'a1')]);
    const p = pod('w2', { nodeSelector: { pool: 'x' }, topologySpreadConstraints: [spread()] }, { app: 'web' });
    // Zone c is not eligible, so the minimum is zone b's 0 and zone a (1 + 1 - 0 = 2) is too much.
    assert.deepEqual(runFilter(podTopologySpreadFilter, p, c), { a1: ERR_REASON_CONSTRAINTS, b1: '', c1: '' });
  });

  it('ScheduleAnyway constraints do not filter', () => {
    const c = cluster(nodes(), [web('w1', 'a1'), web('w2', 'a1')]);
    const p = pod('w3', { topologySpreadConstraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })] }, { app: 'web' });
    assert.deepEqual(runFilter(podTopologySpreadFilter, p, c), { a1: '', b1: '', c1: '', none: '' });
  });
});

describe('PodTopologySpread score', () => {
  it('ScheduleAnyway: emptier zones score higher; nodes without the key score 0', () => {
    const c = cluster([node('a1', { labels: { [ZONE]: 'a' } }), node('b1', { labels: { [ZONE]: 'b' } }), node('none')], [web('w1', 'a1'), web('w2', 'a1')]);
    const p = pod('w3', { topologySpreadConstraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })] }, { app: 'web' });
    const s = runScore(podTopologySpreadScore, p, c)!;
    assert.equal(s.none, 0);
    assert.equal(s.b1, 100);
    assert.ok(s.a1! < s.b1);
  });
});
