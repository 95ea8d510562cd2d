import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentStatusPrinter, leasePrinter, namespacePrinter, podDisruptionBudgetPrinter, resourceQuotaPrinter, runtimeClassPrinter } from './print-cluster.ts';
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from './print-config.ts';
import { hpaPrinter } from './print-hpa.ts';
import { DAY, NOW, obj } from './test-helpers.ts';

test('namespaces, config maps, secrets and service accounts', () => {
  assert.deepEqual(namespacePrinter.cells(obj('kube-system', DAY, { status: { phase: 'Active' } }), NOW), ['kube-system', 'Active', '24h']);
  assert.deepEqual(configMapPrinter.cells(obj('cfg', DAY, { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), NOW), ['cfg', 3, '24h']);
  assert.deepEqual(secretPrinter.cells(obj('tls', DAY, { type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }), NOW), ['tls', 'kubernetes.io/tls', 2, '24h']);
  assert.deepEqual(serviceAccountPrinter.cells(obj('default', DAY, {}), NOW), ['default', 0, '24h']);
});

test('resource quota splits requests and limits, sorted by resource', () => {
  const q = obj('quota', DAY, { status: {
    hard: { pods: '10', 'requests.cpu': '4', 'limits.memory': '8Gi', 'limits.cpu': '8' },
    used: { pods: '3', 'requests.cpu': '500m', 'limits.cpu': '1' },
  } });
  assert.deepEqual(resourceQuotaPrinter.cells(q, NOW), ['quota', 'pods: 3/10, requests.cpu: 500m/4', 'limits.cpu: 1/8, limits.memory: 0/8Gi', '24h']);
  assert.deepEqual(resourceQuotaPrinter.columns.map((c) => c.name), ['Name', 'Request', 'Limit', 'Age']);
});

test('component status, lease, runtime class, disruption budget', () => {
  const cs = obj('etcd-0', DAY, { conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] });
  assert.deepEqual(componentStatusPrinter.cells(cs, NOW), ['etcd-0', 'Healthy', 'ok', '']);
  assert.deepEqual(componentStatusPrinter.cells(obj('x', DAY), NOW), ['x', 'Unknown', '', '']);
  assert.deepEqual(leasePrinter.cells(obj('node-1', DAY, { spec: { holderIdentity: 'node-1' } }), NOW), ['node-1', 'node-1', '24h']);
  assert.deepEqual(runtimeClassPrinter.cells(obj('gvisor', DAY, { handler: 'runsc' }), NOW), ['gvisor', 'runsc', '24h']);
  assert.deepEqual(podDisruptionBudgetPrinter.cells(obj('web', DAY, { spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }), NOW), ['web', '50%', 'N/A', 1, '24h']);
  assert.deepEqual(podDisruptionBudgetPrinter.cells(obj('db', DAY, { spec: { maxUnavailable: 1 } }), NOW), ['db', 'N/A', '1', 0, '24h']);
});

test('horizontal pod autoscalers, v2 and v1', () => {
  const v2 = obj('web', DAY, {
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1Gi' } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
      ],
    },
    status: { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45, averageValue: '200m' } } }] },
  });
  assert.deepEqual(hpaPrinter.cells(v2, NOW), ['web', 'Deployment/web', 'cpu: 45%/80%, memory: <unknown>/1Gi + 1 more...', '2', 10, 3, '24h']);

  const v1 = obj('api', DAY, { spec: { scaleTargetRef: { kind: 'Deployment', name: 'api' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 1 } });
  assert.deepEqual(hpaPrinter.cells(v1, NOW), ['api', 'Deployment/api', 'cpu: <unknown>/50%', '<unset>', 5, 1, '24h']);
  const v1Current = obj('api', DAY, { spec: { scaleTargetRef: { kind: 'Deployment', name: 'api' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 }, status: { currentCPUUtilizationPercentage: 12 } });
  assert.equal(hpaPrinter.cells(v1Current, NOW)[2], 'cpu: 12%/50%');
  assert.equal(hpaPrinter.cells(obj('none', DAY, { spec: { maxReplicas: 1 } }), NOW)[2], '<none>');
});
