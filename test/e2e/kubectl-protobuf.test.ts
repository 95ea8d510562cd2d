// kubectl 1.32+ sends typed creates (`create <kind>`, `autoscale`) as
// `application/vnd.kubernetes.protobuf`; 1.30 and 1.31 still send JSON. `run`, `expose` and the
// DeleteOptions of `delete` go as JSON even from 1.33: they are here to check the whole flow.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectl, removeDir, startServer, tempDir, type RunningServer } from './harness.ts';
import { apiClient, type ApiClient } from './api-helpers.ts';
import { bytesField, envelope, messageField, varintField } from '../../src/api/protobuf/wire-writer.ts';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

describe('kubectl 1.33 typed creates in protobuf', () => {
  let srv: RunningServer;
  let files: string;
  let api: ApiClient;
  const ok = async (args: string[], version = '1.33'): Promise<{ stdout: string; stderr: string }> => {
    const r = await kubectl(version, srv, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  const get = async (...args: string[]): Promise<any> => JSON.parse((await ok(['get', '-n', 'pb', ...args, '-o', 'json'])).stdout);

  before(async () => {
    srv = await startServer();
    files = await tempDir('pb-files');
    api = apiClient(srv.kubeconfig);
  });
  after(async () => {
    api.close();
    await srv.stop();
    await removeDir(srv.dataDir);
    await removeDir(files);
  });

  test('create namespace goes over protobuf', async () => {
    const { stdout, stderr } = await ok(['create', 'namespace', 'pb', '-v=8']);
    assert.match(stdout, /namespace\/pb created/);
    assert.match(stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
    const ns = JSON.parse((await ok(['get', 'namespace', 'pb', '-o', 'json'])).stdout);
    assert.equal(ns.metadata.name, 'pb');
    assert.match(ns.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('create configmap with data and binaryData', async () => {
    const blob = join(files, 'blob.bin');
    await writeFile(blob, Buffer.from([0, 1, 2, 0xff]));
    await ok(['create', '-n', 'pb', 'configmap', 'cm', '--from-literal=greeting=hello', `--from-file=blob=${blob}`]);
    const cm = await get('configmap', 'cm');
    assert.deepEqual(cm.data, { greeting: 'hello' });
    assert.deepEqual(cm.binaryData, { blob: 'AAEC/w==' });
  });

  test('create secret generic', async () => {
    await ok(['create', '-n', 'pb', 'secret', 'generic', 's', '--from-literal=password=s3cret']);
    const s = await get('secret', 's');
    assert.equal(s.type, 'Opaque');
    assert.equal(Buffer.from(s.data.password, 'base64').toString(), 's3cret');
    await ok(['create', '-n', 'pb', 'secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p']);
    const reg = await get('secret', 'reg');
    assert.equal(reg.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(JSON.parse(Buffer.from(reg.data['.dockerconfigjson'], 'base64').toString()).auths['r.example'].username, 'u');
  });

  test('create deployment with replicas and a port', async () => {
    await ok(['create', '-n', 'pb', 'deployment', 'd', '--image=busybox', '--replicas=2', '--port=80']);
    const d = await get('deployment', 'd');
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'd' } });
    assert.deepEqual(d.spec.template.metadata.labels, { app: 'd' });
    const [c] = d.spec.template.spec.containers;
    assert.equal(c.name, 'busybox');
    assert.equal(c.image, 'busybox');
    assert.equal(c.ports[0].containerPort, 80);
  });

  test('create service clusterip', async () => {
    await ok(['create', '-n', 'pb', 'service', 'clusterip', 'svc', '--tcp=80:8080']);
    const svc = await get('service', 'svc');
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.ports[0].port, 80);
    assert.equal(svc.spec.ports[0].targetPort, 8080);
    assert.deepEqual(svc.spec.selector, { app: 'svc' });
  });

  test('create job and cronjob', async () => {
    await ok(['create', '-n', 'pb', 'job', 'j', '--image=busybox', '--', 'echo', 'hi']);
    const j = await get('job', 'j');
    assert.deepEqual(j.spec.template.spec.containers[0].command, ['echo', 'hi']);
    assert.equal(j.spec.template.spec.restartPolicy, 'Never');
    await ok(['create', '-n', 'pb', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'echo', 'hi']);
    const cj = await get('cronjob', 'cj');
    assert.equal(cj.spec.schedule, '*/5 * * * *');
    assert.deepEqual(cj.spec.jobTemplate.spec.template.spec.containers[0].command, ['echo', 'hi']);
    await ok(['create', '-n', 'pb', 'job', 'manual', '--from=cronjob/cj']);
    const manual = await get('job', 'manual');
    assert.equal(manual.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    const [owner] = manual.metadata.ownerReferences;
    assert.deepEqual({ kind: owner.kind, name: owner.name, controller: owner.controller, uid: owner.uid }, { kind: 'CronJob', name: 'cj', controller: true, uid: cj.metadata.uid });
  });

  test('create quota with quantities', async () => {
    await ok(['create', '-n', 'pb', 'quota', 'q', '--hard=pods=10,requests.cpu=500m']);
    const q = await get('resourcequota', 'q');
    assert.deepEqual(q.spec.hard, { pods: '10', 'requests.cpu': '500m' });
    // A quota on requests.cpu makes quota admission refuse pods without cpu requests, as upstream
    // does; the pod the later test runs here has none.
    await ok(['delete', '-n', 'pb', 'quota', 'q']);
  });

  test('create pdb with an IntOrString', async () => {
    await ok(['create', '-n', 'pb', 'pdb', 'pdb', '--selector=app=d', '--min-available=50%']);
    const pdb = await get('pdb', 'pdb');
    assert.equal(pdb.spec.minAvailable, '50%');
    assert.deepEqual(pdb.spec.selector, { matchLabels: { app: 'd' } });
  });

  test('create ingress', async () => {
    await ok(['create', '-n', 'pb', 'ingress', 'ing', '--rule=example.com/path=svc:80']);
    const ing = await get('ingress', 'ing');
    const [rule] = ing.spec.rules;
    assert.equal(rule.host, 'example.com');
    assert.equal(rule.http.paths[0].path, '/path');
    assert.deepEqual(rule.http.paths[0].backend, { service: { name: 'svc', port: { number: 80 } } });
  });

  test('create serviceaccount', async () => {
    await ok(['create', '-n', 'pb', 'serviceaccount', 'sa']);
    assert.equal((await get('serviceaccount', 'sa')).metadata.name, 'sa');
  });

  test('run a pod', async () => {
    await ok(['run', '-n', 'pb', 'p', '--image=busybox', '--labels=tier=web', '--env=A=1', '--', 'sleep', '60']);
    const p = await get('pod', 'p');
    assert.deepEqual(p.metadata.labels, { tier: 'web' });
    const [c] = p.spec.containers;
    assert.deepEqual(c.env, [{ name: 'A', value: '1' }]);
    assert.deepEqual(c.args, ['sleep', '60']);
  });

  test('expose and autoscale the deployment', async () => {
    await ok(['expose', '-n', 'pb', 'deployment', 'd', '--port=80', '--target-port=8080']);
    const svc = await get('service', 'd');
    assert.equal(svc.spec.ports[0].port, 80);
    assert.equal(svc.spec.ports[0].targetPort, 8080);
    assert.deepEqual(svc.spec.selector, { app: 'd' });
    await ok(['autoscale', '-n', 'pb', 'deployment', 'd', '--max=3', '--cpu-percent=70']);
    const hpa = await get('hpa', 'd');
    assert.equal(hpa.spec.maxReplicas, 3);
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' });
  });

  test('delete a configmap', async () => {
    await ok(['delete', '-n', 'pb', 'configmap', 'cm']);
    const r = await kubectl('1.33', srv, ['get', '-n', 'pb', 'configmap', 'cm']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound|not found/);
  });

  test('kubectl 1.32 sends protobuf too', async () => {
    const { stderr } = await ok(['create', 'namespace', 'pb132', '-v=8'], '1.32');
    assert.match(stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
  });

  test('a protobuf DeleteOptions body is honoured', async () => {
    const cm = Buffer.concat([messageField(1, bytesField(1, 'gone'))]);
    const created = await api.post('/api/v1/namespaces/pb/configmaps', envelope('v1', 'ConfigMap', cm), { contentType: PROTOBUF });
    assert.equal(created.status, 201, created.text);
    const opts = Buffer.concat([varintField(1, 0), bytesField(4, 'Background')]);
    const deleted = await api.request('DELETE', '/api/v1/namespaces/pb/configmaps/gone', { body: envelope('v1', 'DeleteOptions', opts), contentType: PROTOBUF });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal((await api.get('/api/v1/namespaces/pb/configmaps/gone')).status, 404);
  });

  test('an undecodable protobuf body is a 400 Status', async () => {
    const res = await api.post('/api/v1/namespaces/pb/configmaps', envelope('v1', 'ConfigMap', varintField(42, 1)), { contentType: PROTOBUF });
    assert.equal(res.status, 400);
    const status = res.json();
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.message, 'Cannot decode protobuf body: unknown field 42 in k8s.io.api.core.v1.ConfigMap');
    const bad = await api.post('/api/v1/namespaces/pb/configmaps', Buffer.from('not protobuf'), { contentType: PROTOBUF });
    assert.equal(bad.status, 400);
    assert.match(bad.json().message, /missing k8s\\x00 prefix/);
  });
});
