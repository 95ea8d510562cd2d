import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { hollowCompletedStatus, hollowNodeIP, hollowNodeObject, hollowNodeStatus, hollowPodStatus, needsCompletion, needsRunningStatus, type HollowNodeSpec } from './hollow-status.ts';

const spec: HollowNodeSpec = { name: 'sim-node-3', internalIP: '198.18.0.4', cpu: '32', memory: '256Gi', maxPods: 110 };

test('a hollow node has capacity = allocatable, Ready and no pressure, and keeps transition times', () => {
  const node = hollowNodeObject(spec);
  assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'sim-node-3');
  const first = hollowNodeStatus(spec, undefined, new Date('2026-01-01T00:00:00Z'));
  assert.deepEqual(first.capacity, first.allocatable);
  assert.equal(first.capacity?.pods, '110');
  assert.equal(first.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.deepEqual(first.conditions?.filter((c) => c.status === 'True').map((c) => c.type), ['Ready']);
  assert.deepEqual(first.addresses, [{ type: 'InternalIP', address: '198.18.0.4' }, { type: 'Hostname', address: 'sim-node-3' }]);
  const later = hollowNodeStatus(spec, first.conditions, new Date('2026-01-01T00:01:00Z'));
  const ready = later.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.lastHeartbeatTime, '2026-01-01T00:01:00Z');
  assert.equal(ready?.lastTransitionTime, '2026-01-01T00:00:00Z');
});

test('node IPs are distinct and inside 198.18.0.0/15', () => {
  assert.equal(hollowNodeIP(0), '198.18.0.1');
  assert.equal(hollowNodeIP(255), '198.18.1.0');
  assert.equal(new Set(Array.from({ length: 5000 }, (_, i) => hollowNodeIP(i))).size, 5000);
  assert.match(hollowNodeIP(100_000), /^198\.(18|19)\./);
});

test('a bound pod becomes Running with ready containers, its IP and four True conditions', () => {
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', uid: 'u1' },
    spec: { nodeName: 'sim-node-3', initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'nginx' }] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };
  assert.equal(needsRunningStatus(pod), true);
  const st = hollowPodStatus(pod, '10.42.3.2', '198.18.0.4', new Date('2026-01-01T00:00:05Z'));
  assert.equal(st.phase, 'Running');
  assert.equal(st.podIP, '10.42.3.2');
  assert.deepEqual(st.podIPs, [{ ip: '10.42.3.2' }]);
  assert.equal(st.hostIP, '198.18.0.4');
  assert.equal(st.startTime, '2026-01-01T00:00:05Z');
  assert.deepEqual(st.conditions?.map((c) => [c.type, c.status]), [['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
  assert.equal(st.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.deepEqual(st.containerStatuses?.map((c) => [c.name, c.ready, c.started, Boolean(c.state?.running)]), [['a', true, true, true], ['b', true, true, true]]);
  assert.equal(st.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  assert.equal(needsRunningStatus({ ...pod, status: st }), false);
  // A readiness someone else flipped is left alone.
  assert.equal(needsRunningStatus({ ...pod, status: { ...st, conditions: [{ type: 'Ready', status: 'False' }] } }), false);
  assert.equal(needsRunningStatus({ ...pod, status: { phase: 'Succeeded' } }), false);
});

test('a running Job pod that does not restart on success is finished: Succeeded, exit 0, not ready', () => {
  const owner = { apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'j-uid', controller: true };
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'j-0', namespace: 'default', uid: 'p-uid', ownerReferences: [owner] },
    spec: { nodeName: 'sim-node-3', restartPolicy: 'Never', containers: [{ name: 'a', image: 'busybox' }] },
  };
  // Not before it runs.
  assert.equal(needsCompletion(pod), false);
  const running: Pod = { ...pod, status: hollowPodStatus(pod, '10.42.3.2', '198.18.0.4', new Date('2026-01-01T00:00:00Z')) };
  assert.equal(needsCompletion(running), true);
  assert.equal(needsCompletion({ ...running, spec: { ...running.spec!, restartPolicy: 'OnFailure' } }), true);
  // Restarted forever, not owned by a Job, or a Job reference that is not the controller: left running.
  assert.equal(needsCompletion({ ...running, spec: { ...running.spec!, restartPolicy: 'Always' } }), false);
  assert.equal(needsCompletion({ ...running, metadata: { ...running.metadata, ownerReferences: [{ ...owner, kind: 'ReplicaSet' }] } }), false);
  assert.equal(needsCompletion({ ...running, metadata: { ...running.metadata, ownerReferences: [{ ...owner, controller: false }] } }), false);
  assert.equal(needsCompletion({ ...running, metadata: { ...running.metadata, deletionTimestamp: '2026-01-01T00:00:01Z' } }), false);

  const st = hollowCompletedStatus(running, new Date('2026-01-01T00:00:05Z'));
  assert.equal(st.phase, 'Succeeded');
  assert.equal(st.podIP, '10.42.3.2');
  assert.equal(st.startTime, '2026-01-01T00:00:00Z');
  const c = st.containerStatuses?.[0];
  assert.deepEqual([c?.name, c?.ready, c?.started], ['a', false, false]);
  assert.deepEqual(c?.state?.terminated, { exitCode: 0, reason: 'Completed', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:05Z' });
  const ready = st.conditions?.find((x) => x.type === 'Ready');
  assert.deepEqual([ready?.status, ready?.reason, ready?.lastTransitionTime], ['False', 'PodCompleted', '2026-01-01T00:00:05Z']);
  assert.equal(st.conditions?.find((x) => x.type === 'PodScheduled')?.status, 'True');
  const done: Pod = { ...running, status: st };
  assert.equal(needsCompletion(done), false);
  assert.equal(needsRunningStatus(done), false);
});
