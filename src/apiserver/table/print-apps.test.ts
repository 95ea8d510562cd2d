import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter, replicationControllerPrinter, statefulSetPrinter } from './print-apps.ts';
import { DAY, MIN, NOW, obj } from './test-helpers.ts';

const template = { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };

test('deployment: READY ready/desired, counts, wide containers, images and selector', () => {
  const d = obj('web', 10 * MIN, {
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }, template },
    status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  });
  assert.deepEqual(deploymentPrinter.cells(d, NOW), ['web', '2/3', 3, 2, '10m', 'app,log', 'nginx:1.27,busybox', 'app=web,env in (dev,prod)']);
  assert.deepEqual(deploymentPrinter.columns.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1],
  ]);
});

test('deployment with no status yet', () => {
  const d = obj('web', 5000, { spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template } });
  assert.deepEqual(deploymentPrinter.cells(d, NOW).slice(0, 5), ['web', '0/1', 0, 0, '5s']);
});

test('replicaset, statefulset, daemonset and replication controller', () => {
  const rs = obj('web-6d4f', DAY, { spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 2, readyReplicas: 1 } });
  assert.deepEqual(replicaSetPrinter.cells(rs, NOW), ['web-6d4f', 2, 2, 1, '24h', 'app,log', 'nginx:1.27,busybox', 'app=web']);

  const sts = obj('db', DAY, { spec: { replicas: 3, template }, status: { readyReplicas: 3 } });
  assert.deepEqual(statefulSetPrinter.cells(sts, NOW), ['db', '3/3', '24h', 'app,log', 'nginx:1.27,busybox']);

  const ds = obj('agent', 3 * DAY, {
    spec: { selector: { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }, { key: 'app', operator: 'Exists' }] }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [] } } },
    status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
  });
  assert.deepEqual(daemonSetPrinter.cells(ds, NOW), ['agent', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '3d', '', '', 'app,!legacy']);

  const rc = obj('old', DAY, { spec: { replicas: 1, selector: { app: 'old' }, template }, status: { replicas: 1, readyReplicas: 1 } });
  assert.deepEqual(replicationControllerPrinter.cells(rc, NOW), ['old', 1, 1, 1, '24h', 'app,log', 'nginx:1.27,busybox', 'app=old']);
});

test('controller revision names its controller as kind.group/name', () => {
  const cr = obj('agent-5b7c', DAY, { revision: 4 }, {
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }],
  });
  assert.deepEqual(controllerRevisionPrinter.cells(cr, NOW), ['agent-5b7c', 'daemonset.apps/agent', 4, '24h']);
  assert.equal(controllerRevisionPrinter.cells(obj('x', DAY, { revision: 1 }), NOW)[1], '<none>');
});
