import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeMetrics, PodMetrics } from '../../api/types/metrics-v1beta1.ts';
import { metricsTable } from './metrics-table.ts';

const pm: PodMetrics = {
  kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'web', namespace: 'default' },
  timestamp: '2026-01-01T00:00:00Z', window: '10s',
  containers: [{ name: 'a', usage: { cpu: '250m', memory: '4000Ki' } }, { name: 'b', usage: { cpu: '1234567n', memory: '96Ki' } }],
};
const nm: NodeMetrics = {
  kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: 'n1' },
  timestamp: '2026-01-01T00:00:00Z', window: '10s', usage: { cpu: '1500m', memory: '2Gi' },
};

test('pod metrics table: containers summed per resource, window, metadata row objects', () => {
  const t = metricsTable([pm], 'Metadata');
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.format]), [['Name', 'name'], ['cpu', 'quantity'], ['memory', 'quantity'], ['Window', 'duration']]);
  assert.deepEqual(t.rows[0]!.cells, ['web', '251234567n', '4Mi', '10s']);
  assert.deepEqual(t.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'web', namespace: 'default' } });
});

test('node metrics table: the usage as served; includeObject None and Object', () => {
  assert.deepEqual(metricsTable([nm], 'None').rows, [{ cells: ['n1', '1500m', '2Gi', '10s'] }]);
  assert.equal(metricsTable([nm], 'Object').rows[0]!.object, nm);
});
