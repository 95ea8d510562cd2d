import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { isPodTerminated, terminatedPodsToDelete } from './terminated-pods.ts';

function pod(name: string, phase: string, created: string, reason?: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', creationTimestamp: created }, status: { phase, ...(reason ? { reason } : {}) } } as Pod;
}

test('only Succeeded and Failed pods count as terminated', () => {
  assert.deepEqual(['Pending', 'Running', 'Unknown', 'Succeeded', 'Failed'].map((p) => isPodTerminated(pod('p', p, '2024-01-01T00:00:00Z'))), [false, false, false, true, true]);
  assert.equal(isPodTerminated({ metadata: { name: 'x' } }), false);
});

test('the excess over the threshold goes, evicted pods first then oldest first', () => {
  const pods = [
    pod('new', 'Succeeded', '2024-01-03T00:00:00Z'),
    pod('running', 'Running', '2024-01-01T00:00:00Z'),
    pod('old', 'Failed', '2024-01-01T00:00:00Z'),
    pod('mid', 'Succeeded', '2024-01-02T00:00:00Z'),
    pod('evicted', 'Failed', '2024-01-04T00:00:00Z', 'Evicted'),
  ];
  assert.deepEqual(terminatedPodsToDelete(pods, 2).map((p) => p.metadata.name), ['evicted', 'old']);
  assert.deepEqual(terminatedPodsToDelete(pods, 4).map((p) => p.metadata.name), []);
  assert.deepEqual(terminatedPodsToDelete(pods, 0).map((p) => p.metadata.name), [], 'a threshold of 0 switches it off');
});
