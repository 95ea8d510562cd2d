import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError, type StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { budgetsFor, canIgnoreBudget, decrementBudget } from './eviction.ts';

const pod = (labels: Record<string, string>, phase = 'Running'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels }, status: { phase } });
const pdb = (name: string, selector: unknown, status: Record<string, unknown> = {}, generation = 1): KubeObject =>
  ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'ns', generation }, spec: { minAvailable: 1, selector }, status: { observedGeneration: 1, ...status } });

function refusal(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    assert.ok(isStatusError(err));
    return err;
  }
  throw new Error('expected a refusal');
}

test('pending, finished and terminating pods are evicted without a budget', () => {
  assert.equal(canIgnoreBudget(pod({}, 'Pending')), true);
  assert.equal(canIgnoreBudget(pod({}, 'Succeeded')), true);
  assert.equal(canIgnoreBudget(pod({}, 'Failed')), true);
  assert.equal(canIgnoreBudget(pod({}, 'Running')), false);
  assert.equal(canIgnoreBudget({ ...pod({}), metadata: { name: 'p', deletionTimestamp: '2024-01-01T00:00:00Z' } }), true);
});

test('budgets match by selector; nil and empty selectors match nothing', () => {
  const all = [pdb('a', { matchLabels: { app: 'web' } }), pdb('b', {}), pdb('c', null), pdb('d', { matchLabels: { app: 'db' } })];
  assert.deepEqual(budgetsFor(pod({ app: 'web' }), all).map((b) => b.metadata.name), ['a']);
});

test('no disruption left: 429 TooManyRequests with a DisruptionBudget cause', () => {
  const err = refusal(() => decrementBudget(pdb('b', {}, { disruptionsAllowed: 0, desiredHealthy: 2, currentHealthy: 2 }), 'p', '2024-01-01T00:00:00Z'));
  assert.equal(err.code, 429);
  assert.equal(err.reason, 'TooManyRequests');
  assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.deepEqual(err.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget b needs 2 healthy pods and has 2 currently' }]);
  assert.equal(refusal(() => decrementBudget(pdb('b', {}, { disruptionsAllowed: 1 }, 2), 'p', 'now')).code, 429, 'a budget not yet processed refuses');
  assert.equal(refusal(() => decrementBudget(pdb('b', {}, { disruptionsAllowed: -1 }), 'p', 'now')).code, 403);
});

test('a disruption is taken and the pod recorded; the last one turns DisruptionAllowed False', () => {
  const next = decrementBudget(pdb('b', {}, { disruptionsAllowed: 1, conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }] }), 'p', '2024-01-01T00:00:00Z');
  const st = next.status as { disruptionsAllowed: number; disruptedPods: Record<string, string>; conditions: Array<{ status: string; reason: string }> };
  assert.equal(st.disruptionsAllowed, 0);
  assert.deepEqual(st.disruptedPods, { p: '2024-01-01T00:00:00Z' });
  assert.deepEqual(st.conditions.map((c) => [c.status, c.reason]), [['False', 'InsufficientPods']]);
});
