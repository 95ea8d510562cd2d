// A node agent's credentials under the Node authorizer and NodeRestriction, on a real `skiff up`
// cluster: the node reads the secret of its own pod but not that of a pod bound to another node,
// changes its own Node (labels a kubelet may set, status) but not another Node nor restricted
// labels. The second node is a Node object with a pod bound to it; the node's credentials are a
// client certificate for system:node:NAME signed by the cluster's CA, as a joined agent holds.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { issueClientCert } from '../../src/apiserver/auth/pki.ts';
import { writeKubeconfig } from '../../src/apiserver/auth/kubeconfig.ts';
import { kubectl, waitUntil } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const NODE = `nodeauthz-${hex}`;
const OTHER = `nodeauthz-other-${hex}`;
const NS = `nodeauthz-${hex}`;
let cluster: UpCluster;
/** kubectl's view of the server with the node's credentials. */
let asNode: { kubeconfig: string; dataDir: string };

async function admin(args: string[], input?: string): Promise<string> {
  const r = await kubectl('1.33', cluster.server, args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return await kubectl('1.33', asNode, args);
}

const pod = (name: string, nodeName: string, secret: string): object => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
  spec: {
    nodeName, restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
    containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 's', mountPath: '/s' }] }],
    volumes: [{ name: 's', secret: { secretName: secret } }],
  },
});

before(async () => {
  cluster = await startUpCluster({ label: 'nodeauthz', nodeName: NODE, cgroupRoot: `/skiff-e2e-nodeauthz-${hex}`, bridge: `sk11na${hex}`, subnetBase: 16 });
  const pki = join(cluster.dataDir, 'pki');
  const ca = { caCertPem: await readFile(join(pki, 'ca.crt'), 'utf8'), caKeyPem: await readFile(join(pki, 'ca.key'), 'utf8') };
  const cert = await issueClientCert(ca, `system:node:${NODE}`, ['system:nodes']);
  const kubeconfig = join(cluster.dataDir, 'node.kubeconfig');
  await writeKubeconfig(kubeconfig, { server: cluster.server.url, caCertPem: ca.caCertPem, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem, clusterName: 'skiff', userName: `system:node:${NODE}`, contextName: 'skiff' });
  asNode = { kubeconfig, dataDir: join(cluster.dataDir, 'as-node') };
  await admin(['create', 'namespace', NS]);
  await admin(['create', 'secret', 'generic', 'mine', '-n', NS, '--from-literal=k=v']);
  await admin(['create', 'secret', 'generic', 'theirs', '-n', NS, '--from-literal=k=v']);
  await admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: OTHER, labels: { 'kubernetes.io/hostname': OTHER } } }));
  await admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('mine', NODE, 'mine'), pod('theirs', OTHER, 'theirs')] }));
});

after(async () => {
  // The node agent unmounts the pod's secret volume only when the pod goes.
  if (cluster) await admin(['delete', 'namespace', NS, '--wait=true', '--timeout=60s']).catch(() => undefined);
  await cluster?.stop();
});

/** kubectl's raw PUT with the node's credentials (kubectl patch and label read the object first, which the authorizer refuses first). */
async function nodePut(path: string, body: object): Promise<{ code: number; stdout: string; stderr: string }> {
  return await kubectl('1.33', asNode, ['replace', '--raw', path, '-f', '-'], { input: JSON.stringify(body) });
}

test('the node agent, as system:node:NAME, runs its pod with its secret mounted', async () => {
  await waitUntil(async () => (await admin(['get', 'pod', 'mine', '-n', NS, '-o', 'jsonpath={.status.phase}'])) === 'Running', 60_000, 'pod mine Running');
});

