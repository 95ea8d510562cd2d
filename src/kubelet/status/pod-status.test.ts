import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import type { ContainerStatus as EngineStatus } from '../../runtime/container-manager.ts';
import { IMAGE_ID_LABEL } from '../pods/labels.ts';
import { computePodStatus, podPhase, shouldRestart } from './pod-status.ts';
import type { Attempt, ContainerFacts } from './pod-status.ts';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec },
});

function run(attempt: number, status: Partial<EngineStatus>): Attempt {
  return {
    attempt,
    image: 'docker.io/library/busybox:latest',
    status: {
      id: `id${attempt}`, name: 'n', runtime: 'crun', status: 'running', createdAt: '2026-01-01T00:00:00.000Z', logPath: '/x', cgroupsPath: '/c',
      labels: { [IMAGE_ID_LABEL]: 'docker.io/library/busybox@sha256:abc' }, startedAt: '2026-01-01T00:00:01.123Z', ...status,
    },
  };
}

function status(p: Pod, containers: Record<string, ContainerFacts>) {
  return computePodStatus({ pod: p, sandboxReady: true, podIP: '10.42.0.5', hostIP: '192.0.2.1', startTime: '2026-01-01T00:00:00Z', containers: new Map(Object.entries(containers)), now: '2026-01-01T00:00:09Z' });
}

