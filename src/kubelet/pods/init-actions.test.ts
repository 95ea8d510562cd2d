import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container } from '../../api/types/core-v1.ts';
import { computeInitActions, type InitContainerView } from './init-actions.ts';

const regular = (name: string): Container => ({ name, image: 'busybox' });
const sidecar = (name: string, over: Partial<Container> = {}): Container => ({ name, image: 'busybox', restartPolicy: 'Always', ...over });
const running = { state: 'running' as const };
const exited = (exitCode: number) => ({ state: 'stopped' as const, exitCode });
const view = (container: Container, latest?: InitContainerView['latest'], verdict?: InitContainerView['verdict']): InitContainerView => ({
  container, ...(latest ? { latest } : {}), ...(verdict ? { verdict } : {}),
});
const act = (init: InitContainerView[], appStarted = false, restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always') => computeInitActions({ init, appStarted, restartPolicy });

test('no init containers: initialized at once', () => {
  assert.deepEqual(act([]), { start: [], kill: [], initialized: true, failed: false });
});

test('regular init containers run one after the other, each to success', () => {
  assert.deepEqual(act([view(regular('a')), view(regular('b'))]).start, [0]);
  assert.deepEqual(act([view(regular('a'), running), view(regular('b'))]), { start: [], kill: [], initialized: false, failed: false });
  assert.deepEqual(act([view(regular('a'), exited(0)), view(regular('b'))]).start, [1]);
  assert.deepEqual(act([view(regular('a'), exited(0)), view(regular('b'), exited(0))]), { start: [], kill: [], initialized: true, failed: false });
  assert.deepEqual(act([view(regular('a'), exited(1)), view(regular('b'))]).start, [0]);
  assert.deepEqual(act([view(regular('a'), exited(1))], false, 'Never'), { start: [], kill: [], initialized: false, failed: true });
});

test('a sidecar without startup probe counts as initialized once running, and the next one starts beside it', () => {
  assert.deepEqual(act([view(sidecar('log')), view(regular('setup'))]).start, [0]);
  assert.deepEqual(act([view(sidecar('log'), running), view(regular('setup'))]), { start: [1], kill: [], initialized: false, failed: false });
  assert.deepEqual(act([view(sidecar('log'), running), view(regular('setup'), exited(0))]), { start: [], kill: [], initialized: true, failed: false });
  // The last init container is a sidecar: running is enough for the app containers.
  assert.deepEqual(act([view(regular('setup'), exited(0)), view(sidecar('log'), running)]), { start: [], kill: [], initialized: true, failed: false });
});

test('a sidecar with a startup probe holds the next ones back until the probe passed; a failure restarts it', () => {
  const probed = sidecar('proxy', { startupProbe: { exec: { command: ['true'] } } });
  assert.deepEqual(act([view(probed, running, { started: false }), view(regular('b'))]), { start: [], kill: [], initialized: false, failed: false });
  assert.deepEqual(act([view(probed, running, { started: true }), view(regular('b'))]).start, [1]);
  const failed = act([view(probed, running, { started: false, livenessFailed: true })]);
  assert.deepEqual(failed.kill, [{ index: 0, probe: 'startup', message: 'Init container proxy failed startup probe' }]);
  assert.equal(failed.initialized, false);
});

test('a sidecar that stops is started again, before and after initialization, whatever the pod restartPolicy', () => {
  // Before: the init container after it keeps running and waits.
  assert.deepEqual(act([view(sidecar('log'), exited(137)), view(regular('setup'), running)]), { start: [0], kill: [], initialized: false, failed: false });
  // After: regular init containers are done with, the sidecar restarts, the pod stays initialized.
  assert.deepEqual(act([view(regular('setup'), exited(0)), view(sidecar('log'), exited(1))], true, 'Never'), { start: [1], kill: [], initialized: true, failed: false });
  // A sidecar whose run is gone starts again once an init container after it ran.
  assert.deepEqual(act([view(sidecar('log')), view(regular('setup'), exited(0))]), { start: [0], kill: [], initialized: true, failed: false });
  assert.deepEqual(act([view(sidecar('log')), view(regular('setup'))], true).start, [0]);
});

test('a running sidecar failing its liveness probe is restarted without holding the pod back', () => {
  const live = sidecar('log', { livenessProbe: { exec: { command: ['true'] } } });
  const r = act([view(live, running, { livenessFailed: true })], true);
  assert.deepEqual(r, { start: [], kill: [{ index: 0, probe: 'liveness', message: 'Init container log failed liveness probe' }], initialized: true, failed: false });
});
