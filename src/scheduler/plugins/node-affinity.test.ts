import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSelectorTerm } from '../../api/types/core-v1.ts';
import { cluster, node, pod, runFilter } from '../testing/fixtures.ts';
import { runScore } from '../testing/score.ts';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.ts';

const MISMATCH = "node(s) didn't match Pod's node affinity/selector";
const required = (...terms: NodeSelectorTerm[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });

describe('NodeAffinity filter', () => {
  const c = cluster([
    node('ssd', { labels: { disk: 'ssd', gen: '5' } }),
    node('hdd', { labels: { disk: 'hdd', gen: '3' } }),
    node('bare'),
  ]);

  it('Scheduler, node selector matching: nodeSelector needs every label', () => {
    assert.deepEqual(runFilter(nodeAffinityFilter, pod('p', { nodeSelector: { disk: 'ssd' } }), c), { ssd: '', hdd: MISMATCH, bare: MISMATCH });
    assert.deepEqual(runFilter(nodeAffinityFilter, pod('p', { nodeSelector: { disk: 'ssd', gen: '3' } }), c), { ssd: MISMATCH, hdd: MISMATCH, bare: MISMATCH });
  });

  it('operators In, NotIn, Exists, DoesNotExist, Gt, Lt', () => {
    const f = (t: NodeSelectorTerm) => runFilter(nodeAffinityFilter, pod('p', { affinity: required(t) }), c);
    assert.deepEqual(f({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd', 'nvme'] }] }), { ssd: MISMATCH, hdd: '', bare: MISMATCH });
    assert.deepEqual(f({ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['hdd'] }] }), { ssd: '', hdd: MISMATCH, bare: '' });
    assert.deepEqual(f({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }), { ssd: '', hdd: '', bare: MISMATCH });
    assert.deepEqual(f({ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }), { ssd: MISMATCH, hdd: MISMATCH, bare: '' });
    assert.deepEqual(f({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }), { ssd: '', hdd: MISMATCH, bare: MISMATCH });
    assert.deepEqual(f({ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['4'] }] }), { ssd: MISMATCH, hdd: '', bare: MISMATCH });
  });

  it('terms are ORed, expressions in a term ANDed; an empty term matches nothing', () => {
    const p = pod('p', { affinity: required(
      { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'gen', operator: 'In', values: ['3'] }] },
      { matchExpressions: [{ key: 'gen', operator: 'In', values: ['3'] }] },
      {},
    ) });
    assert.deepEqual(runFilter(nodeAffinityFilter, p, c), { ssd: MISMATCH, hdd: '', bare: MISMATCH });
  });

  it('matchFields metadata.name narrows the nodes before filtering', () => {
    const p = pod('p', { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hdd'] }] }) });
    assert.deepEqual(runFilter(nodeAffinityFilter, p, c), { ssd: 'outside PreFilter result', hdd: '', bare: 'outside PreFilter result' });
    const notIn = pod('p', { affinity: required({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['hdd'] }] }) });
    assert.deepEqual(runFilter(nodeAffinityFilter, notIn, c), { ssd: '', hdd: MISMATCH, bare: '' });
  });

  it('nodeSelector and affinity must both hold', () => {
    const p = pod('p', { nodeSelector: { disk: 'ssd' }, affinity: required({ matchExpressions: [{ key: 'gen', operator: 'In', values: ['3'] }] }) });
    assert.deepEqual(runFilter(nodeAffinityFilter, p, c), { ssd: MISMATCH, hdd: MISMATCH, bare: MISMATCH });
  });
});

describe('NodeAffinity score', () => {
  it('sums the weights of matching preferred terms, scaled to 100', () => {
    const c = cluster([node('a', { labels: { zone: 'z1', disk: 'ssd' } }), node('b', { labels: { zone: 'z1' } }), node('c')]);
    const p = pod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 60, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
      { weight: 20, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
    ] } } });
    assert.deepEqual(runScore(nodeAffinityScore, p, c), { a: 100, b: 75, c: 0 });
  });

  it('skips pods without preferences', () => {
    assert.equal(runScore(nodeAffinityScore, pod('p'), cluster([node('a')])), undefined);
  });
});