test('a running container: Running, ready, started, IDs, conditions True', () => {
  const s = status(pod(), { main: { attempts: [run(0, {})] } });
  assert.equal(s.phase, 'Running');
  const c = s.containerStatuses![0]!;
  assert.deepEqual(c.state, { running: { startedAt: '2026-01-01T00:00:01Z' } });
  assert.equal(c.containerID, 'skiff://id0');
  assert.equal(c.imageID, 'docker.io/library/busybox@sha256:abc');
  assert.equal(c.ready, true);
  assert.equal(s.podIP, '10.42.0.5');
  assert.deepEqual(s.conditions!.map((x) => [x.type, x.status]), [['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
  assert.equal(s.qosClass, 'BestEffort');
});

test('a crash waiting for its backoff: waiting CrashLoopBackOff, lastState terminated, restartCount of the run', () => {
  const s = status(pod(), { main: { attempts: [run(0, {}), run(1, { status: 'stopped', exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T00:00:05Z' })], waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } } });
  const c = s.containerStatuses![0]!;
  assert.equal(c.state!.waiting!.reason, 'CrashLoopBackOff');
  assert.equal(c.lastState!.terminated!.exitCode, 1);
  assert.equal(c.restartCount, 1);
  assert.equal(s.phase, 'Running');
  assert.equal(s.conditions!.find((x) => x.type === 'Ready')!.status, 'False');
});

test('restartPolicy decides the phase of stopped containers', () => {
  const done = (code: number): Record<string, ContainerFacts> => ({ main: { attempts: [run(0, { status: 'stopped', exitCode: code, reason: code === 0 ? 'Completed' : 'Error' })] } });
  assert.equal(status(pod({ restartPolicy: 'Never' }), done(0)).phase, 'Succeeded');
  assert.equal(status(pod({ restartPolicy: 'Never' }), done(1)).phase, 'Failed');
  assert.equal(status(pod({ restartPolicy: 'OnFailure' }), done(0)).phase, 'Succeeded');
  assert.equal(status(pod({ restartPolicy: 'OnFailure' }), done(1)).phase, 'Running');
  assert.equal(shouldRestart(pod({ restartPolicy: 'OnFailure' }), 0), false);
  assert.equal(shouldRestart(pod(), 0), true);
});

test('init containers: Pending while they run, Failed when one fails under Never', () => {
  const p = pod({ initContainers: [{ name: 'i1', image: 'busybox' }], restartPolicy: 'Never' });
  const pending = status(p, { i1: { attempts: [run(0, {})] } });
  assert.equal(pending.phase, 'Pending');
  assert.equal(pending.containerStatuses![0]!.state!.waiting!.reason, 'PodInitializing');
  assert.equal(pending.conditions!.find((x) => x.type === 'Initialized')!.status, 'False');
  const failed = status(p, { i1: { attempts: [run(0, { status: 'stopped', exitCode: 2, reason: 'Error' })] } });
  assert.equal(failed.phase, 'Failed');
  assert.equal(podPhase(p, failed.initContainerStatuses!, failed.containerStatuses!), 'Failed');
});

test('a readiness probe that fails keeps the pod not Ready', () => {
  const s = status(pod(), { main: { attempts: [run(0, {})], ready: false } });
  assert.equal(s.containerStatuses![0]!.ready, false);
  assert.equal(s.conditions!.find((x) => x.type === 'ContainersReady')!.message, 'containers with unready status: [main]');
});

test('a running sidecar counts as initialized, its readiness toward the pod, and the pod runs beside it', () => {
  const p = pod({ initContainers: [{ name: 'logshipper', image: 'busybox', restartPolicy: 'Always' }] });
  // The sidecar runs, the app container is not made yet: Initialized, app waits ContainerCreating.
  const starting = status(p, { logshipper: { attempts: [run(0, {})] } });
  assert.equal(starting.phase, 'Pending');
  assert.equal(starting.conditions!.find((x) => x.type === 'Initialized')!.status, 'True');
  assert.equal(starting.containerStatuses![0]!.state!.waiting!.reason, 'ContainerCreating');
  assert.equal(starting.initContainerStatuses![0]!.started, true);
  const both = status(p, { logshipper: { attempts: [run(0, {})] }, main: { attempts: [run(0, {})] } });
  assert.equal(both.phase, 'Running');
  assert.deepEqual(both.conditions!.map((x) => [x.type, x.status]), [['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
  assert.equal(both.initContainerStatuses![0]!.ready, true);
  // An unready sidecar makes the pod unready.
  const unready = status(p, { logshipper: { attempts: [run(0, {})], ready: false }, main: { attempts: [run(0, {})] } });
  assert.equal(unready.conditions!.find((x) => x.type === 'Ready')!.message, 'containers with unready status: [logshipper]');
});

test('a sidecar with a startup probe not yet passed keeps the pod initializing', () => {
  const p = pod({ initContainers: [{ name: 'proxy', image: 'busybox', restartPolicy: 'Always', startupProbe: { exec: { command: ['true'] } } }] });
  const s = status(p, { proxy: { attempts: [run(0, {})], started: false } });
  assert.equal(s.phase, 'Pending');
  const init = s.conditions!.find((x) => x.type === 'Initialized')!;
  assert.deepEqual([init.status, init.message], ['False', 'containers with incomplete status: [proxy]']);
  assert.equal(s.containerStatuses![0]!.state!.waiting!.reason, 'PodInitializing');
});

test('a sidecar restarting after the app started: still Initialized and Running, in CrashLoopBackOff', () => {
  const p = pod({ initContainers: [{ name: 'logshipper', image: 'busybox', restartPolicy: 'Always' }], restartPolicy: 'Never' });
  const s = status(p, {
    logshipper: { attempts: [run(0, { status: 'stopped', exitCode: 1, reason: 'Error' })], waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
    main: { attempts: [run(0, {})] },
  });
  assert.equal(s.phase, 'Running');
  assert.equal(s.conditions!.find((x) => x.type === 'Initialized')!.status, 'True');
  assert.equal(s.initContainerStatuses![0]!.state!.waiting!.reason, 'CrashLoopBackOff');
  assert.equal(s.conditions!.find((x) => x.type === 'Ready')!.status, 'False');
});

test('a Never pod whose app container finished: Running while the sidecar runs, Succeeded once it was stopped', () => {
  const p = pod({ initContainers: [{ name: 'logshipper', image: 'busybox', restartPolicy: 'Always' }], restartPolicy: 'Never' });
  const done = { attempts: [run(0, { status: 'stopped', exitCode: 0, reason: 'Completed' })] };
  assert.equal(status(p, { logshipper: { attempts: [run(0, {})] }, main: done }).phase, 'Running');
  // The sidecar stopped by the kubelet (SIGTERM: 143) does not make the pod fail.
  const after = status(p, { logshipper: { attempts: [run(0, { status: 'stopped', exitCode: 143, reason: 'Error' })] }, main: done });
  assert.equal(after.phase, 'Succeeded');
  const init = after.conditions!.find((x) => x.type === 'Initialized')!;
  assert.deepEqual([init.status, init.reason], ['True', 'PodCompleted']);
});
