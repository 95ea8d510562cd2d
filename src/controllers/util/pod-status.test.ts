import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { isPodActive, isPodAvailable, isPodReady, msUntilAvailable } from './pod-status.ts';

const readySince = (iso: string): Pod => ({ metadata: { name: 'p' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso }] } });

test('ready, available after minReadySeconds, and when to look again', () => {
  const t = Date.parse('2025-01-01T00:00:00Z');
  const p = readySince('2025-01-01T00:00:00Z');
  assert.equal(isPodReady(p), true);
  assert.equal(isPodAvailable(p, 0, t), true);
  assert.equal(isPodAvailable(p, 10, t + 5000), false);
  assert.equal(msUntilAvailable(p, 10, t + 5000), 5001);
  assert.equal(isPodAvailable(p, 10, t + 10_001), true);
  assert.equal(msUntilAvailable(p, 10, t + 10_001), undefined);
  const notReady: Pod = { metadata: { name: 'q' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } };
  assert.equal(isPodReady(notReady), false);
  assert.equal(isPodAvailable(notReady, 0, t), false);
});

test('active: not finished and not being deleted', () => {
  assert.equal(isPodActive({ metadata: {}, status: { phase: 'Pending' } }), true);
  assert.equal(isPodActive({ metadata: {}, status: { phase: 'Succeeded' } }), false);
  assert.equal(isPodActive({ metadata: {}, status: { phase: 'Failed' } }), false);
  assert.equal(isPodActive({ metadata: { deletionTimestamp: '2025-01-01T00:00:00Z' }, status: { phase: 'Running' } }), false);
});
