import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplicaSet } from '../util/workload-types.ts';
import type { Deployment } from './deployment-types.ts';
import { planHistoryCleanup, planRollingNew, planRollingOld, planScale } from './plan.ts';

let clock = 0;
const rs = (name: string, spec: number, available = spec, annotations: Record<string, string> = {}): ReplicaSet => ({
  metadata: { name, creationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, clock++)).toISOString(), annotations, generation: 1 },
  spec: { replicas: spec, selector: {} },
  status: { replicas: spec, availableReplicas: available, observedGeneration: 1 },
});
const dep = (replicas: number, surge: number | string, unavail: number | string, extra: Partial<Deployment['spec']> = {}): Deployment => ({
  metadata: { name: 'web' },
  spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavail } }, ...extra },
  status: { replicas },
});
const steps = (s: Array<{ rs: ReplicaSet; replicas: number }>): Record<string, number> => Object.fromEntries(s.map((x) => [x.rs.metadata.name, x.replicas]));

/**
 * Runs a whole rolling update on paper: each round applies the controller's plan, then lets every
 * ReplicaSet reach its size with all pods available. Checks the surge and availability bounds.
 */
function simulate(d: Deployment): number {
  const old = rs('old', replicasOfD(d));
  const nw = rs('new', 0);
  const maxTotal = replicasOfD(d) + surgeOf(d);
  for (let round = 1; round < 50; round += 1) {
    const next = planRollingNew(d, [old, nw], nw);
    if (next !== undefined) nw.spec!.replicas = next;
    else for (const s of planRollingOld(d, [old, nw], [old].filter((r) => r.spec!.replicas! > 0), nw)) s.rs.spec!.replicas = s.replicas;
    assert.ok(old.spec!.replicas! + nw.spec!.replicas! <= maxTotal, `round ${round}: total within replicas + surge`);
    // Pods go away at once, new ones become available one round later.
    old.status = { replicas: old.spec!.replicas!, availableReplicas: old.spec!.replicas! };
    assert.ok(old.status.availableReplicas! + nw.status!.availableReplicas! >= replicasOfD(d) - unavailOf(d), `round ${round}: enough available`);
    nw.status = { replicas: nw.spec!.replicas!, availableReplicas: nw.spec!.replicas! };
    if (nw.spec!.replicas === replicasOfD(d) && old.spec!.replicas === 0) return round;
  }
  throw new Error('rollout did not finish');
}
const replicasOfD = (d: Deployment): number => d.spec.replicas!;
const surgeOf = (d: Deployment): number => { const v = d.spec.strategy!.rollingUpdate!.maxSurge!; return typeof v === 'number' ? v : Math.ceil(parseInt(v, 10) * d.spec.replicas! / 100); };
const unavailOf = (d: Deployment): number => { const v = d.spec.strategy!.rollingUpdate!.maxUnavailable!; return typeof v === 'number' ? v : Math.floor(parseInt(v, 10) * d.spec.replicas! / 100); };

test('a rolling update of 6 with surge 1 / unavailable 1 and with 25%/25% finishes within its bounds', () => {
  assert.ok(simulate(dep(6, 1, 1)) < 20);
  assert.ok(simulate(dep(6, '25%', '25%')) < 20);
  assert.ok(simulate(dep(10, 0, 1)) < 30);
  assert.ok(simulate(dep(3, 3, 0)) < 10);
});

test('first step: the new ReplicaSet surges, old ones wait for it to become available', () => {
  const d = dep(6, 1, 1);
  const old = rs('old', 6);
  const nw = rs('new', 0);
  assert.equal(planRollingNew(d, [old, nw], nw), 1);
  nw.spec!.replicas = 1;
  nw.status = { replicas: 1, availableReplicas: 0 };
  // 7 specified, 5 must stay available, 1 new not available: 1 old may go.
  assert.deepEqual(steps(planRollingOld(d, [old, nw], [old], nw)), { old: 5 });
});

test('unhealthy old replicas are cleaned up first', () => {
  const d = dep(4, 0, 1);
  const a = rs('a', 2, 0);
  const b = rs('b', 2, 2);
  const nw = rs('new', 0);
  // 4 specified, min 3 available, nothing new: one may go, taken from the unavailable ones.
  assert.deepEqual(steps(planRollingOld(d, [a, b, nw], [a, b], nw)), { a: 1 });
});

test('proportional scaling spreads a resize mid-rollout over the active ReplicaSets', () => {
  // 10 replicas, surge 3 (25%): old 8 + new 5 = 13, both annotated max 13. Scale to 20 (max 25).
  const ann = { 'deployment.kubernetes.io/max-replicas': '13', 'deployment.kubernetes.io/desired-replicas': '10' };
  const d = dep(20, '25%', '25%');
  const old = rs('old', 8, 8, ann);
  const nw = rs('new', 5, 0, ann);
  const out = steps(planScale(d, nw, [old]));
  assert.deepEqual(out, { old: 15, new: 10 });
  const down = steps(planScale(dep(5, '25%', '25%'), nw, [old]));
  assert.equal(down.old! + down.new!, 7, 'down to 5 + 2 surge');
});

test('a single active ReplicaSet takes the whole resize; a saturated new one empties the old', () => {
  assert.deepEqual(steps(planScale(dep(5, 1, 1), rs('new', 3), [rs('old', 0)])), { new: 5 });
  const ann = { 'deployment.kubernetes.io/desired-replicas': '3' };
  assert.deepEqual(steps(planScale(dep(3, 1, 1), rs('new', 3, 3, ann), [rs('old', 1)])), { old: 0 });
});

test('history cleanup removes the oldest empty ReplicaSets beyond the limit', () => {
  const olds = [rs('r3', 0, 0, { 'deployment.kubernetes.io/revision': '3' }), rs('r1', 0, 0, { 'deployment.kubernetes.io/revision': '1' }), rs('r2', 1, 1, { 'deployment.kubernetes.io/revision': '2' })];
  assert.deepEqual(planHistoryCleanup(dep(1, 1, 1, { revisionHistoryLimit: 1 }), olds).map((r) => r.metadata.name), ['r1']);
  assert.deepEqual(planHistoryCleanup(dep(1, 1, 1, { revisionHistoryLimit: 0 }), olds).map((r) => r.metadata.name), ['r1', 'r3']);
});

test('an old ReplicaSet just scaled down is not counted for the pods it is about to delete', () => {
  const d = dep(4, 1, 1);
  // Scaled 4 → 3 a moment ago; its status still shows the 4th pod available.
  const old = rs('old', 3, 4);
  const nw = rs('new', 1, 1);
  // Really 3 + 1 available against a minimum of 3: one more may go, not two.
  assert.deepEqual(steps(planRollingOld(d, [old, nw], [old], nw)), { old: 2 });
});
