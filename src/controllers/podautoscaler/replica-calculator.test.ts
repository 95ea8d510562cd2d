// Cases after pkg/controller/podautoscaler/replica_calculator_test.go.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { podMetricsInfo } from './metrics-client.ts';
import { DEFAULT_CALCULATOR_OPTIONS, groupPods, milliValue, podRequests, rawResourceReplicas, resourceReplicas, type PodMetricsInfo } from './replica-calculator.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const opts = { ...DEFAULT_CALCULATOR_OPTIONS, nowMs: NOW };
const iso = (ms: number): string => new Date(ms).toISOString();

interface PodOpts { request?: string; memory?: string; ready?: boolean; phase?: string; startedAgoMs?: number; readySinceAgoMs?: number; deleting?: boolean }

function pod(name: string, o: PodOpts = {}): Pod {
  const started = NOW - (o.startedAgoMs ?? 10 * 60_000);
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: o.request ?? '1', ...(o.memory ? { memory: o.memory } : {}) } } }] },
    status: {
      phase: o.phase ?? 'Running',
      startTime: iso(started),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(NOW - (o.readySinceAgoMs ?? 9 * 60_000)) }],
    },
  } as Pod;
}

function metrics(levels: Record<string, number>, ageMs = 0): PodMetricsInfo {
  return new Map(Object.entries(levels).map(([n, v]) => [n, { timestampMs: NOW - ageMs, windowMs: 10_000, value: v }]));
}

const cpu = (pods: Pod[], m: PodMetricsInfo, currentReplicas: number, target: number): ReturnType<typeof resourceReplicas> =>
  resourceReplicas({ currentReplicas, resource: 'cpu', container: '', pods, metrics: m }, target, opts);

test('scale up: 300m/500m/700m of 1 CPU each against 30% gives 5 replicas at 50% (TestReplicaCalcScaleUp)', () => {
  const r = cpu([pod('a'), pod('b'), pod('c')], metrics({ a: 300, b: 500, c: 700 }), 3, 30);
  assert.deepEqual(r, { replicas: 5, utilization: 50, rawAverage: 500 });
});

test('scale up with an unready pod: it counts as 0% so the step is smaller (TestReplicaCalcScaleUpUnreadyLessScale)', () => {
  const pods = [pod('a', { ready: false, startedAgoMs: 60_000, readySinceAgoMs: 60_000 }), pod('b'), pod('c')];
  const r = cpu(pods, metrics({ a: 300, b: 500, c: 700 }), 3, 30);
  assert.deepEqual(r, { replicas: 4, utilization: 60, rawAverage: 600 });
});

test('scale up: a pod within the CPU initialization period whose sample predates one window after it turned ready is unready', () => {
  const fresh = pod('a', { startedAgoMs: 20_000, readySinceAgoMs: 5_000 });
  const g = groupPods([fresh, pod('b')], metrics({ a: 900, b: 900 }), 'cpu', opts);
  assert.deepEqual([...g.unreadyPods], ['a']);
  assert.equal(g.readyPodCount, 1);
  // Memory does not care about readiness.
  assert.equal(groupPods([fresh], metrics({ a: 900 }), 'memory', opts).readyPodCount, 1);
});

test('past the initialization period, only a pod never ready is left out (delayOfInitialReadinessStatus)', () => {
  const neverReady = pod('a', { ready: false, startedAgoMs: 10 * 60_000, readySinceAgoMs: 10 * 60_000 - 5_000 });
  const wasReady = pod('b', { ready: false, startedAgoMs: 10 * 60_000, readySinceAgoMs: 60_000 });
  const g = groupPods([neverReady, wasReady], metrics({ a: 1, b: 1 }), 'cpu', opts);
  assert.deepEqual([...g.unreadyPods], ['a']);
  assert.equal(g.readyPodCount, 1);
});

test('pending pods are unready, deleted and failed pods ignored, pods without metrics missing', () => {
  const g = groupPods([pod('p', { phase: 'Pending' }), pod('d', { deleting: true }), pod('f', { phase: 'Failed' }), pod('m'), pod('ok')], metrics({ ok: 1, d: 5, f: 5 }), 'cpu', opts);
  assert.deepEqual([[...g.unreadyPods], [...g.ignoredPods].sort(), [...g.missingPods], g.readyPodCount], [['p'], ['d', 'f'], ['m'], 1]);
});

test('scale down: 1400m over five pods against 50% gives 3 replicas (TestReplicaCalcScaleDown)', () => {
  const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => pod(n));
  assert.deepEqual(cpu(pods, metrics({ a: 100, b: 300, c: 500, d: 250, e: 250 }), 5, 50), { replicas: 3, utilization: 28, rawAverage: 280 });
});

