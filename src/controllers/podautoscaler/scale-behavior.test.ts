// Normalisation cases after horizontal_test.go (TestNormalizeDesiredReplicas*, TestScalingWithRules,
// TestStoreScaleEvents) and conditions as setConditionInList.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getCondition, setCondition } from './hpa-conditions.ts';
import type { HPABehavior, HorizontalPodAutoscaler } from './hpa-types.ts';
import { ScaleNormalizer, scaleDownLimit, scaleUpLimit } from './scale-behavior.ts';

const hpa = (behavior?: HPABehavior): HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 10, ...(behavior ? { behavior } : {}) },
});

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

const args = (currentReplicas: number, desiredReplicas: number, minReplicas = 1, maxReplicas = 10) => ({ key: 'default/web', currentReplicas, desiredReplicas, minReplicas, maxReplicas });

test('without behavior: a scale down waits for the downscale stabilisation window (highest recent recommendation)', () => {
  const c = clock();
  const n = new ScaleNormalizer(5_000, c.now);
  const h = hpa();
  n.recordInitial('default/web', 3);
  assert.equal(n.normalize(h, args(3, 1)), 3);
  assert.equal(getCondition(h, 'AbleToScale')?.reason, 'ScaleDownStabilized');
  c.advance(3_000);
  assert.equal(n.normalize(h, args(3, 1)), 3);
  c.advance(2_500);
  assert.equal(n.normalize(h, args(3, 1)), 1);
  assert.equal(getCondition(h, 'AbleToScale')?.reason, 'ReadyForNewScale');
  assert.deepEqual([getCondition(h, 'ScalingLimited')?.status, getCondition(h, 'ScalingLimited')?.reason], ['False', 'DesiredWithinRange']);
});

test('without behavior: a scale up is immediate but at most max(2×current, 4); min and max bound it', () => {
  const n = new ScaleNormalizer(300_000, clock().now);
  const h = hpa();
  assert.equal(n.normalize(h, args(1, 10)), 4);
  assert.deepEqual([getCondition(h, 'ScalingLimited')?.status, getCondition(h, 'ScalingLimited')?.reason], ['True', 'ScaleUpLimit']);
  assert.equal(n.normalize(h, args(8, 20, 1, 10)), 10);
  assert.equal(getCondition(h, 'ScalingLimited')?.reason, 'TooManyReplicas');
  const n2 = new ScaleNormalizer(0, clock().now);
  assert.equal(n2.normalize(h, args(3, 1, 2)), 2);
  assert.equal(getCondition(h, 'ScalingLimited')?.reason, 'TooFewReplicas');
});

test('scaleUp policies: Max takes the largest change, Min the smallest, Disabled none', () => {
  const policies = [{ type: 'Pods' as const, value: 4, periodSeconds: 60 }, { type: 'Percent' as const, value: 100, periodSeconds: 60 }];
  assert.equal(scaleUpLimit(10, [], [], { selectPolicy: 'Max', policies }, 0), 20);
  assert.equal(scaleUpLimit(10, [], [], { selectPolicy: 'Min', policies }, 0), 14);
  assert.equal(scaleUpLimit(10, [], [], { selectPolicy: 'Disabled', policies }, 0), 10);
  // Percent rounds up: 1 replica at 10% may still add one.
  assert.equal(scaleUpLimit(1, [], [], { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] }, 0), 2);
  // Replicas added within the period count against it.
  assert.equal(scaleUpLimit(14, [{ change: 4, atMs: -30_000, outdated: false }], [], { selectPolicy: 'Min', policies }, 0), 14);
  assert.equal(scaleUpLimit(14, [{ change: 4, atMs: -90_000, outdated: false }], [], { selectPolicy: 'Min', policies }, 0), 18);
});

test('scaleDown policies: Percent truncates, Min selects the smallest change, events of the period count', () => {
  const policies = [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }, { type: 'Percent' as const, value: 50, periodSeconds: 60 }];
  assert.equal(scaleDownLimit(10, [], [], { selectPolicy: 'Max', policies }, 0), 5);
  assert.equal(scaleDownLimit(10, [], [], { selectPolicy: 'Min', policies }, 0), 8);
  assert.equal(scaleDownLimit(3, [], [], { policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] }, 0), 1);
  assert.equal(scaleDownLimit(6, [], [{ change: 4, atMs: -10_000, outdated: false }], { policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] }, 0), 5);
});

test('with behavior: stabilisation windows both ways, then the policies limit the rate (ScaleDownLimit, ScaleUpLimit)', () => {
  const c = clock();
  const n = new ScaleNormalizer(300_000, c.now);
  const behavior: HPABehavior = {
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 10, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }] },
  };
  const h = hpa(behavior);
  assert.equal(n.normalize(h, args(2, 9)), 4);
  assert.equal(getCondition(h, 'ScalingLimited')?.reason, 'ScaleUpLimit');
  n.recordScale(h, 'default/web', 2, 4);
  c.advance(5_000);
  // Two more within the same 15 s period are not allowed.
  assert.equal(n.normalize(h, args(4, 9)), 4);
  c.advance(11_000);
  assert.equal(n.normalize(h, args(4, 9)), 6);
  n.recordScale(h, 'default/web', 4, 6);
  // Down: the recommendations of the last 10 s (9) hold it at 6.
  c.advance(1_000);
  assert.equal(n.normalize(h, args(6, 1)), 6);
  assert.equal(getCondition(h, 'AbleToScale')?.reason, 'ScaleDownStabilized');
  c.advance(11_000);
  // 50% of the size at the start of the 15 s period (6 less the 2 added 12 s ago).
  assert.equal(n.normalize(h, args(6, 1)), 2);
  assert.equal(getCondition(h, 'ScalingLimited')?.reason, 'ScaleDownLimit');
});

test('with behavior: an unset scaleDown window is the flag\'s; a scaleUp window holds a rise back', () => {
  const c = clock();
  const n = new ScaleNormalizer(20_000, c.now);
  const h = hpa({ scaleUp: { stabilizationWindowSeconds: 30, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }, scaleDown: { policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } });
  n.recordInitial('default/web', 2);
  assert.equal(n.normalize(h, args(2, 5)), 2);
  assert.equal(getCondition(h, 'AbleToScale')?.reason, 'ScaleUpStabilized');
  c.advance(31_000);
  assert.equal(n.normalize(h, args(2, 4)), 4);
  assert.equal(n.normalize(h, args(4, 1)), 4);
  c.advance(21_000);
  assert.equal(n.normalize(h, args(4, 1)), 1);
});

test('setCondition keeps one condition per type and moves lastTransitionTime only on a status change', () => {
  const h = hpa();
  setCondition(h, 'AbleToScale', 'True', 'SucceededGetScale', 'a', Date.parse('2025-01-01T00:00:00Z'));
  setCondition(h, 'AbleToScale', 'True', 'SucceededRescale', 'b', Date.parse('2025-01-01T00:01:00Z'));
  assert.deepEqual(h.status?.conditions, [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'b', lastTransitionTime: '2025-01-01T00:00:00Z' }]);
  setCondition(h, 'AbleToScale', 'False', 'FailedUpdateScale', 'c', Date.parse('2025-01-01T00:02:00Z'));
  assert.equal(getCondition(h, 'AbleToScale')?.lastTransitionTime, '2025-01-01T00:02:00Z');
});
