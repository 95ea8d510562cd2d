import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { computeStatus, countHealthy, DELETION_TIMEOUT_MS, expectedAndDesired, failSafeStatus, needsControllerScale, pendingDisruptions, sameStatus } from './pdb-status.ts';
import type { PodDisruptionBudget } from './pdb-types.ts';

const pdb = (spec: NonNullable<PodDisruptionBudget['spec']>, status?: PodDisruptionBudget['status']): PodDisruptionBudget =>
  ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'ns', generation: 3 }, spec, ...(status ? { status } : {}) });
const pod = (name: string, ready: boolean, deleting = false): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'ns', ...(deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('integer minAvailable counts pods; maxUnavailable and percentages count the controllers\' scale, rounded up', () => {
  const never = (): number => { throw new Error('no scale needed'); };
  assert.deepEqual(expectedAndDesired(pdb({ minAvailable: 2 }), 3, never), [3, 2]);
  assert.equal(needsControllerScale(pdb({ minAvailable: 2 })), false);
  assert.deepEqual(expectedAndDesired(pdb({ minAvailable: '50%' }), 2, () => 5), [5, 3]);
  assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: 1 }), 2, () => 4), [4, 3]);
  assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: '30%' }), 2, () => 4), [4, 2], '30% of 4 rounds up to 2 unavailable');
  assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: 9 }), 2, () => 4), [4, 0], 'never below 0');
});

test('healthy: ready, not being deleted, not just evicted', () => {
  const now = Date.parse('2024-01-01T00:01:00Z');
  const pods = [pod('a', true), pod('b', false), pod('c', true, true), pod('d', true)];
  assert.equal(countHealthy(pods, {}, now), 2);
  assert.equal(countHealthy(pods, { d: '2024-01-01T00:00:30Z' }, now), 1);
  assert.equal(countHealthy(pods, { d: '2024-01-01T00:00:30Z' }, now + DELETION_TIMEOUT_MS), 2, 'an eviction that never became a deletion stops counting');
});

test('disruptedPods keeps live, undeleted entries younger than the deletion timeout, and says when to look again', () => {
  const now = Date.parse('2024-01-01T00:01:00Z');
  const b = pdb({ minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptedPods: { a: '2024-01-01T00:00:30Z', c: '2024-01-01T00:00:30Z', gone: '2024-01-01T00:00:30Z', old: '2023-01-01T00:00:00Z' } });
  const r = pendingDisruptions(b, [pod('a', true), pod('c', true, true), pod('old', true)], now);
  assert.deepEqual(r.disrupted, { a: '2024-01-01T00:00:30Z' });
  assert.deepEqual(r.expired, ['old']);
  assert.equal(r.recheckAt, Date.parse('2024-01-01T00:00:30Z') + DELETION_TIMEOUT_MS);
});

test('status: allowed = healthy - desired, never negative, 0 with no pods expected; DisruptionAllowed condition', () => {
  const now = '2024-01-01T00:00:00Z';
  const s = computeStatus({ pdb: pdb({ minAvailable: 1 }), currentHealthy: 2, desiredHealthy: 1, expectedCount: 2, disruptedPods: {}, now });
  assert.equal(s.disruptionsAllowed, 1);
  assert.equal(s.observedGeneration, 3);
  assert.deepEqual(s.conditions, [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 3, lastTransitionTime: now }]);
  const t = computeStatus({ pdb: pdb({ minAvailable: 2 }, s), currentHealthy: 2, desiredHealthy: 2, expectedCount: 2, disruptedPods: {}, now: '2024-01-01T00:00:05Z' });
  assert.equal(t.disruptionsAllowed, 0);
  assert.equal(t.conditions?.[0]?.reason, 'InsufficientPods');
  assert.equal(t.conditions?.[0]?.lastTransitionTime, '2024-01-01T00:00:05Z');
  assert.equal(computeStatus({ pdb: pdb({ minAvailable: 0 }), currentHealthy: 0, desiredHealthy: 0, expectedCount: 0, disruptedPods: {}, now }).disruptionsAllowed, 0);
  assert.equal(sameStatus(t, computeStatus({ pdb: pdb({ minAvailable: 2 }, t), currentHealthy: 2, desiredHealthy: 2, expectedCount: 2, disruptedPods: {}, now: '2024-01-01T00:09:00Z' })), true, 'nothing changed: nothing to write');
  const f = failSafeStatus(pdb({ maxUnavailable: 1 }, t), new Error('found no controllers for pod "x"'), now);
  assert.equal(f.disruptionsAllowed, 0);
  assert.equal(f.conditions?.[0]?.reason, 'SyncFailed');
});
