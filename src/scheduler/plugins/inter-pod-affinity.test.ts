import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Affinity, PodAffinityTerm } from '../../api/types/core-v1.ts';
import { cluster, node, onNode, pod, runFilter } from '../testing/fixtures.ts';
import { runScore } from '../testing/score.ts';
import { ERR_REASON_AFFINITY, ERR_REASON_ANTI_AFFINITY, ERR_REASON_EXISTING_ANTI_AFFINITY, interPodAffinityFilter, interPodAffinityScore } from './inter-pod-affinity.ts';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const term = (app: string, topologyKey = HOST, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
const affinity = (...t: PodAffinityTerm[]): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: t } });
const anti = (...t: PodAffinityTerm[]): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: t } });

const nodes = () => [
  node('a1', { labels: { [ZONE]: 'a' } }), node('a2', { labels: { [ZONE]: 'a' } }),
  node('b1', { labels: { [ZONE]: 'b' } }),
];

describe('InterPodAffinity filter', () => {
  it('required affinity: only nodes in a domain holding a matching pod', () => {
    const c = cluster(nodes(), [onNode(pod('db', {}, { app: 'db' }), 'a1')]);
    const p = pod('web', { affinity: affinity(term('db', ZONE)) }, { app: 'web' });
    assert.deepEqual(runFilter(interPodAffinityFilter, p, c), { a1: '', a2: '', b1: ERR_REASON_AFFINITY });
    const sameHost = pod('web', { affinity: affinity(term('db')) }, { app: 'web' });
    assert.deepEqual(runFilter(interPodAffinityFilter, sameHost, c), { a1: '', a2: ERR_REASON_AFFINITY, b1: ERR_REASON_AFFINITY });
  });

  it('the first pod of a group with affinity to itself may go anywhere the topology key exists', () => {
    const c = cluster([...nodes(), node('nozone')]);
    const p = pod('first', { affinity: affinity(term('cache', ZONE)) }, { app: 'cache' });
    assert.deepEqual(runFilter(interPodAffinityFilter, p, c), { a1: '', a2: '', b1: '', nozone: ERR_REASON_AFFINITY });
    const other = pod('first', { affinity: affinity(term('cache', ZONE)) }, { app: 'other' });
    assert.deepEqual(runFilter(interPodAffinityFilter, other, c), { a1: ERR_REASON_AFFINITY, a2: ERR_REASON_AFFINITY, b1: ERR_REASON_AFFINITY, nozone: ERR_REASON_AFFINITY });
  });

  it('required anti-affinity keeps the pod out of domains with matching pods', () => {
    const c = cluster(nodes(), [onNode(pod('w0', {}, { app: 'web' }), 'a1')]);
    const p = pod('w1', { affinity: anti(term('web', ZONE)) }, { app: 'web' });
    assert.deepEqual(runFilter(interPodAffinityFilter, p, c), { a1: ERR_REASON_ANTI_AFFINITY, a2: ERR_REASON_ANTI_AFFINITY, b1: '' });
  });

  it("existing pods' anti-affinity keeps a matching pod away, though it has no rule of its own", () => {
    const c = cluster(nodes(), [onNode(pod('loner', { affinity: anti(term('noisy')) }, { app: 'loner' }), 'a1')]);
    assert.deepEqual(runFilter(interPodAffinityFilter, pod('n', {}, { app: 'noisy' }), c), { a1: ERR_REASON_EXISTING_ANTI_AFFINITY, a2: '', b1: '' });
    assert.deepEqual(runFilter(interPodAffinityFilter, pod('q', {}, { app: 'quiet' }), c), { a1: '', a2: '', b1: '' });
  });

  it('terms look in the pod’s own namespace unless namespaces or a namespaceSelector say otherwise', () => {
    const other = { ...onNode(pod('db', {}, { app: 'db' }), 'a1'), metadata: { name: 'db', namespace: 'data', uid: 'u-db', labels: { app: 'db' } } };
    const c = cluster(nodes(), [other]);
    c.setNamespace({ metadata: { name: 'data', labels: { team: 'storage' } } });
    const own = pod('web', { affinity: affinity(term('db')) }, { app: 'web' });
    assert.equal(runFilter(interPodAffinityFilter, own, c).a1, ERR_REASON_AFFINITY);
    const listed = pod('web', { affinity: affinity(term('db', HOST, { namespaces: ['data'] })) }, { app: 'web' });
    assert.equal(runFilter(interPodAffinityFilter, listed, c).a1, '');
    const selected = pod('web', { affinity: affinity(term('db', HOST, { namespaceSelector: { matchLabels: { team: 'storage' } } })) }, { app: 'web' });
    assert.equal(runFilter(interPodAffinityFilter, selected, c).a1, '');
    const all = pod('web', { affinity: affinity(term('db', HOST, { namespaceSelector: {} })) }, { app: 'web' });
    assert.equal(runFilter(interPodAffinityFilter, all, c).a1, '');
  });
});

describe('InterPodAffinity score', () => {
  it('preferred affinity pulls towards, preferred anti-affinity pushes away (normalized min–max)', () => {
    const c = cluster(nodes(), [onNode(pod('db', {}, { app: 'db' }), 'a1'), onNode(pod('w', {}, { app: 'web' }), 'b1')]);
    const p = pod('p', { affinity: {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('db', ZONE) }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term('web', ZONE) }] },
    } });
    // zone a: +10, zone b: -5 → a1, a2 = 100; b1 = 0.
    assert.deepEqual(runScore(interPodAffinityScore, p, c), { a1: 100, a2: 100, b1: 0 });
  });

  it("existing pods' preferred terms count too; nothing to weigh skips the plugin", () => {
    const c = cluster(nodes(), [onNode(pod('x', { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 3, podAffinityTerm: term('p') }] } } }), 'a2')]);
    assert.deepEqual(runScore(interPodAffinityScore, pod('p', {}, { app: 'p' }), c), { a1: 0, a2: 100, b1: 0 });
    assert.equal(runScore(interPodAffinityScore, pod('p', {}, { app: 'other' }), c), undefined);
  });
});
