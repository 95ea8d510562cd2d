import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../../api/types/batch-v1.ts';
import { needsCleanup, timeLeft } from './ttl.ts';

const job = (ttl: number | undefined, cond?: { type: string; status: 'True' | 'False' }): Job => ({
  metadata: { name: 'j' },
  spec: { template: {}, ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}) },
  status: cond ? { conditions: [{ ...cond, lastTransitionTime: '2024-01-01T00:00:00Z' }] } : {},
});

test('ttl: only finished Jobs with a TTL are cleaned up', () => {
  assert.equal(needsCleanup(job(10)), false);
  assert.equal(needsCleanup(job(undefined, { type: 'Complete', status: 'True' })), false);
  assert.equal(needsCleanup(job(10, { type: 'Complete', status: 'False' })), false);
  assert.equal(needsCleanup(job(0, { type: 'Failed', status: 'True' })), true);
});

test('ttl: time left counts from the finishing condition', () => {
  const t = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(timeLeft(job(10, { type: 'Complete', status: 'True' }), t + 4000), 6000);
  assert.equal(timeLeft(job(0, { type: 'Failed', status: 'True' }), t + 1), -1);
  assert.equal(timeLeft(job(10), t), undefined);
});
