// skiff's own client (src/client) against a real `skiff server`: CRUD through Clientset.resource()
// and Clientset.kind(), the server's errors as StatusError, bearer tokens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlreadyExists, isConflict, isInvalid, isNotFound, StatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/meta.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { loadKubeconfig, type ClientConfig } from '../../src/client/kubeconfig.ts';
import { removeDir, startServer, tempDir, type RunningServer } from './harness.ts';

interface ConfigMap extends KubeObject { data?: Record<string, string> }
interface Deployment extends KubeObject {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ name: string; image: string }> } } };
}

function deployment(name: string, replicas = 1): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}

async function rejectsWith(p: Promise<unknown>, code: number, reason: string): Promise<StatusError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StatusError, `expected a StatusError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.reason, reason, err.message);
    assert.equal(err.status.kind, 'Status');
    return err;
  }
  assert.fail(`expected ${code} ${reason}, but the request succeeded`);
}

describe('client-lib: REST client against a real server', () => {
  let srv: RunningServer;
  let tokenDir: string;
  let cs: Clientset;
  let cfg: ClientConfig;

  before(async () => {
    tokenDir = await tempDir('client-lib-token');
    const tokenFile = join(tokenDir, 'tokens.csv');
    // The token user writes and lists freely (this test is about authentication, not RBAC).
    await writeFile(tokenFile, 'token123,agent-1,uid-1,"system:masters"\n');
    srv = await startServer({ extraArgs: ['--token-file', tokenFile] });
    cfg = await loadKubeconfig(srv.kubeconfig);
    cs = new Clientset(cfg);
  });

  after(async () => {
    cs?.rest.close();
    await srv?.stop();
    if (srv) await removeDir(srv.dataDir);
    if (tokenDir) await removeDir(tokenDir);
  });

  test('loadKubeconfig reads the server, CA and client certificate', () => {
    assert.equal(cfg.server, srv.url);
    assert.match(cfg.caPem ?? '', /BEGIN CERTIFICATE/);
    assert.match(cfg.certPem ?? '', /BEGIN CERTIFICATE/);
    assert.match(cfg.keyPem ?? '', /PRIVATE KEY/);
    assert.equal(cfg.namespace, 'default');
  });

  test('ConfigMap CRUD through resource()', async () => {
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    const created = await cms.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', labels: { app: 'x' } }, data: { a: '1' } });
    assert.ok(created.metadata.uid);
    assert.ok(created.metadata.resourceVersion);
    const got = await cms.get('default', 'c1');
    assert.deepEqual(got.data, { a: '1' });
    const list = await cms.list('default', { labelSelector: 'app=x' });
    assert.deepEqual(list.items.map((o) => o.metadata.name), ['c1']);
    assert.ok(list.metadata.resourceVersion);
    got.data = { a: '2' };
    const updated = await cms.update('default', got);
    assert.equal(updated.data?.a, '2');
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
    const merged = await cms.patch('default', 'c1', 'merge', { data: { b: '3' } });
    assert.deepEqual(merged.data, { a: '2', b: '3' });
    const jsonPatched = await cms.patch('default', 'c1', 'json', [{ op: 'remove', path: '/data/a' }]);
    assert.deepEqual(jsonPatched.data, { b: '3' });
    const applied = await cms.patch('default', 'c2', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c2' }, data: { z: '9' } }, { fieldManager: 'client-lib' });
    assert.deepEqual(applied.data, { z: '9' });
    await cms.delete('default', 'c1');
    await cms.delete('default', 'c2');
    await rejectsWith(cms.get('default', 'c1'), 404, 'NotFound');
  });

  test('Deployment CRUD through kind()', async () => {
    const deps = cs.kind<Deployment>('apps/v1', 'Deployment');
    assert.equal(deps.ref.resource, 'deployments');
    const created = await deps.create('default', deployment('web', 2));
    assert.equal(created.spec.replicas, 2);
    assert.equal(created.metadata.generation, 1);
    const scaled = await deps.patch('default', 'web', 'strategic', { spec: { replicas: 3 } });
    assert.equal(scaled.spec.replicas, 3);
    assert.equal(scaled.metadata.generation, 2);
    const scale = await deps.get('default', 'web', 'scale');
    assert.equal((scale as unknown as { spec: { replicas: number } }).spec.replicas, 3);
    const all = await deps.list();
    assert.ok(all.items.some((d) => d.metadata.name === 'web' && d.metadata.namespace === 'default'));
    await deps.delete('default', 'web', { propagationPolicy: 'Background' });
    await rejectsWith(deps.get('default', 'web'), 404, 'NotFound');
  });

  test('errors are StatusErrors with the server reason', async () => {
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    const nf = await rejectsWith(cms.get('default', 'missing'), 404, 'NotFound');
    assert.ok(isNotFound(nf));
    assert.equal(nf.status.details?.name, 'missing');
    await rejectsWith(cms.delete('default', 'missing'), 404, 'NotFound');

    const first = await cms.create('default', { metadata: { name: 'dup' }, data: { a: '1' } });
    const ae = await rejectsWith(cms.create('default', { metadata: { name: 'dup' } }), 409, 'AlreadyExists');
    assert.ok(isAlreadyExists(ae));

    await cms.update('default', { ...first, data: { a: '2' } });
    const cf = await rejectsWith(cms.update('default', { ...first, data: { a: '3' } }), 409, 'Conflict');
    assert.ok(isConflict(cf));
    assert.match(cf.message, /the object has been modified/);

    const inv = await rejectsWith(cms.create('default', { metadata: { name: 'Bad_Name' } }), 422, 'Invalid');
    assert.ok(isInvalid(inv));
    const causes = inv.status.details?.causes ?? [];
    assert.ok(causes.some((c) => c.field === 'metadata.name' && c.reason === 'FieldValueInvalid'), JSON.stringify(causes));

    const deps = cs.kind<Deployment>('apps/v1', 'Deployment');
    const bad = deployment('bad');
    bad.spec.template.metadata.labels = { app: 'other' };
    bad.spec.template.spec.containers = [{ name: 'c', image: '' }];
    const inv2 = await rejectsWith(deps.create('default', bad), 422, 'Invalid');
    const fields = (inv2.status.details?.causes ?? []).map((c) => `${c.reason} ${c.field}`);
    assert.ok(fields.includes('FieldValueRequired spec.template.spec.containers[0].image'), fields.join('; '));
    assert.ok(fields.some((f) => f.includes('spec.template.metadata.labels')), fields.join('; '));

    await rejectsWith(cs.resource('v1', 'namespaces').get(undefined, 'nope'), 404, 'NotFound');
    assert.throws(() => cs.resource('v1', 'nothings'), /unknown resource nothings/);
    assert.throws(() => cs.kind('v1', 'Nothing'), /unknown kind Nothing/);
  });

  test('bearer token authenticates; a bad token is 401 Unauthorized', async () => {
    const withToken = new Clientset({ server: srv.url, caPem: cfg.caPem!, token: 'token123', namespace: 'default' });
    const withBadToken = new Clientset({ server: srv.url, caPem: cfg.caPem!, token: 'wrong', namespace: 'default' });
    try {
      const cms = withToken.resource<ConfigMap>('v1', 'configmaps');
      const created = await cms.create('default', { metadata: { name: 'from-token' }, data: { who: 'agent-1' } });
      assert.equal((await cms.get('default', 'from-token')).metadata.uid, created.metadata.uid);
      const ns = await withToken.resource('v1', 'namespaces').list();
      assert.ok(ns.items.some((n) => n.metadata.name === 'default'));
      await rejectsWith(withBadToken.resource('v1', 'configmaps').list('default'), 401, 'Unauthorized');
      // A watch with a bad token fails the same way, before any event.
      const ac = new AbortController();
      await rejectsWith((async () => {
        for await (const ev of withBadToken.resource('v1', 'configmaps').watch('default', { signal: ac.signal })) void ev;
      })(), 401, 'Unauthorized');
      ac.abort();
    } finally {
      withToken.rest.close();
      withBadToken.rest.close();
    }
  });

  test('watch streams events after a version and ends at timeoutSeconds', async () => {
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    const start = await cms.create('default', { metadata: { name: 'w0' } });
    const ac = new AbortController();
    const seen: string[] = [];
    const t0 = Date.now();
    const done = (async () => {
      for await (const ev of cms.watch('default', { resourceVersion: start.metadata.resourceVersion!, timeoutSeconds: 1, signal: ac.signal })) {
        seen.push(`${ev.type} ${ev.object.metadata.name ?? ''}`);
      }
    })();
    await cms.create('default', { metadata: { name: 'w1' } });
    await cms.patch('default', 'w1', 'merge', { data: { x: 'y' } });
    await cms.delete('default', 'w1');
    await done;
    const elapsed = Date.now() - t0;
    assert.deepEqual(seen, ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
    assert.ok(elapsed >= 900 && elapsed < 5000, `the watch ended after ${elapsed} ms`);
    // Aborting ends the iteration quietly.
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 200);
    for await (const ev of cms.watch('default', { resourceVersion: start.metadata.resourceVersion!, timeoutSeconds: 60, signal: ac2.signal })) void ev;
    ac.abort();
  });
});
