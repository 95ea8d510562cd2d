import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, Pod, Probe } from '../../api/types/core-v1.ts';
import { ManualClock } from './clock.ts';
import { ProbeManager } from './probe-manager.ts';
import type { ProbeEvent } from './probe-manager.ts';
import type { ProbeKind } from './types.ts';

/**
 * The exec callback of a fake container: each command's exit code is set by the test, every call is
 * counted. Commands are `check <name>`.
 */
class Checks {
  codes = new Map<string, number>();
  calls: string[] = [];
  exec = async (_container: string, argv: string[]) => {
    const name = argv[1] ?? '';
    this.calls.push(name);
    const code = this.codes.get(name);
    if (code === undefined) throw new Error(`no such check ${name}`);
    return { exitCode: code, output: code === 0 ? '' : `${name} is unhappy` };
  };
  count(name: string): number {
    return this.calls.filter((c) => c === name).length;
  }
}

type Change = [string, ProbeKind, string, string];

function setup(container: Container, podExtra: Partial<Pod> = {}) {
  const clock = new ClockWithWorkers();
  const changes: Change[] = [];
  const events: Array<[ProbeKind, ProbeEvent]> = [];
  const manager = new ProbeManager({
    clock,
    onChange: (_uid, name, kind, result, _message, containerId) => changes.push([name, kind, result, containerId]),
    onEvent: (_uid, _name, kind, event) => events.push([kind, event]),
  });
  const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'uid-1' }, spec: { containers: [container] }, ...podExtra };
  const checks = new Checks();
  manager.addPod(pod, { podIP: '127.0.0.1', exec: checks.exec });
  const workers = [container.startupProbe, container.readinessProbe, container.livenessProbe].filter(Boolean).length;
  clock.workers = workers;
  return { clock, changes, events, manager, pod, checks };
}

class ClockWithWorkers extends ManualClock {
  workers = 0;
  /** Advance and wait until every worker has probed and gone back to sleep. */
  async tick(ms: number): Promise<void> {
    this.advance(ms);
    await this.untilSleepers(this.workers);
  }
  async settle(): Promise<void> {
    await this.untilSleepers(this.workers);
  }
}

const probe = (check: string, extra: Partial<Probe> = {}): Probe => ({ exec: { command: ['check', check] }, periodSeconds: 10, ...extra });

