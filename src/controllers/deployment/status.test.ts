import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment, DeploymentStatus } from './deployment-types.ts';
import { calculateStatus, getCondition, pausedCondition, rolloutStatus, sameStatus, setCondition, stuckRequeueAfter } from './status.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const rs = (name: string, spec: number, replicas: number, available: number): ReplicaSet => ({
  metadata: { name }, spec: { replicas: spec, selector: {} }, status: { replicas, readyReplicas: available, availableReplicas: available },
});
const dep = (status: DeploymentStatus = {}, extra: Partial<Deployment['spec']> = {}): Deployment => ({
  metadata: { name: 'web', generation: 2 },
  spec: { replicas: 4, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }, progressDeadlineSeconds: 600, ...extra },
  status,
});

test('calculateStatus counts replicas from the ReplicaSets and sets Available by maxUnavailable', () => {
  const old = rs('old', 2, 3, 3);
  const nw = rs('new', 3, 2, 0);
  const s = calculateStatus([old, nw], nw, dep(), NOW);
  assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 2, replicas: 5, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 2, conditions: undefined });
  assert.equal(getCondition(s, 'Available')?.status, 'True');
  const low = calculateStatus([rs('old', 2, 2, 2)], undefined, dep(), NOW);
  assert.equal(getCondition(low, 'Available')?.reason, 'MinimumReplicasUnavailable');
});

test('setCondition keeps the transition time when only the reason changes', () => {
  const s: DeploymentStatus = { conditions: [{ type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 'then', lastUpdateTime: 'then' }] };
  setCondition(s, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 'now', lastUpdateTime: 'now' });
  assert.deepEqual(s.conditions, [{ type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 'then', lastUpdateTime: 'now' }]);
});

test('rolloutStatus: progressing, then complete, then timed out when nothing moves past the deadline', () => {
  const nw = rs('new', 4, 2, 1);
  const d = dep({ replicas: 4, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', lastUpdateTime: '2024-05-01T11:00:00Z', lastTransitionTime: '2024-05-01T11:00:00Z' }] });
  const s = rolloutStatus([rs('old', 2, 2, 2), nw], nw, d, NOW);
  const p = getCondition(s, 'Progressing')!;
  assert.equal(p.reason, 'ReplicaSetUpdated');
  assert.equal(p.message, 'ReplicaSet "new" is progressing.');
  assert.equal(p.lastTransitionTime, '2024-05-01T11:00:00Z');
  assert.equal(p.lastUpdateTime, '2024-05-01T12:00:00Z');

  const done = rs('new', 4, 4, 4);
  assert.equal(getCondition(rolloutStatus([done], done, d, NOW), 'Progressing')?.reason, 'NewReplicaSetAvailable');

  const stuck = dep({ ...s });
  const same = rolloutStatus([rs('old', 2, 2, 2), nw], nw, stuck, NOW + 599_000);
  assert.equal(getCondition(same, 'Progressing')?.reason, 'ReplicaSetUpdated', 'within the deadline');
  assert.equal(stuckRequeueAfter(stuck, same, NOW + 599_000), 2000);
  const late = rolloutStatus([rs('old', 2, 2, 2), nw], nw, stuck, NOW + 601_000);
  assert.equal(getCondition(late, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  assert.equal(getCondition(late, 'Progressing')?.status, 'False');
});

test('pausing and resuming set an Unknown Progressing condition, never over a timeout', () => {
  assert.equal(pausedCondition(dep({}, { paused: true }), NOW)?.reason, 'DeploymentPaused');
  assert.equal(pausedCondition(dep({ conditions: [{ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused' }] }), NOW)?.reason, 'DeploymentResumed');
  assert.equal(pausedCondition(dep({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }, { paused: true }), NOW), undefined);
  assert.equal(pausedCondition(dep({}, { paused: true, progressDeadlineSeconds: 2 ** 31 - 1 }), NOW), undefined);
});

test('sameStatus ignores key order and omitted zeros', () => {
  assert.ok(sameStatus({ replicas: 0, observedGeneration: 1 }, { observedGeneration: 1 }));
  assert.ok(!sameStatus({ replicas: 1 }, { replicas: 2 }));
});
