import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pod, service } from './test-fixtures.ts';
import { TriggerTimeTracker } from './trigger-time-tracker.ts';

test('trigger time: creation first, then the earliest pod change since the last sync, then none', () => {
  const t = new TriggerTimeTracker();
  const svc = service();
  const a = pod('a', { readySince: '2024-01-01T00:00:05Z' });
  const b = pod('b', { readySince: '2024-01-01T00:00:06Z' });
  assert.equal(t.compute('ns/web', svc, [a, b]), Date.parse('2024-01-01T00:00:00Z'));
  assert.equal(t.compute('ns/web', svc, [a, b]), undefined);
  const a2 = pod('a', { readySince: '2024-01-01T00:00:09Z' });
  const b2 = pod('b', { readySince: '2024-01-01T00:00:08Z' });
  assert.equal(t.compute('ns/web', svc, [a2, b2]), Date.parse('2024-01-01T00:00:08Z'));
  t.delete('ns/web');
  assert.equal(t.compute('ns/web', svc, [a2, b2]), Date.parse('2024-01-01T00:00:00Z'));
});
