import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Taint } from '../../api/types/core-v1.ts';
import { evictionDecision, evictionDueMs } from './taint-eviction-decision.ts';

const UNREACHABLE: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' };
const NO_SCHEDULE: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

test('no NoExecute taint: the pod stays', () => {
  assert.deepEqual(evictionDecision([], [NO_SCHEDULE]), { action: 'keep' });
});

test('an untolerated NoExecute taint: deleted at once', () => {
  assert.deepEqual(evictionDecision(undefined, [UNREACHABLE]), { action: 'delete-now' });
  assert.deepEqual(evictionDecision([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], [UNREACHABLE]), { action: 'delete-now' });
});

test('tolerated for tolerationSeconds: deleted when the shortest runs out; without seconds: never', () => {
  const tol = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 5 }];
  const d = evictionDecision(tol, [UNREACHABLE, NO_SCHEDULE]);
  assert.deepEqual(d, { action: 'delete-after', seconds: 5 });
  assert.equal(evictionDueMs(d, 1_000), 6_000);
  const other: Taint = { key: 'dedicated', effect: 'NoExecute' };
  assert.deepEqual(evictionDecision([...tol, { key: 'dedicated', operator: 'Exists', tolerationSeconds: 2 }], [UNREACHABLE, other]), { action: 'delete-after', seconds: 2 });
  assert.deepEqual(evictionDecision([{ operator: 'Exists' }], [UNREACHABLE]), { action: 'keep' });
  assert.deepEqual(evictionDecision([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 0 }], [UNREACHABLE]), { action: 'delete-now' });
  assert.equal(evictionDueMs({ action: 'keep' }, 1_000), undefined);
});
