import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment } from './deployment-types.ts';
import { byRevision, maxRevision, setNewReplicaSetAnnotations } from './revisions.ts';

const rs = (name: string, revision?: string, extra: Record<string, string> = {}): ReplicaSet => ({
  metadata: { name, creationTimestamp: '2024-01-01T00:00:00Z', annotations: { ...(revision ? { 'deployment.kubernetes.io/revision': revision } : {}), ...extra } },
  spec: { replicas: 0, selector: {} },
});
const d: Deployment = {
  metadata: { name: 'web', annotations: { 'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '9', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: { replicas: 4, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
};

test('maxRevision skips unparsable revisions; byRevision orders oldest first', () => {
  const all = [rs('a', '3'), rs('b', 'x'), rs('c', '10'), rs('d')];
  assert.equal(maxRevision(all), 10);
  assert.deepEqual([rs('a', '3'), rs('c', '10'), rs('e', '2')].sort(byRevision).map((r) => r.metadata.name), ['e', 'a', 'c']);
});

test('a created ReplicaSet gets revision, change cause and replica annotations, never the Deployment\'s own revision', () => {
  const n = rs('new');
  assert.ok(setNewReplicaSetAnnotations(d, n, 3, false));
  assert.deepEqual(n.metadata.annotations, {
    'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '3',
    'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5',
  });
  assert.ok(!setNewReplicaSetAnnotations(d, n, 3, true), 'nothing changes the second time');
});

test('rolling back to an old ReplicaSet raises its revision and records the old one in revision-history', () => {
  const old = rs('old', '1', { 'kubernetes.io/change-cause': 'v2' });
  assert.ok(setNewReplicaSetAnnotations(d, old, 4, true));
  assert.equal(old.metadata.annotations!['deployment.kubernetes.io/revision'], '4');
  assert.equal(old.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  setNewReplicaSetAnnotations(d, old, 6, true);
  assert.equal(old.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,4');
  assert.ok(!setNewReplicaSetAnnotations(d, old, 5, true), 'a lower revision never replaces a higher one');
});
