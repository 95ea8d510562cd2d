import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { backoffFor, nextBackoffRecord, podFinishedTime, remainingBackoff } from './backoff.ts';

const finished = (at: string, phase: 'Succeeded' | 'Failed' = 'Failed'): Pod => ({
  metadata: { name: at, creationTimestamp: '2024-01-01T00:00:00Z' },
  status: { phase, containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: at } } }] },
});

test('backoff: 10 s doubling per failure, capped at the maximum', () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffFor(n)), [10_000, 20_000, 40_000, 80_000]);
  assert.equal(backoffFor(7), 600_000);
  assert.equal(backoffFor(30), 600_000);
  assert.equal(backoffFor(7, 10_000, 360_000), 360_000);
});

test('backoff: remaining time counts from the last failure', () => {
  const t = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(remainingBackoff(0, undefined, t), 0);
  assert.equal(remainingBackoff(1, t, t + 4000), 6000);
  assert.equal(remainingBackoff(2, t, t + 4000), 16_000);
  assert.equal(remainingBackoff(1, t, t + 11_000), 0);
});

test('backoff: failures accumulate; a later success resets, earlier failures do not count', () => {
  let r = nextBackoffRecord(undefined, [], [finished('2024-01-01T00:00:05Z'), finished('2024-01-01T00:00:01Z')]);
  assert.equal(r.failuresAfterLastSuccess, 2);
  assert.equal(r.lastFailureTime, Date.parse('2024-01-01T00:00:05Z'));
  r = nextBackoffRecord(r, [], [finished('2024-01-01T00:00:09Z')]);
  assert.equal(r.failuresAfterLastSuccess, 3);
  r = nextBackoffRecord(r, [finished('2024-01-01T00:00:10Z', 'Succeeded')], [finished('2024-01-01T00:00:08Z'), finished('2024-01-01T00:00:12Z')]);
  assert.deepEqual(r, { failuresAfterLastSuccess: 1, lastFailureTime: Date.parse('2024-01-01T00:00:12Z') });
  r = nextBackoffRecord(r, [finished('2024-01-01T00:00:20Z', 'Succeeded')], []);
  assert.deepEqual(r, { failuresAfterLastSuccess: 0, lastFailureTime: undefined });
});

test('backoff: finish time falls back to Ready=False, then deletion less grace, then creation', () => {
  const p: Pod = { metadata: { creationTimestamp: '2024-01-01T00:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2024-01-01T00:01:00Z' }] } };
  assert.equal(podFinishedTime(p), Date.parse('2024-01-01T00:01:00Z'));
  const d: Pod = { metadata: { creationTimestamp: '2024-01-01T00:00:00Z', deletionTimestamp: '2024-01-01T00:02:00Z', deletionGracePeriodSeconds: 30 } };
  assert.equal(podFinishedTime(d), Date.parse('2024-01-01T00:01:30Z'));
  assert.equal(podFinishedTime({ metadata: { creationTimestamp: '2024-01-01T00:00:00Z' } }), Date.parse('2024-01-01T00:00:00Z'));
});
