import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import type { Summary } from '../../api/types/stats-v1alpha1.ts';
import { findPodStats, metaTime, nodeMetricsFromSummary, podMetricsFromStats } from './summary-to-metrics.ts';

const T = '2026-12-02T10:00:05.123Z';
const now = new Date('2026-12-02T10:00:06.900Z');

const summary: Summary = {
  node: {
    nodeName: 'n1',
    startTime: '2026-12-02T09:00:00Z',
    cpu: { time: T, usageNanoCores: 1_234_567_890, usageCoreNanoSeconds: 9e12 },
    memory: { time: T, workingSetBytes: 2 * 1024 ** 3, usageBytes: 3 * 1024 ** 3, availableBytes: 1024 ** 3 },
  },
  pods: [
    {
      podRef: { name: 'web', namespace: 'default', uid: 'u1' },
      startTime: T,
      cpu: { time: T, usageNanoCores: 5_000_000 },
      memory: { time: T, workingSetBytes: 8192 },
      containers: [
        { name: 'app', startTime: T, cpu: { time: T, usageNanoCores: 250_000_000 }, memory: { time: T, workingSetBytes: 4_096_000 } },
        { name: 'sidecar', startTime: T, cpu: { time: T, usageNanoCores: 1234567 }, memory: { time: T, workingSetBytes: 1 << 20 } },
        // just started: no rate yet, so it is left out
        { name: 'fresh', startTime: T, cpu: { time: T, usageCoreNanoSeconds: 10 }, memory: { time: T, workingSetBytes: 4096 } },
      ],
    },
  ],
};

const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' } } };
const pod = (over: Partial<Pod['metadata']> = {}, phase = 'Running'): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', labels: { app: 'web' }, ...over },
  spec: { nodeName: 'n1', containers: [] },
  status: { phase },
} as Pod);

test('node metrics: usageNanoCores as nanocores, working set in binary SI, metav1 times', () => {
  assert.deepEqual(nodeMetricsFromSummary(node, summary, now), {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'n1', creationTimestamp: '2026-12-02T10:00:06Z', labels: { zone: 'a' } },
    timestamp: '2026-12-02T10:00:05Z',
    window: '10s',
    usage: { cpu: '1234567890n', memory: '2Gi' },
  });
  const noRate: Summary = { ...summary, node: { ...summary.node, cpu: { time: T, usageCoreNanoSeconds: 1 } } };
  assert.equal(nodeMetricsFromSummary(node, noRate, now), undefined);
});

test('pod metrics: per container, containers without a CPU rate left out', () => {
  const stats = findPodStats(summary, pod());
  assert.ok(stats);
  assert.deepEqual(podMetricsFromStats(pod(), stats, now), {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-12-02T10:00:06Z', labels: { app: 'web' } },
    timestamp: '2026-12-02T10:00:05Z',
    window: '10s',
    containers: [
      { name: 'app', usage: { cpu: '250m', memory: '4000Ki' } },
      { name: 'sidecar', usage: { cpu: '1234567n', memory: '1Mi' } },
    ],
  });
});

test('pods are matched by uid and only reported while Running', () => {
  assert.equal(findPodStats(summary, pod({ uid: 'other' })), undefined, 'a recreated pod of the same name is another pod');
  assert.equal(findPodStats(undefined, pod()), undefined);
  assert.equal(podMetricsFromStats(pod({}, 'Pending'), findPodStats(summary, pod()), now), undefined);
  const onlyFresh = { ...summary.pods[0]!, containers: [summary.pods[0]!.containers[2]!] };
  assert.equal(podMetricsFromStats(pod(), onlyFresh, now), undefined, 'no container with metrics: no pod metrics');
});

test('metaTime truncates to whole seconds', () => {
  assert.equal(metaTime('2026-01-02T03:04:05.999Z'), '2026-01-02T03:04:05Z');
});
