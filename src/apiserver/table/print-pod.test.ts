import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podPrinter } from './print-pod.ts';
import { DAY, MIN, NOW, SEC, ago, obj } from './test-helpers.ts';

const running = { running: { startedAt: ago(DAY) } };
const cs = (name: string, extra: Record<string, unknown>) => ({ name, ready: false, restartCount: 0, ...extra });
const pod = (spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
  obj('web', 3 * DAY, { spec: { containers: [{ name: 'app' }], ...spec }, status }, meta);
const cells = (p: ReturnType<typeof pod>) => podPrinter.cells(p, NOW);

test('running pod: all columns, wide ones included', () => {
  const p = pod({ nodeName: 'node-1' }, {
    phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [cs('app', { ready: true, state: running })],
  });
  assert.deepEqual(cells(p), ['web', '1/1', 'Running', '0', '3d', '10.0.0.5', 'node-1', '<none>', '<none>']);
  assert.equal(podPrinter.columns.length, cells(p).length);
  assert.equal(podPrinter.conditions?.(p), undefined);
});

test('pending pod not yet scheduled', () => {
  const p = pod({}, { phase: 'Pending' });
  assert.deepEqual(cells(p), ['web', '0/1', 'Pending', '0', '3d', '<none>', '<none>', '<none>', '<none>']);
});

test('waiting reasons: ContainerCreating and CrashLoopBackOff with the time of the last restart', () => {
  const creating = pod({ nodeName: 'n' }, { phase: 'Pending', containerStatuses: [cs('app', { state: { waiting: { reason: 'ContainerCreating' } } })] });
  assert.equal(cells(creating)[2], 'ContainerCreating');

  const crashing = pod({}, {
    phase: 'Running',
    containerStatuses: [cs('app', {
      restartCount: 5,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } },
    })],
  });
  const c = cells(crashing);
  assert.deepEqual(c.slice(1, 4), ['0/1', 'CrashLoopBackOff', '5 (5m ago)']);
});

test('restarts without a known last termination are a bare count', () => {
  const p = pod({}, { phase: 'Running', containerStatuses: [cs('app', { ready: true, restartCount: 2, state: running })] });
  assert.equal(cells(p)[3], '2');
});

test('init containers: progress, waiting reasons and failures', () => {
  const spec = { initContainers: [{ name: 'init-a' }, { name: 'init-b' }] };
  const waitingOnFirst = pod(spec, {
    phase: 'Pending',
    initContainerStatuses: [cs('init-a', { state: running }), cs('init-b', { state: { waiting: { reason: 'PodInitializing' } } })],
    containerStatuses: [cs('app', { state: { waiting: { reason: 'PodInitializing' } } })],
  });
  assert.equal(cells(waitingOnFirst)[2], 'Init:0/2');

  const secondRunning = pod(spec, {
    phase: 'Pending',
    initContainerStatuses: [cs('init-a', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }), cs('init-b', { state: running })],
  });
  assert.equal(cells(secondRunning)[2], 'Init:1/2');

  const crashLoop = pod(spec, {
    phase: 'Pending',
    initContainerStatuses: [cs('init-a', {
      restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * SEC) } },
    })],
  });
  assert.deepEqual(cells(crashLoop).slice(2, 4), ['Init:CrashLoopBackOff', '3 (30s ago)']);

  const failed = pod(spec, { phase: 'Pending', initContainerStatuses: [cs('init-a', { state: { terminated: { exitCode: 2 } } })] });
  assert.equal(cells(failed)[2], 'Init:ExitCode:2');
  const signalled = pod(spec, { phase: 'Pending', initContainerStatuses: [cs('init-a', { state: { terminated: { exitCode: 137, signal: 9 } } })] });
  assert.equal(cells(signalled)[2], 'Init:Signal:9');
  const reasoned = pod(spec, { phase: 'Pending', initContainerStatuses: [cs('init-a', { state: { terminated: { exitCode: 1, reason: 'Error' } } })] });
  assert.equal(cells(reasoned)[2], 'Init:Error');
});

test('sidecar (restartable init) containers count toward READY and keep their restarts', () => {
  const p = pod({ initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] }, {
    phase: 'Running',
    conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
    initContainerStatuses: [cs('proxy', { started: true, ready: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * MIN) } } })],
    containerStatuses: [cs('app', { ready: true, state: running })],
  });
  assert.deepEqual(cells(p).slice(1, 4), ['2/2', 'Running', '1 (2m ago)']);
});

test('completed pod shows Completed and carries the Completed row condition', () => {
  const p = pod({}, {
    phase: 'Succeeded',
    containerStatuses: [cs('app', { state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago(MIN) } } })],
  });
  assert.deepEqual(cells(p).slice(1, 3), ['0/1', 'Completed']);
  assert.deepEqual(podPrinter.conditions?.(p), [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});

test('a running container next to a completed one keeps the pod Running or NotReady', () => {
  const status = (ready: boolean) => ({
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [
      cs('app', { ready: true, state: running }),
      cs('job', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
    ],
  });
  const spec = { containers: [{ name: 'app' }, { name: 'job' }] };
  assert.deepEqual(cells(pod(spec, status(true))).slice(1, 3), ['1/2', 'Running']);
  assert.deepEqual(cells(pod(spec, status(false))).slice(1, 3), ['1/2', 'NotReady']);
});

test('failed pods: terminated reasons and exit codes', () => {
  const p = pod({}, { phase: 'Failed', containerStatuses: [cs('app', { state: { terminated: { exitCode: 3 } } })] });
  assert.equal(cells(p)[2], 'ExitCode:3');
  assert.equal(podPrinter.conditions?.(p)?.[0]?.reason, 'Failed');
  const evicted = pod({}, { phase: 'Failed', reason: 'Evicted' });
  assert.equal(cells(evicted)[2], 'Evicted');
});

test('Terminating when a deletion timestamp is set, Unknown for lost nodes', () => {
  const status = { phase: 'Running', containerStatuses: [cs('app', { ready: true, state: running })] };
  assert.equal(cells(pod({}, status, { deletionTimestamp: ago(SEC) }))[2], 'Terminating');
  assert.equal(cells(pod({}, { ...status, reason: 'NodeLost' }, { deletionTimestamp: ago(SEC) }))[2], 'Unknown');
  // A pod that already finished keeps its final status while being deleted.
  assert.equal(cells(pod({}, { phase: 'Succeeded', containerStatuses: [cs('app', { state: { terminated: { exitCode: 0, reason: 'Completed' } } })] }, { deletionTimestamp: ago(SEC) }))[2], 'Completed');
});

test('SchedulingGated and readiness gates', () => {
  const gated = pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
  assert.equal(cells(gated)[2], 'SchedulingGated');
  const gates = pod({ readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] }, {
    phase: 'Running', conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }],
  });
  assert.equal(cells(gates)[8], '1/2');
});
