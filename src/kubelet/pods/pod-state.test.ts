import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { newPodState } from './pod-state.ts';

const pod = (status: Pod['status']): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [] }, ...(status ? { status } : {}) });

test('a pod the API shows as evicted stays Failed with its reason after an agent restart', () => {
  const st = newPodState(pod({
    phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory. ',
    conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet' }],
  }));
  assert.equal(st.terminalPhase, 'Failed');
  assert.deepEqual(st.failure, { reason: 'Evicted', message: 'The node was low on resource: memory. ', disruptionTarget: true });
});

test('running and pending pods start without a terminal phase; Succeeded is kept', () => {
  assert.equal(newPodState(pod({ phase: 'Running' })).terminalPhase, undefined);
  assert.equal(newPodState(pod(undefined)).terminalPhase, undefined);
  const done = newPodState(pod({ phase: 'Succeeded' }));
  assert.equal(done.terminalPhase, 'Succeeded');
  assert.equal(done.failure, undefined);
});
