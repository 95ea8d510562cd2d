// RBAC end to end on one `skiff up` cluster, with real kubectl 1.33 and 1.27: a user `jane`
// (a client certificate from the cluster CA) with a Role that may only read pods in one namespace;
// upstream's Forbidden messages; a ClusterRole aggregated into `view`; escalation refused; a pod's
// service account token refused everything but what a RoleBinding grants it; anonymous requests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { issueClientCert } from '../../src/apiserver/auth/pki.ts';
import { kubectl, waitUntil, type KubectlResult } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const VERSIONS = ['1.33', '1.27'] as const;
let cluster: UpCluster;
let admin: { kubeconfig: string; dataDir: string };
let jane: { kubeconfig: string; dataDir: string };
let caPem: string;

const run = (who: { kubeconfig: string; dataDir: string }, args: string[], version = '1.33', input?: string): Promise<KubectlResult> =>
  kubectl(version, who, args, input === undefined ? {} : { input });

async function ok(args: string[], input?: string): Promise<string> {
  const r = await run(admin, args, '1.33', input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `kubectl auth can-i` as a user: 'yes' or 'no' (exit 0 or 1). */
async function canI(who: { kubeconfig: string; dataDir: string }, args: string[], version = '1.33'): Promise<string> {
  const r = await run(who, ['auth', 'can-i', ...args], version);
  const answer = r.stdout.trim();
  assert.equal(r.code, answer === 'yes' ? 0 : 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return answer;
}

/** A kubeconfig like the admin's, with a client certificate for another user. */
async function userKubeconfig(name: string, groups: string[]): Promise<string> {
  const pki = join(cluster.dataDir, 'pki');
  const cert = await issueClientCert({ caCertPem: await readFile(join(pki, 'ca.crt'), 'utf8'), caKeyPem: await readFile(join(pki, 'ca.key'), 'utf8') }, name, groups);
  const kc = parse(await readFile(admin.kubeconfig, 'utf8'));
  kc.users[0].user = { 'client-certificate-data': Buffer.from(cert.certPem).toString('base64'), 'client-key-data': Buffer.from(cert.keyPem).toString('base64') };
  const file = join(cluster.dataDir, `kubeconfig-${name}.yaml`);
  await writeFile(file, stringify(kc), { mode: 0o600 });
  return file;
}

function call(path: string, token?: string): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cluster.server.url), {
      ca: caPem, agent: false, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => {
        let body: unknown = text;
        try { body = JSON.parse(text); } catch { /* health answers are text */ }
        resolve({ code: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  cluster = await startUpCluster({ label: 'rbac', nodeName: `rbac-${hex}`, cgroupRoot: `/skiff-e2e-rbac-${hex}`, bridge: 'sk11rb0', subnetBase: 0 });
  admin = cluster.server;
  caPem = await readFile(join(cluster.dataDir, 'pki', 'ca.crt'), 'utf8');
  jane = { kubeconfig: await userKubeconfig('jane', ['devs']), dataDir: join(cluster.dataDir, 'jane') };
  await ok(['create', 'namespace', 'prod']);
  await ok(['create', 'namespace', 'other']);
  await ok(['create', 'namespace', 'team']);
  await ok(['create', 'role', 'pod-reader', '-n', 'prod', '--verb=get,list,watch', '--resource=pods']);
  await ok(['create', 'rolebinding', 'jane-reads-pods', '-n', 'prod', '--role=pod-reader', '--user=jane']);
  await ok(['apply', '-f', '-'], `apiVersion: v1
kind: ConfigMap
metadata: { name: web, namespace: prod }
data: { a: b }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: prod }
spec:
  terminationGracePeriodSeconds: 1
  containers: [{ name: main, image: busybox, command: ["sleep", "3600"] }]
`);
});

after(async () => {
  if (!cluster) return;
  // Pods go first, so their volumes are unmounted before the cluster stops.
  await kubectl('1.33', admin, ['delete', 'pods', '--all', '-n', 'prod', '--wait=true'], { timeoutMs: 60_000 }).catch(() => undefined);
  const engine = await cluster.engine();
  await waitUntil(async () => (await engine.sandboxes.list()).length === 0, 30_000, 'the pod sandboxes are removed').catch(() => undefined);
  await cluster.stop();
});

describe('RBAC', () => {
  test('the default roles and bindings exist, and kubectl shows bindings as upstream', async () => {
    const roles = await ok(['get', 'clusterroles', 'cluster-admin', 'admin', 'edit', 'view', 'system:node', 'system:kube-scheduler', 'system:controller:replicaset-controller', '-o', 'name']);
    assert.equal(roles.trim().split('\n').length, 7);
    const wide = await ok(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'wide']);
    assert.match(wide, /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\n/);
    assert.match(wide, /cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters/);
    const rb = await ok(['get', 'rolebinding', 'jane-reads-pods', '-n', 'prod', '-o', 'wide']);
    assert.match(rb, /jane-reads-pods\s+Role\/pod-reader\s+\S+\s+jane/);
  });

  for (const v of VERSIONS) {
    test(`jane reads pods in prod and nothing else, refused with upstream's messages (kubectl ${v})`, async () => {
      const got = await run(jane, ['get', 'pod', 'web', '-n', 'prod', '-o', 'name'], v);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout.trim(), 'pod/web');
      assert.equal((await run(jane, ['get', 'pods', '-n', 'prod', '-o', 'name'], v)).code, 0);
      const del = await run(jane, ['delete', 'pod', 'web', '-n', 'prod'], v);
      assert.notEqual(del.code, 0);
      assert.equal(del.stderr.trim(), 'Error from server (Forbidden): pods "web" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "prod"');
      const other = await run(jane, ['get', 'pods', '-n', 'other'], v);
      assert.notEqual(other.code, 0);
      assert.equal(other.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "other"');
      const cm = await run(jane, ['get', 'configmap', 'web', '-n', 'prod'], v);
      assert.equal(cm.stderr.trim(), 'Error from server (Forbidden): configmaps "web" is forbidden: User "jane" cannot get resource "configmaps" in API group "" in the namespace "prod"');
      const nodes = await run(jane, ['get', 'nodes'], v);
      assert.equal(nodes.stderr.trim(), 'Error from server (Forbidden): nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
      const logs = await run(jane, ['logs', 'web', '-n', 'prod'], v);
      assert.match(logs.stderr, /pods "web" is forbidden: User "jane" cannot get resource "pods\/log" in API group "" in the namespace "prod"/);
      // kubectl auth can-i agrees in every case.
      assert.equal(await canI(jane, ['get', 'pods', '-n', 'prod'], v), 'yes');
      assert.equal(await canI(jane, ['list', 'pods', '-n', 'prod'], v), 'yes');
      assert.equal(await canI(jane, ['get', 'pods/web', '-n', 'prod'], v), 'yes');
      assert.equal(await canI(jane, ['delete', 'pods', '-n', 'prod'], v), 'no');
      assert.equal(await canI(jane, ['list', 'pods', '-n', 'other'], v), 'no');
      assert.equal(await canI(jane, ['get', 'configmaps', '-n', 'prod'], v), 'no');
      assert.equal(await canI(jane, ['list', 'nodes'], v), 'no');
      assert.equal(await canI(jane, ['get', 'pods', '--subresource=log', '-n', 'prod'], v), 'no');
      assert.equal(await canI(admin, ['delete', 'pods', '-n', 'prod', '--as=jane'], v), 'no');
      assert.equal(await canI(admin, ['get', 'pods', '-n', 'prod', '--as=jane'], v), 'yes');
    });
  }

  test('a ClusterRole labelled aggregate-to-view extends view, and so whoever is bound to it', async () => {
    await ok(['create', 'rolebinding', 'jane-views-team', '-n', 'team', '--clusterrole=view', '--user=jane']);
    assert.equal((await run(jane, ['get', 'configmaps', '-n', 'team'])).code, 0);
    const before = await run(jane, ['get', 'leases', '-n', 'team']);
    assert.match(before.stderr, /leases.coordination.k8s.io is forbidden: User "jane" cannot list resource "leases" in API group "coordination.k8s.io" in the namespace "team"/);
    assert.equal(await canI(jane, ['list', 'leases.coordination.k8s.io', '-n', 'team']), 'no');
    await ok(['apply', '-f', '-'], `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: lease-reader
  labels: { rbac.authorization.k8s.io/aggregate-to-view: "true" }
rules:
- { apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, list, watch] }
`);
    await waitUntil(async () => (await run(jane, ['get', 'leases', '-n', 'team'])).code === 0, 15_000, 'view to take in lease-reader');
    assert.equal(await canI(jane, ['list', 'leases.coordination.k8s.io', '-n', 'team']), 'yes');
    assert.equal(await canI(jane, ['list', 'leases.coordination.k8s.io', '-n', 'team'], '1.27'), 'yes');
    const view = JSON.parse(await ok(['get', 'clusterrole', 'view', '-o', 'json']));
    assert.ok(view.rules.some((r: { resources?: string[] }) => r.resources?.includes('leases')));
    // edit and admin aggregate view, so they grow too.
    const edit = JSON.parse(await ok(['get', 'clusterrole', 'edit', '-o', 'json']));
    assert.ok(edit.rules.some((r: { resources?: string[] }) => r.resources?.includes('leases')));
  });

  test('escalation: jane may not grant what she does not hold', async () => {
    // Not `*`: that would include `escalate` and `bind`.
    await ok(['create', 'role', 'rbac-editor', '-n', 'prod', '--verb=get,list,create,update,patch,delete', '--resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io']);
    await ok(['create', 'rolebinding', 'jane-edits-rbac', '-n', 'prod', '--role=rbac-editor', '--user=jane']);
    assert.equal(await canI(jane, ['create', 'roles', '-n', 'prod']), 'yes');
    assert.equal(await canI(jane, ['escalate', 'roles', '-n', 'prod']), 'no');
    // What she holds she may hand on.
    const held = await run(jane, ['create', 'role', 'reader-too', '-n', 'prod', '--verb=get,list', '--resource=pods']);
    assert.equal(held.code, 0, held.stderr);
    const more = await run(jane, ['create', 'role', 'deleter', '-n', 'prod', '--verb=get,delete', '--resource=pods,secrets']);
    assert.notEqual(more.code, 0);
    assert.equal(more.stderr.trim(), 'Error from server (Forbidden): roles.rbac.authorization.k8s.io "deleter" is forbidden: user "jane" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
      + '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}');
    const bind = await run(jane, ['create', 'rolebinding', 'jane-admin', '-n', 'prod', '--clusterrole=admin', '--user=jane']);
    assert.notEqual(bind.code, 0);
    assert.match(bind.stderr, /rolebindings.rbac.authorization.k8s.io "jane-admin" is forbidden: user "jane" \(groups=\["devs" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
    const bindHeld = await run(jane, ['create', 'rolebinding', 'friend-reads', '-n', 'prod', '--role=pod-reader', '--user=friend']);
    assert.equal(bindHeld.code, 0, bindHeld.stderr);
    // With `bind` on the ClusterRole she may bind it, though she does not hold its rules.
    await ok(['create', 'role', 'admin-binder', '-n', 'prod', '--verb=bind', '--resource=clusterroles.rbac.authorization.k8s.io', '--resource-name=admin']);
    await ok(['create', 'rolebinding', 'jane-binds-admin', '-n', 'prod', '--role=admin-binder', '--user=jane']);
    await waitUntil(async () => (await run(jane, ['create', 'rolebinding', 'friend-admin', '-n', 'prod', '--clusterrole=admin', '--user=friend'])).code === 0, 10_000, 'bind to allow the binding');
    // roleRef never changes.
    const changed = await run(admin, ['patch', 'rolebinding', 'friend-reads', '-n', 'prod', '--type=merge', '-p', '{"roleRef":{"name":"reader-too"}}']);
    assert.match(changed.stderr, /The RoleBinding "friend-reads" is invalid: roleRef: Invalid value: .*: cannot change roleRef/);
  });

  test('a pod\'s service account token is refused everything but what a RoleBinding grants it', async () => {
    await ok(['create', 'serviceaccount', 'bot', '-n', 'prod']);
    await ok(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: bot, namespace: prod }
spec:
  serviceAccountName: bot
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts: [{ name: token, mountPath: /var/run/secrets/tokens }]
  volumes:
  - name: token
    projected:
      sources: [{ serviceAccountToken: { path: token } }]
`);
    const waited = await kubectl('1.33', admin, ['wait', '-n', 'prod', '--for=condition=Ready', 'pod/bot', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(waited.code, 0, `${waited.stderr}\n${cluster.server.logs().slice(-3000)}`);
    const read = await run(admin, ['exec', '-n', 'prod', 'bot', '--', 'cat', '/var/run/secrets/tokens/token']);
    assert.equal(read.code, 0, read.stderr);
    const token = read.stdout.trim();
    const denied = await call('/api/v1/namespaces/prod/pods', token);
    assert.equal(denied.code, 403);
    assert.equal(denied.body.message, 'pods is forbidden: User "system:serviceaccount:prod:bot" cannot list resource "pods" in API group "" in the namespace "prod"');
    assert.deepEqual(denied.body.details, { kind: 'pods' });
    for (const path of ['/api/v1/namespaces/prod/secrets', '/api/v1/nodes', '/api/v1/namespaces/default/pods', '/apis/apps/v1/deployments']) {
      assert.equal((await call(path, token)).code, 403, path);
    }
    await ok(['create', 'rolebinding', 'bot-reads-pods', '-n', 'prod', '--role=pod-reader', '--serviceaccount=prod:bot']);
    await waitUntil(async () => (await call('/api/v1/namespaces/prod/pods', token)).code === 200, 10_000, 'the binding to take effect');
    assert.equal((await call('/api/v1/namespaces/prod/pods/web', token)).code, 200);
    for (const v of VERSIONS) {
      assert.equal(await canI(admin, ['list', 'pods', '-n', 'prod', '--as=system:serviceaccount:prod:bot'], v), 'yes');
      assert.equal(await canI(admin, ['list', 'secrets', '-n', 'prod', '--as=system:serviceaccount:prod:bot'], v), 'no');
      assert.equal(await canI(admin, ['list', 'pods', '-n', 'other', '--as=system:serviceaccount:prod:bot'], v), 'no');
    }
    assert.equal((await call('/api/v1/namespaces/prod/secrets', token)).code, 403);
    assert.equal((await call('/api/v1/namespaces/other/pods', token)).code, 403);
    // Discovery and its own identity review are everyone's.
    assert.equal((await call('/apis', token)).code, 200);
  });

  test('anonymous requests: health and version through system:public-info-viewer, 401 elsewhere', async () => {
    for (const path of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await call(path)).code, 200, path);
    // Past the 401 gate but not granted: system:public-info-viewer names the paths themselves only.
    const check = await call('/readyz/ping');
    assert.equal(check.code, 403);
    assert.equal(check.body.message, 'forbidden: User "system:anonymous" cannot get path "/readyz/ping"');
    assert.equal((await call('/api/v1/namespaces/kube-public/configmaps/cluster-info')).code, 200);
    for (const path of ['/api', '/apis', '/api/v1/namespaces/default/pods', '/metrics', '/openapi/v2']) {
      const r = await call(path);
      assert.equal(r.code, 401, path);
      assert.equal(r.body.reason, 'Unauthorized');
    }
  });
});