test('Pod readiness probe: starts not ready, turns ready, needs failureThreshold failures to turn unready', async () => {
  const { clock, changes, manager, checks, events } = setup({ name: 'web', readinessProbe: probe('ready', { failureThreshold: 3 }) });
  await clock.settle();
  assert.equal(manager.isReady('uid-1', 'web'), false);
  checks.codes.set('ready', 0);
  manager.updateContainer('uid-1', 'web', { containerId: 'c1', state: 'running', startedAt: clock.now() });
  await clock.settle();
  assert.deepEqual(changes, [['web', 'readiness', 'success', 'c1']]);
  assert.equal(manager.isReady('uid-1', 'web'), true);

  checks.codes.set('ready', 1);
  await clock.tick(10_000);
  await clock.tick(10_000);
  assert.equal(manager.isReady('uid-1', 'web'), true, 'two failures are below the threshold');
  assert.equal(changes.length, 1);
  await clock.tick(10_000);
  assert.deepEqual(changes.at(-1), ['web', 'readiness', 'failure', 'c1']);
  assert.equal(manager.isReady('uid-1', 'web'), false);
  assert.deepEqual(events.at(-1), ['readiness', { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: ready is unhappy' }]);
  assert.equal(events.length, 3, 'an Unhealthy event per failed run');
  await clock.tick(10_000);
  assert.equal(changes.length, 2, 'reported only when the result flips');
  await manager.removePod('uid-1');
});

test('Pod readiness probe, with initial delay; successThreshold', async () => {
  const { clock, changes, manager, checks } = setup({ name: 'web', readinessProbe: probe('ready', { initialDelaySeconds: 25, successThreshold: 2 }) });
  checks.codes.set('ready', 0);
  manager.updateContainer('uid-1', 'web', { containerId: 'c1', state: 'running', startedAt: clock.now() });
  await clock.settle();
  await clock.tick(10_000);
  await clock.tick(10_000);
  assert.equal(checks.count('ready'), 0, 'not probed during the initial delay');
  await clock.tick(10_000);
  assert.equal(checks.count('ready'), 1);
  assert.equal(manager.isReady('uid-1', 'web'), false, 'one success is below successThreshold 2');
  await clock.tick(10_000);
  assert.deepEqual(changes, [['web', 'readiness', 'success', 'c1']]);
  assert.equal(manager.isReady('uid-1', 'web'), true);
  await manager.removePod('uid-1');
});

test('Pod liveness probe, using local file, restart: failure reported once, then on hold until a new container', async () => {
  const { clock, changes, manager, checks, events } = setup({ name: 'app', livenessProbe: probe('alive', { failureThreshold: 2 }) });
  checks.codes.set('alive', 0);
  manager.updateContainer('uid-1', 'app', { containerId: 'c1', state: 'running', startedAt: clock.now() });
  await clock.settle();
  assert.equal(manager.result('uid-1', 'app', 'liveness'), 'success');
  assert.deepEqual(changes, [], 'liveness starts as success: nothing flipped');
  checks.codes.set('alive', 1);
  await clock.tick(10_000);
  await clock.tick(10_000);
  assert.deepEqual(changes, [['app', 'liveness', 'failure', 'c1']]);
  assert.deepEqual(events.at(-1), ['liveness', { type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: alive is unhappy' }]);
  const probed = checks.count('alive');
  await clock.tick(10_000);
  assert.equal(checks.count('alive'), probed, 'on hold: the failed container is not probed again');

  checks.codes.set('alive', 0);
  manager.updateContainer('uid-1', 'app', { containerId: 'c2', state: 'running', startedAt: clock.now() });
  await clock.settle();
  assert.deepEqual(changes.at(-1), ['app', 'liveness', 'success', 'c2']);
  assert.equal(checks.count('alive'), probed + 1, 'the new container is probed at once');
  await manager.removePod('uid-1');
});

test('startup probe gates liveness and readiness; its success triggers readiness at once', async () => {
  const { clock, changes, manager, checks } = setup({
    name: 'slow',
    startupProbe: probe('started', { failureThreshold: 30 }),
    readinessProbe: probe('ready'),
    livenessProbe: probe('alive'),
  });
  checks.codes.set('started', 1).set('ready', 0).set('alive', 0);
  manager.updateContainer('uid-1', 'slow', { containerId: 'c1', state: 'running', startedAt: clock.now() });
  await clock.settle();
  await clock.tick(10_000);
  assert.equal(checks.count('started'), 2);
  assert.equal(checks.count('ready') + checks.count('alive'), 0, 'liveness and readiness wait for startup');
  assert.equal(manager.isStarted('uid-1', 'slow'), false);
  assert.equal(manager.isReady('uid-1', 'slow'), false);

  checks.codes.set('started', 0);
  await clock.tick(10_000);
  assert.equal(manager.isStarted('uid-1', 'slow'), true);
  assert.deepEqual(changes.slice(0, 2), [['slow', 'startup', 'success', 'c1'], ['slow', 'readiness', 'success', 'c1']]);
  assert.equal(manager.isReady('uid-1', 'slow'), true, 'readiness ran without waiting a period');
  const startupRuns = checks.count('started');
  await clock.tick(10_000);
  assert.equal(checks.count('started'), startupRuns, 'startup is not probed once started');
  assert.ok(checks.count('alive') >= 1);
  await manager.removePod('uid-1');
});

test('a startup probe that keeps failing reports failure (the container is restarted)', async () => {
  const { clock, changes, manager, checks } = setup({ name: 's', startupProbe: probe('started', { failureThreshold: 2 }) });
  checks.codes.set('started', 1);
  manager.updateContainer('uid-1', 's', { containerId: 'c1', state: 'running', startedAt: clock.now() });
  await clock.settle();
  await clock.tick(10_000);
  assert.deepEqual(changes, [['s', 'startup', 'failure', 'c1']]);
  assert.equal(manager.isStarted('uid-1', 's'), false);
  await manager.removePod('uid-1');
});

test('prober errors are retried, then an event only', async () => {
  const { clock, changes, manager, events, checks } = setup({ name: 'e', readinessProbe: probe('unknown-check') });
  manager.updateContainer('uid-1', 'e', { containerId: 'c1', state: 'running', startedAt: clock.now() });
  await clock.settle();
  assert.deepEqual(changes, []);
  assert.equal(checks.count('unknown-check'), 3, 'an errored probe is retried three times, as upstream');
  assert.equal(events.length, 1);
  assert.deepEqual(events[0], ['readiness', { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe errored: no such check unknown-check' }]);
  await manager.removePod('uid-1');
});

test('readiness flips to failure when the container exits; liveness stops while the pod terminates', async () => {
  const ready = setup({ name: 'r', readinessProbe: probe('ready') });
  ready.checks.codes.set('ready', 0);
  ready.manager.updateContainer('uid-1', 'r', { containerId: 'c1', state: 'running', startedAt: ready.clock.now() });
  await ready.clock.settle();
  ready.manager.updateContainer('uid-1', 'r', { containerId: 'c1', state: 'terminated' });
  await ready.clock.settle();
  assert.deepEqual(ready.changes, [['r', 'readiness', 'success', 'c1'], ['r', 'readiness', 'failure', 'c1']]);
  assert.equal(ready.manager.isReady('uid-1', 'r'), false);
  await ready.manager.removePod('uid-1');

  const live = setup({ name: 'l', livenessProbe: probe('alive') });
  live.checks.codes.set('alive', 0);
  live.manager.updateContainer('uid-1', 'l', { containerId: 'c1', state: 'running', startedAt: live.clock.now() });
  await live.clock.settle();
  live.manager.addPod({ ...live.pod, metadata: { ...live.pod.metadata, deletionTimestamp: new Date().toISOString() } }, { podIP: '127.0.0.1', exec: live.checks.exec });
  live.checks.codes.set('alive', 1);
  live.clock.advance(10_000);
  await live.manager.removePod('uid-1');
  assert.equal(live.checks.count('alive'), 1, 'no liveness probe runs once the pod is being deleted');
  assert.deepEqual(live.changes, []);
});
