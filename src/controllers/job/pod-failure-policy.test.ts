import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodFailurePolicy } from '../../api/types/batch-v1.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import { matchPodFailurePolicy } from './pod-failure-policy.ts';

const failedWith = (code: number, name = 'main', conditions: Array<{ type: string; status: 'True' | 'False' }> = []): Pod => ({
  metadata: { name: 'p-1', namespace: 'ns' },
  status: { phase: 'Failed', conditions, containerStatuses: [{ name, ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: code } } }] },
});

const policy: PodFailurePolicy = {
  rules: [
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ],
};

test('pod failure policy: FailJob on an exit code names container, pod, rule', () => {
  const m = matchPodFailurePolicy(policy, failedWith(42));
  assert.equal(m.action, 'FailJob');
  assert.equal(m.countFailed, true);
  assert.equal(m.failJobMessage, 'Container main for pod ns/p-1 failed with exit code 42 matching FailJob rule at index 0');
  // Another container name does not match the first rule; NotIn [1,2] counts it.
  assert.equal(matchPodFailurePolicy(policy, failedWith(42, 'side')).action, 'Count');
});

test('pod failure policy: Ignore on a pod condition keeps the failure out of the count', () => {
  const m = matchPodFailurePolicy(policy, failedWith(1, 'main', [{ type: 'DisruptionTarget', status: 'True' }]));
  assert.deepEqual(m, { failJobMessage: undefined, countFailed: false, action: 'Ignore' });
  // Status False does not match a pattern whose status defaults to True.
  assert.equal(matchPodFailurePolicy(policy, failedWith(1, 'main', [{ type: 'DisruptionTarget', status: 'False' }])).action, undefined);
});

test('pod failure policy: no rule matching, or no policy, counts the failure', () => {
  assert.deepEqual(matchPodFailurePolicy(policy, failedWith(2)), { failJobMessage: undefined, countFailed: true, action: undefined });
  assert.equal(matchPodFailurePolicy(undefined, failedWith(42)).countFailed, true);
  // Exit code 0 never matches an onExitCodes rule.
  assert.equal(matchPodFailurePolicy({ rules: [{ action: 'Ignore', onExitCodes: { operator: 'NotIn', values: [5] } }] }, failedWith(0)).action, undefined);
});

test('pod failure policy: a FailJob on a condition has its own message', () => {
  const m = matchPodFailurePolicy({ rules: [{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }] }] }, failedWith(1, 'main', [{ type: 'ConfigIssue', status: 'True' }]));
  assert.equal(m.failJobMessage, 'Pod ns/p-1 has condition ConfigIssue matching FailJob rule at index 0');
});