test('a node reads the secret of its own pod, not that of a pod on another node', async () => {
  const own = await node(['get', 'secret', 'mine', '-n', NS, '-o', 'jsonpath={.data.k}']);
  assert.equal(own.code, 0, own.stderr);
  assert.equal(own.stdout, Buffer.from('v').toString('base64'));
  const theirs = await node(['get', 'secret', 'theirs', '-n', NS]);
  assert.notEqual(theirs.code, 0);
  assert.match(theirs.stderr, new RegExp(`secrets "theirs" is forbidden: User "system:node:${NODE}" cannot get resource "secrets" in API group "" in the namespace "${NS}": no relationship found between node '${NODE}' and this object`));
  const list = await node(['get', 'secrets', '-n', NS]);
  assert.notEqual(list.code, 0);
  assert.match(list.stderr, /secrets is forbidden: .* cannot list resource "secrets"/);
});

test('a node reads and changes its own Node, not another', async () => {
  assert.equal((await node(['get', 'node', NODE, '-o', 'name'])).stdout.trim(), `node/${NODE}`);
  const read = await node(['get', 'node', OTHER]);
  assert.match(read.stderr, new RegExp(`node '${NODE}' cannot read '${OTHER}', only its own Node object`));
  const other = JSON.parse(await admin(['get', 'node', OTHER, '-o', 'json'])) as { metadata: { labels?: Record<string, string> } };
  other.metadata.labels = { ...other.metadata.labels, team: 'a' };
  const label = await nodePut(`/api/v1/nodes/${OTHER}`, other);
  assert.notEqual(label.code, 0);
  assert.match(label.stderr, new RegExp(`nodes "${OTHER}" is forbidden: node "${NODE}" is not allowed to modify node "${OTHER}"`));
  const otherStatus = await nodePut(`/api/v1/nodes/${OTHER}/status`, other);
  assert.match(otherStatus.stderr, new RegExp(`node "${NODE}" is not allowed to modify node "${OTHER}"`));

  // Its own status, written as the kubelet writes it (kubectl patch --subresource=status would read
  // nodes/status first, which upstream's Node authorizer does not grant either).
  const own = JSON.parse((await node(['get', 'node', NODE, '-o', 'json'])).stdout) as { status: { capacity?: Record<string, string> } };
  own.status.capacity = { ...own.status.capacity, 'example.com/widget': '1' };
  const ownStatus = await nodePut(`/api/v1/nodes/${NODE}/status`, own);
  assert.equal(ownStatus.code, 0, ownStatus.stderr);
  const ownLabel = await node(['label', 'node', NODE, 'team=a']);
  assert.equal(ownLabel.code, 0, ownLabel.stderr);
  const restricted = await node(['label', 'node', NODE, 'node-restriction.kubernetes.io/pool=gpu']);
  assert.notEqual(restricted.code, 0);
  assert.match(restricted.stderr, /is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io\/pool/);
});

test('a node creates only mirror pods and updates the status only of its own pods', async () => {
  const run = await node(['run', 'sneaky', '-n', NS, '--image=busybox', '--overrides', JSON.stringify({ spec: { nodeName: NODE } })]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, new RegExp(`pod does not have "kubernetes.io/config.mirror" annotation, node "${NODE}" can only create mirror pods`));
  const theirs = JSON.parse(await admin(['get', 'pod', 'theirs', '-n', NS, '-o', 'json'])) as object;
  const status = await nodePut(`/api/v1/namespaces/${NS}/pods/theirs/status`, theirs);
  assert.match(status.stderr, new RegExp(`node "${NODE}" can only update pod status for pods with spec.nodeName set to itself`));
  const del = await kubectl('1.33', asNode, ['delete', '--raw', `/api/v1/namespaces/${NS}/pods/theirs`]);
  assert.match(del.stderr, new RegExp(`node "${NODE}" can only delete pods with spec.nodeName set to itself`));
  const watchAll = await node(['get', 'pods', '-A']);
  assert.match(watchAll.stderr, /can only list\/watch pods with spec.nodeName field selector/);
  const own = await node(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${NODE}`, '-o', 'name']);
  assert.equal(own.code, 0, own.stderr);
  assert.match(own.stdout, /pod\/mine/);
});
