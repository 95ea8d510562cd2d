import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Pod } from '../../api/types/core-v1.ts';
import type { Summary } from '../../api/types/stats-v1alpha1.ts';
import { newPodState, type PodState } from '../pods/pod-state.ts';
import { EvictionManager } from './eviction-manager.ts';
import { parseEvictionHard } from './threshold.ts';

const Mi = 1024 * 1024;

function pod(name: string, memoryRequest?: string, priority?: number): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {
      containers: [{ name: 'main', image: 'busybox', ...(memoryRequest ? { resources: { requests: { memory: memoryRequest }, limits: { memory: memoryRequest } } } : {}) }],
      ...(priority !== undefined ? { priority } : {}),
    },
  };
}

function setup(pods: Pod[], opts: { threshold?: string; transitionMs?: number } = {}) {
  const states = new Map<string, PodState>(pods.map((p) => [p.metadata.uid!, newPodState(p)]));
  const synced: string[] = [];
  const events: Array<[string, string, string]> = [];
  const pressureChanges: boolean[] = [];
  let available = 8000 * Mi;
  const usage = new Map<string, number>();
  const summary = (): Summary => ({
    node: { nodeName: 'n', startTime: '', memory: { time: '', availableBytes: available, workingSetBytes: 16_000 * Mi - available } },
    pods: pods.map((p) => ({ podRef: { name: p.metadata.name!, namespace: 'default', uid: p.metadata.uid! }, startTime: '', containers: [{ name: 'main', startTime: '', memory: { time: '', workingSetBytes: usage.get(p.metadata.name!) ?? 10 * Mi } }], memory: { time: '', workingSetBytes: usage.get(p.metadata.name!) ?? 10 * Mi } })),
  });
  const manager = new EvictionManager({
    stats: { summary: () => Promise.resolve(summary()) },
    pods: { states, enqueue: (uid) => synced.push(uid) },
    recorder: { pod: (p, type, reason, message) => events.push([p.metadata.name!, `${type}/${reason}`, message]) },
    log: pino({ level: 'silent' }),
    threshold: parseEvictionHard(opts.threshold ?? 'memory.available<100Mi'),
    pressureTransitionMs: opts.transitionMs ?? 60_000,
    onPressureChange: (p) => pressureChanges.push(p),
  });
  return { manager, states, synced, events, pressureChanges, usage, setAvailable: (b: number) => { available = b; } };
}

test('no pressure above the threshold: nothing is evicted', async () => {
  const t = setup([pod('a')]);
  const round = await t.manager.synchronize(1000);
  assert.equal(round.thresholdMet, false);
  assert.equal(round.evicted, undefined);
  assert.equal(t.manager.underMemoryPressure, false);
  assert.deepEqual(t.pressureChanges, []);
});

test('under the threshold: MemoryPressure, and one pod per round in rank order, failed as Evicted', async () => {
  const t = setup([pod('guaranteed', '512Mi'), pod('besteffort'), pod('critical', undefined, 2_000_000_000)]);
  t.usage.set('guaranteed', 400 * Mi);
  t.usage.set('besteffort', 30 * Mi);
  t.usage.set('critical', 900 * Mi);
  t.setAvailable(60 * Mi);
  const first = await t.manager.synchronize(1000);
  assert.equal(first.thresholdMet, true);
  assert.equal(t.manager.underMemoryPressure, true);
  assert.deepEqual(t.pressureChanges, [true]);
  assert.equal(first.evicted?.metadata.name, 'besteffort');
  const st = t.states.get('uid-besteffort')!;
  assert.equal(st.terminalPhase, 'Failed');
  assert.equal(st.stopGraceSeconds, 1);
  const message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 60Mi. Container main was using 30Mi, request is 0, has larger consumption of memory. ';
  assert.deepEqual(st.failure, { reason: 'Evicted', message, disruptionTarget: true });
  assert.deepEqual(t.events, [['besteffort', 'Warning/Evicted', message]]);
  assert.deepEqual(t.synced, ['uid-besteffort']);

  const second = await t.manager.synchronize(2000);
  assert.equal(second.evicted?.metadata.name, 'guaranteed', 'the evicted pod is not chosen again; the critical one never');
  const third = await t.manager.synchronize(3000);
  assert.equal(third.evicted, undefined);
  assert.deepEqual(t.synced, ['uid-besteffort', 'uid-guaranteed']);
});

test('MemoryPressure holds for the transition period after the threshold stops being met', async () => {
  const t = setup([], { transitionMs: 5000 });
  t.setAvailable(10 * Mi);
  await t.manager.synchronize(1000);
  t.setAvailable(4000 * Mi);
  await t.manager.synchronize(3000);
  assert.equal(t.manager.underMemoryPressure, true);
  await t.manager.synchronize(6500);
  assert.equal(t.manager.underMemoryPressure, false);
  assert.deepEqual(t.pressureChanges, [true, false]);
});

test('a percentage threshold is taken of the node capacity', async () => {
  const t = setup([pod('a')], { threshold: 'memory.available<50%' });
  t.setAvailable(7000 * Mi); // of 16000Mi
  const round = await t.manager.synchronize(1000);
  assert.equal(round.thresholdBytes, 8000 * Mi);
  assert.equal(round.evicted?.metadata.name, 'a');
  assert.match(t.events[0]![2], /Threshold quantity: 8000Mi, available: 7000Mi\. /);
});

test('admission under memory pressure turns away BestEffort pods only (unless critical or tolerating the taint)', async () => {
  const t = setup([]);
  const bestEffort = pod('be');
  assert.equal(t.manager.admit(bestEffort), undefined, 'no pressure: everything is admitted');
  t.setAvailable(10 * Mi);
  await t.manager.synchronize(1000);
  assert.deepEqual(t.manager.admit(bestEffort), { reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
  assert.equal(t.manager.admit(pod('guaranteed', '64Mi')), undefined);
  assert.equal(t.manager.admit(pod('critical', undefined, 2_000_000_000)), undefined);
  const tolerant = pod('tolerant');
  tolerant.spec!.tolerations = [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }];
  assert.equal(t.manager.admit(tolerant), undefined);
  const other = pod('other');
  other.spec!.tolerations = [{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists' }];
  assert.notEqual(t.manager.admit(other), undefined);
});
