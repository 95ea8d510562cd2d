// The ReplicaSet controller's decisions against a real `skiff server` without nodes (pods are
// created, adopted and deleted, never run), and --controllers switching it off.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { serverForSuite } from './api-helpers.ts';
import { waitUntil } from './harness.ts';

interface PodJson { metadata: { name: string; deletionTimestamp?: string; ownerReferences?: unknown[] } }

const rs = (name: string, replicas: number): unknown => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});
const rc = (name: string, replicas: number): unknown => ({
  apiVersion: 'v1', kind: 'ReplicationController', metadata: { name },
  spec: { replicas, selector: { app: name }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

describe('ReplicaSet controller against skiff server', () => {
  const ctx = serverForSuite({ before, after });
  const podsOf = async (app: string): Promise<PodJson[]> => ((await ctx.api.get(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).json().items as PodJson[])
    .filter((p) => !p.metadata.deletionTimestamp);

  test('never claims a pod another controller owns, and deletes not-ready pods before ready ones', async () => {
    // Another controller (here a ConfigMap: one that exists, so the garbage collector keeps its pod).
    const cm = (await ctx.api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'someone-else' } })).json();
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'someone-else', uid: cm.metadata.uid, controller: true };
    const owned = await ctx.api.post('/api/v1/namespaces/default/pods', { metadata: { name: 'foreign', labels: { app: 'pick' }, ownerReferences: [other] }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(owned.status, 201, owned.text);
    assert.equal((await ctx.api.post('/apis/apps/v1/namespaces/default/replicasets', rs('pick', 3))).status, 201);
    await waitUntil(async () => (await podsOf('pick')).length === 4, 10_000, '3 pods beside the foreign one');
    const foreign = (await ctx.api.get('/api/v1/namespaces/default/pods/foreign')).json();
    assert.deepEqual(foreign.metadata.ownerReferences, [other]);
    // Two of ours turn ready; scaled to 2, the one that is not ready goes.
    const ours = (await podsOf('pick')).filter((p) => p.metadata.name !== 'foreign');
    const now = new Date().toISOString();
    for (const p of ours.slice(0, 2)) {
      const r = await ctx.api.patch(`/api/v1/namespaces/default/pods/${p.metadata.name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }, 'application/merge-patch+json');
      assert.equal(r.status, 200, r.text);
    }
    await waitUntil(async () => (await ctx.api.get('/apis/apps/v1/namespaces/default/replicasets/pick')).json().status?.readyReplicas === 2, 10_000, 'readyReplicas 2');
    assert.equal((await ctx.api.patch('/apis/apps/v1/namespaces/default/replicasets/pick/scale', { spec: { replicas: 2 } }, 'application/merge-patch+json')).status, 200);
    await waitUntil(async () => (await podsOf('pick')).length === 3, 10_000, 'one pod deleted');
    const left = (await podsOf('pick')).map((p) => p.metadata.name).sort();
    assert.deepEqual(left, [...ours.slice(0, 2).map((p) => p.metadata.name), 'foreign'].sort());
  });
});

describe('--controllers=*,-replicaset', () => {
  const ctx = serverForSuite({ before, after }, { extraArgs: ['--controllers=*,-replicaset'] });

  test('leaves ReplicaSets alone while ReplicationControllers still get their pods', async () => {
    assert.equal((await ctx.api.post('/apis/apps/v1/namespaces/default/replicasets', rs('off', 2))).status, 201);
    assert.equal((await ctx.api.post('/api/v1/namespaces/default/replicationcontrollers', rc('on', 2))).status, 201);
    await waitUntil(async () => (await ctx.api.get('/api/v1/namespaces/default/pods?labelSelector=app%3Don')).json().items.length === 2, 10_000, 'RC pods');
    assert.equal((await ctx.api.get('/api/v1/namespaces/default/pods?labelSelector=app%3Doff')).json().items.length, 0);
  });
});
