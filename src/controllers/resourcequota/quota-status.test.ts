import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceQuota } from '../../api/types/core-v1-policy.ts';
import { desiredStatus } from './quota-status.ts';

const pod = (name: string, cpu?: string, phase?: string): KubeObject => ({
  metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'x', ...(cpu ? { resources: { requests: { cpu } } } : {}) }] },
  ...(phase ? { status: { phase } } : {}),
});

test('status.hard is spec.hard canonical; used counts live pods and keeps names nothing counts', () => {
  const q: ResourceQuota = { metadata: { name: 'q', namespace: 'ns' }, spec: { hard: { pods: '10', 'requests.cpu': '2000m', 'example.com/widgets': '4' } }, status: { used: { 'example.com/widgets': '1', stale: '3' } } };
  const pods = [pod('a', '250m'), pod('b', '500m'), pod('done', '1', 'Succeeded')];
  const status = desiredStatus(q, (ev) => (ev.resource === 'pods' ? pods : undefined), Date.now());
  assert.deepEqual(status, { hard: { 'example.com/widgets': '4', pods: '10', 'requests.cpu': '2' }, used: { 'example.com/widgets': '1', pods: '2', 'requests.cpu': '750m' } });
  assert.equal(desiredStatus({ ...q, status: status }, (ev) => (ev.resource === 'pods' ? pods : undefined), Date.now()), undefined);
});

test('ResourceQuota, quota scope, Terminating and NotTerminating scope: scoped quotas count their pods only', () => {
  const term = { ...pod('t'), spec: { activeDeadlineSeconds: 60, containers: [{ name: 'c', image: 'x' }] } };
  const q = (scopes: string[]): ResourceQuota => ({ metadata: { name: 'q', namespace: 'ns' }, spec: { hard: { pods: '5' }, scopes } });
  const objs = (): KubeObject[] => [term, pod('a'), pod('b')];
  assert.equal(desiredStatus(q(['Terminating']), objs, 0)!.used!.pods, '1');
  assert.equal(desiredStatus(q(['NotTerminating']), objs, 0)!.used!.pods, '2');
});

test('count/<resource>.<group> counts every object of the kind', () => {
  const q: ResourceQuota = { metadata: { name: 'q', namespace: 'ns' }, spec: { hard: { 'count/deployments.apps': '3', configmaps: '5' } } };
  const status = desiredStatus(q, (ev) => (ev.resource === 'deployments' ? [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] : ev.resource === 'configmaps' ? [] : undefined), 0);
  assert.deepEqual(status!.used, { configmaps: '0', 'count/deployments.apps': '2' });
});
