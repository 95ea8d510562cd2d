// @kubernetes/client-node 1.4.0 (the official JavaScript client) against a real `skiff server`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { removeDir, startServer, waitUntil, type RunningServer } from './harness.ts';

describe('@kubernetes/client-node', () => {
  let srv: RunningServer;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;

  before(async () => {
    srv = await startServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(srv.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn' } } });
  });
  after(async () => {
    await srv.stop();
    await removeDir(srv.dataDir);
  });

  test('ConfigMap lifecycle: create, read, list, replace, patch, delete', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'c1', labels: { app: 'x' } }, data: { a: '1' } } });
    assert.ok(created.metadata?.uid);
    assert.ok(created.metadata?.resourceVersion);
    const read = await core.readNamespacedConfigMap({ name: 'c1', namespace: 'cn' });
    assert.deepEqual(read.data, { a: '1' });
    const list = await core.listNamespacedConfigMap({ namespace: 'cn', labelSelector: 'app=x' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['c1']);
    read.data = { a: '2' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'c1', namespace: 'cn', body: read });
    assert.equal(replaced.data?.a, '2');
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
    const patched = await core.patchNamespacedConfigMap({ name: 'c1', namespace: 'cn', body: { data: { b: '3' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.deepEqual(patched.data, { a: '2', b: '3' });
    await core.deleteNamespacedConfigMap({ name: 'c1', namespace: 'cn' });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'c1', namespace: 'cn' }), (err: any) => err.code === 404);
  });

  test('Deployment CRUD with generation and a scale subresource', async () => {
    const d = await apps.createNamespacedDeployment({ namespace: 'cn', body: {
      metadata: { name: 'd1' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'd1' } }, template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    } });
    assert.equal(d.metadata?.generation, 1);
    const scaled = await apps.replaceNamespacedDeploymentScale({ name: 'd1', namespace: 'cn', body: { metadata: { name: 'd1', namespace: 'cn' }, spec: { replicas: 4 } } });
    assert.equal(scaled.spec?.replicas, 4);
    const after = await apps.readNamespacedDeployment({ name: 'd1', namespace: 'cn' });
    assert.equal(after.spec?.replicas, 4);
    assert.equal(after.metadata?.generation, 2);
    await assert.rejects(apps.createNamespacedDeployment({ namespace: 'cn', body: {
      metadata: { name: 'bad' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    } }), (err: any) => err.code === 422 && /selector/.test(String(err.body)));
  });

  test('conflicts: an update with a stale resourceVersion gets 409', async () => {
    const c = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'c2' }, data: { v: '0' } } });
    await core.replaceNamespacedConfigMap({ name: 'c2', namespace: 'cn', body: { ...c, data: { v: '1' } } });
    await assert.rejects(core.replaceNamespacedConfigMap({ name: 'c2', namespace: 'cn', body: { ...c, data: { v: 'stale' } } }),
      (err: any) => err.code === 409 && JSON.parse(err.body).reason === 'Conflict');
    await assert.rejects(core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'c2' } } }),
      (err: any) => err.code === 409 && JSON.parse(err.body).reason === 'AlreadyExists');
  });

  test('informer: list then watch sees adds, updates and deletes', async () => {
    const listFn = () => core.listNamespacedConfigMap({ namespace: 'cn' });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/cn/configmaps', listFn);
    const seen: string[] = [];
    informer.on('add', (o: k8s.V1ConfigMap) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o: k8s.V1ConfigMap) => seen.push(`update:${o.metadata?.name}:${o.data?.k}`));
    informer.on('delete', (o: k8s.V1ConfigMap) => seen.push(`delete:${o.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'inf' }, data: { k: '1' } } });
      await core.patchNamespacedConfigMap({ name: 'inf', namespace: 'cn', body: { data: { k: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ name: 'inf', namespace: 'cn' });
      await waitUntil(() => seen.includes('delete:inf'), 10_000, 'informer delete');
      assert.deepEqual(seen.filter((s) => s.includes(':inf')), ['add:inf', 'update:inf:2', 'delete:inf']);
    } finally {
      await informer.stop();
    }
  });

  test('watch-configmaps-from-resource-version: a watch from a version replays what came after', async () => {
    const c = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'w1' }, data: { n: '0' } } });
    for (let i = 1; i <= 3; i++) await core.patchNamespacedConfigMap({ name: 'w1', namespace: 'cn', body: { data: { n: String(i) } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const events: string[] = [];
    const w = new k8s.Watch(kc);
    const req = await w.watch('/api/v1/namespaces/cn/configmaps', { resourceVersion: c.metadata!.resourceVersion!, fieldSelector: 'metadata.name=w1' },
      (type: string, obj: k8s.V1ConfigMap) => events.push(`${type}:${obj.data?.n}`), () => {});
    await waitUntil(() => events.length >= 3, 10_000, 'replayed events');
    req.abort();
    assert.deepEqual(events, ['MODIFIED:1', 'MODIFIED:2', 'MODIFIED:3']);
  });
});
