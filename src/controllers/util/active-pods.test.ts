import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { compareForDeletion, podsToDelete, POD_DELETION_COST } from './active-pods.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString();

function pod(name: string, o: { node?: string; phase?: 'Pending' | 'Running' | 'Unknown'; readyFor?: number; restarts?: number; age?: number; cost?: number } = {}): Pod {
  return {
    metadata: {
      name, uid: `uid-${name}`, creationTimestamp: ago(o.age ?? 3600),
      ...(o.cost !== undefined ? { annotations: { [POD_DELETION_COST]: String(o.cost) } } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readyFor !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readyFor) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', ready: o.readyFor !== undefined, restartCount: o.restarts ?? 0, image: 'busybox', imageID: '' }],
    },
  };
}

const first = (a: Pod, b: Pod): string => (compareForDeletion({ pod: a, rank: 0 }, { pod: b, rank: 0 }, NOW) < 0 ? a.metadata.name! : b.metadata.name!);

test('deletion order: unassigned < assigned, Pending < Unknown < Running, not ready < ready', () => {
  assert.equal(first(pod('assigned', { node: 'n1', phase: 'Pending' }), pod('unassigned', { phase: 'Pending' })), 'unassigned');
  assert.equal(first(pod('running', { node: 'n1' }), pod('pending', { node: 'n1', phase: 'Pending' })), 'pending');
  assert.equal(first(pod('running', { node: 'n1' }), pod('unknown', { node: 'n1', phase: 'Unknown' })), 'unknown');
  assert.equal(first(pod('ready', { node: 'n1', readyFor: 100 }), pod('notready', { node: 'n1' })), 'notready');
});

test('deletion order: lower deletion cost, then doubled up, then ready for less time', () => {
  assert.equal(first(pod('cheap', { node: 'n1', readyFor: 10, cost: -5 }), pod('dear', { node: 'n1', readyFor: 10 })), 'cheap');
  assert.equal(compareForDeletion({ pod: pod('alone', { node: 'n1', readyFor: 5 }), rank: 1 }, { pod: pod('crowded', { node: 'n2', readyFor: 5000 }), rank: 3 }, NOW) > 0, true);
  assert.equal(first(pod('old', { node: 'n1', readyFor: 3600 }), pod('fresh', { node: 'n1', readyFor: 10 })), 'fresh');
});

test('deletion order: more restarts, then newer, then uid', () => {
  assert.equal(first(pod('calm', { node: 'n1', readyFor: 60, restarts: 0 }), pod('crashy', { node: 'n1', readyFor: 60, restarts: 4 })), 'crashy');
  assert.equal(first(pod('older', { node: 'n1', age: 7200 }), pod('newer', { node: 'n1', age: 60 })), 'newer');
  // Same age bucket: the uid decides, deterministically.
  assert.equal(first(pod('b', { node: 'n1', age: 60 }), pod('a', { node: 'n1', age: 61 })), 'a');
});

test('podsToDelete: picks the cheapest pods to lose and ranks pods doubled up on a node', () => {
  const pods = [
    pod('r1', { node: 'n1', readyFor: 3600 }), pod('r2', { node: 'n2', readyFor: 3600 }), pod('r3', { node: 'n2', readyFor: 3600 }),
    pod('p1', { phase: 'Pending' }), pod('nr', { node: 'n1' }),
  ];
  const names = (ps: Pod[]): string[] => ps.map((p) => p.metadata.name!);
  assert.deepEqual(names(podsToDelete(pods, pods, 2, NOW)), ['p1', 'nr']);
  // n1 holds r1 and nr, n2 holds r2 and r3: after nr goes, r2/r3 are doubled up with rank 2 like r1… nr counts too.
  const ready = pods.slice(0, 3);
  assert.deepEqual(names(podsToDelete(ready, ready, 1, NOW)).length, 1);
  assert.notEqual(names(podsToDelete(ready, ready, 1, NOW))[0], 'r1', 'r1 is alone on n1; n2 has two');
  assert.equal(podsToDelete(pods, pods, 9, NOW).length, 5);
});
