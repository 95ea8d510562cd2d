import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, Pod } from '../../api/types/core-v1.ts';
import type { PodStats } from '../../api/types/stats-v1alpha1.ts';
import { podMemoryRequest, rankMemoryPressure } from './memory-ranking.ts';

const Mi = 1024 * 1024;

function pod(name: string, containers: Array<Partial<Container>>, priority?: number, init: Array<Partial<Container>> = []): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name },
    spec: {
      containers: containers.map((c, i) => ({ name: `c${i}`, image: 'busybox', ...c })),
      ...(init.length ? { initContainers: init.map((c, i) => ({ name: `i${i}`, image: 'busybox', ...c })) } : {}),
      ...(priority !== undefined ? { priority } : {}),
    },
  };
}

const res = (request?: string, limit?: string): Partial<Container> => ({
  resources: { ...(request ? { requests: { memory: request, cpu: '100m' } } : {}), ...(limit ? { limits: { memory: limit, cpu: '100m' } } : {}) },
});

function statsOf(usage: Record<string, number>): (p: Pod) => PodStats | undefined {
  return (p) => {
    const ws = usage[p.metadata.name!];
    return ws === undefined ? undefined : { podRef: { name: p.metadata.name!, namespace: 'default', uid: p.metadata.uid! }, startTime: '', containers: [], memory: { time: '', workingSetBytes: ws } };
  };
}

test('QoS order: BestEffort and Burstable pods over their requests, then those within them and Guaranteed', () => {
  const guaranteed = pod('guaranteed', [res('200Mi', '200Mi')]);
  const burstableOver = pod('burstable-over', [res('10Mi', '500Mi')]);
  const burstableWithin = pod('burstable-within', [res('100Mi', '500Mi')]);
  const bestEffort = pod('besteffort', [{}]);
  // The Guaranteed pod uses the most memory: it still goes last.
  const ranked = rankMemoryPressure([guaranteed, burstableWithin, burstableOver, bestEffort], statsOf({ guaranteed: 190 * Mi, 'burstable-over': 30 * Mi, 'burstable-within': 95 * Mi, besteffort: 50 * Mi }));
  assert.deepEqual(ranked.map((p) => p.metadata.name), ['besteffort', 'burstable-over', 'burstable-within', 'guaranteed']);
});

test('among pods over their requests: lower priority first, then the largest use above the request', () => {
  const a = pod('a', [{}]);
  const b = pod('b', [res('10Mi')]);
  const c = pod('c', [{}], 1000);
  const within = pod('within', [res('100Mi')]);
  const ranked = rankMemoryPressure([c, within, a, b], statsOf({ a: 20 * Mi, b: 40 * Mi, c: 500 * Mi, within: 90 * Mi }));
  // a uses 20Mi over nothing, b 30Mi over its 10Mi: b first; c has a higher priority; within is under its request.
  assert.deepEqual(ranked.map((p) => p.metadata.name), ['b', 'a', 'c', 'within']);
});

test('between two pods over their requests, the one further over goes first', () => {
  const bestEffort = pod('besteffort', [{}]);
  const burstable = pod('burstable', [res('10Mi')]);
  const ranked = rankMemoryPressure([burstable, bestEffort], statsOf({ besteffort: 30 * Mi, burstable: 20 * Mi }));
  assert.deepEqual(ranked.map((p) => p.metadata.name), ['besteffort', 'burstable']);
});

test('a pod without stats goes first', () => {
  const known = pod('known', [{}]);
  const unknown = pod('unknown', [res('1Gi', '1Gi')]);
  assert.deepEqual(rankMemoryPressure([known, unknown], statsOf({ known: 900 * Mi })).map((p) => p.metadata.name), ['unknown', 'known']);
});

test('memory request: containers summed, a larger init container counts, a limit stands for a missing request', () => {
  assert.equal(podMemoryRequest(pod('x', [res('10Mi'), res(undefined, '20Mi'), {}])), 30 * Mi);
  assert.equal(podMemoryRequest(pod('y', [res('10Mi')], undefined, [res('64Mi')])), 64 * Mi);
});
