import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment } from './deployment-types.ts';
import { maxSurge, maxUnavailable, newRSNewReplicas, proportion, resolveFenceposts, scaledValue } from './rollout-math.ts';

const dep = (replicas: number, surge: number | string, unavail: number | string, type: 'RollingUpdate' | 'Recreate' = 'RollingUpdate'): Deployment => ({
  metadata: { name: 'web' },
  spec: { replicas, selector: {}, template: {}, strategy: type === 'Recreate' ? { type } : { type, rollingUpdate: { maxSurge: surge, maxUnavailable: unavail } } },
});
const rs = (replicas: number, annotations: Record<string, string> = {}): ReplicaSet => ({ metadata: { name: `rs${replicas}`, annotations }, spec: { replicas, selector: {} } });

test('percentages round surge up and unavailable down; both zero makes unavailable 1', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 6), [2, 1]);
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
  assert.deepEqual(resolveFenceposts(1, 1, 6), [1, 1]);
  assert.deepEqual(resolveFenceposts(0, 0, 6), [0, 1]);
  assert.deepEqual(resolveFenceposts('10%', '10%', 3), [1, 0]);
  assert.deepEqual(resolveFenceposts('0%', '10%', 3), [0, 1]);
  assert.throws(() => scaledValue('3', 10, true), /not a percentage/);
});

test('maxUnavailable is capped at replicas and zero for Recreate; maxSurge zero for Recreate', () => {
  assert.equal(maxUnavailable(dep(2, 0, 5)), 2);
  assert.equal(maxUnavailable(dep(0, 1, 1)), 0);
  assert.equal(maxUnavailable(dep(3, 0, 0, 'Recreate')), 0);
  assert.equal(maxSurge(dep(3, 0, 0, 'Recreate')), 0);
  assert.equal(maxSurge(dep(6, '25%', '25%')), 2);
});

test('the new ReplicaSet grows only as far as the surge allows', () => {
  const d = dep(6, 1, 1);
  const fresh = rs(0);
  assert.equal(newRSNewReplicas(d, [rs(6), fresh], fresh), 1);
  const half = rs(3);
  assert.equal(newRSNewReplicas(d, [rs(3), half], half), 4);
  assert.equal(newRSNewReplicas(d, [rs(4), half], half), 3, 'at replicas + surge: no growth');
  assert.equal(newRSNewReplicas(d, [rs(0), rs(6)], rs(6)), 6, 'never above replicas');
  assert.equal(newRSNewReplicas(dep(6, 0, 0, 'Recreate'), [rs(6), fresh], fresh), 6);
});

test('proportions follow the max-replicas annotation and round half away from zero', () => {
  // Deployment of 10 (+3 surge = 13) scaled to 20 (+5 = 25): an RS of 8 recorded at max 13.
  const d = dep(20, '25%', '25%');
  assert.equal(proportion(rs(8, { 'deployment.kubernetes.io/max-replicas': '13' }), d, 12, 0), 7); // 8*25/13 = 15.38 → 15
  assert.equal(proportion(rs(8, { 'deployment.kubernetes.io/max-replicas': '13' }), d, 12, 10), 2, 'capped by what is left');
  assert.equal(proportion(rs(5, { 'deployment.kubernetes.io/max-replicas': '13' }), dep(0, 1, 1), -13, 0), -5);
  assert.equal(proportion(rs(0), d, 5, 0), 0);
});