test('within the tolerance nothing changes (TestReplicaCalcTolerance)', () => {
  const pods = [pod('a', { request: '0.9' }), pod('b', { request: '1.0' }), pod('c', { request: '1.1' })];
  assert.deepEqual(cpu(pods, metrics({ a: 1010, b: 1030, c: 1020 }), 3, 100), { replicas: 3, utilization: 102, rawAverage: 1020 });
});

test('missing metrics on a scale up count as 0% (TestReplicaCalcMissingMetricsScaleUp)', () => {
  const pods = [pod('a'), pod('b'), pod('c')];
  assert.deepEqual(cpu(pods, metrics({ a: 2000, b: 1900 }), 3, 100), { replicas: 4, utilization: 195, rawAverage: 1950 });
});

test('missing metrics on a scale down count as 100% of the request', () => {
  const pods = ['a', 'b', 'c', 'd'].map((n) => pod(n));
  assert.equal(cpu(pods, metrics({ a: 100, b: 100, c: 100 }), 4, 50).replicas, 3);
});

test('missing metrics that would flip the direction leave the size alone (TestReplicaCalcMissingMetricsNoChangeGt)', () => {
  const r = cpu([pod('a'), pod('b')], metrics({ a: 1900 }), 2, 100);
  assert.deepEqual(r, { replicas: 2, utilization: 190, rawAverage: 1900 });
  assert.equal(cpu([pod('a'), pod('b')], metrics({ a: 950 }), 2, 100).replicas, 2);
});

test('errors as upstream: no pods, no metrics for the pods, a container without a request', () => {
  assert.throws(() => cpu([], metrics({}), 1, 50), /no pods returned by selector while calculating replica count/);
  assert.throws(() => cpu([pod('a', { phase: 'Pending' })], metrics({ a: 1 }), 1, 50), /did not receive metrics for targeted pods \(pods might be unready\)/);
  const noReq = pod('a');
  delete noReq.spec!.containers[0]!.resources;
  assert.throws(() => cpu([noReq], metrics({ a: 1 }), 1, 50), /missing request for cpu in container c of Pod a/);
});

test('AverageValue: memory per pod against a target value, missing pods as the target on a scale down (TestReplicaCalcScaleUpCM-like)', () => {
  const mi = 1024 * 1024 * 1000;
  const pods = [pod('a'), pod('b'), pod('c')];
  const r = rawResourceReplicas({ currentReplicas: 3, resource: 'memory', container: '', pods, metrics: metrics({ a: 50 * mi, b: 60 * mi, c: 70 * mi }) }, milliValue('30Mi'), opts);
  assert.deepEqual(r, { replicas: 6, rawAverage: 60 * mi });
  const down = rawResourceReplicas({ currentReplicas: 3, resource: 'memory', container: '', pods, metrics: metrics({ a: 5 * mi, b: 5 * mi }) }, milliValue('30Mi'), opts);
  assert.equal(down.replicas, 2); // (5+5+30)/3 = 13.3Mi per pod → ceil(0.44 × 3)
});

test('requests sum the containers and running sidecars; milliValue rounds up as Quantity.MilliValue', () => {
  const p = pod('a', { request: '250m' });
  p.spec!.containers.push({ name: 'd', image: 'x', resources: { requests: { cpu: '150m' } } });
  p.spec!.initContainers = [{ name: 's', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } }, { name: 'i', image: 'x' }];
  assert.equal(podRequests([p], '', 'cpu').get('a'), 500);
  assert.equal(podRequests([p], 'd', 'cpu').get('a'), 150);
  assert.equal(milliValue('150m'), 150);
  assert.equal(milliValue('1234567n'), 2);
});

test('PodMetrics become milli-values per pod; a pod missing the resource in some container is left out', () => {
  const items = [
    { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'a' }, timestamp: '2025-01-01T12:00:00Z', window: '10s', containers: [{ name: 'c', usage: { cpu: '45m', memory: '1Mi' } }, { name: 'd', usage: { cpu: '5m', memory: '1Mi' } }] },
    { kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'b' }, timestamp: '2025-01-01T12:00:00Z', window: '1m30s', containers: [{ name: 'c', usage: { memory: '1Mi' } }] },
  ] as const;
  const m = podMetricsInfo(items as never, 'cpu', '');
  assert.deepEqual([...m.keys()], ['a']);
  assert.deepEqual(m.get('a'), { timestampMs: NOW, windowMs: 10_000, value: 50 });
  assert.equal(podMetricsInfo(items as never, 'cpu', 'd').get('a')?.value, 5);
  assert.equal(podMetricsInfo(items as never, 'memory', '').get('b')?.windowMs, 90_000);
});
