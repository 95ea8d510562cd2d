// `skiff up` end to end: one process brings up the control plane, the scheduler and a node agent;
// the unmodified kubectl then runs a pod of real containers on this machine and deletes it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../src/runtime/engine.ts';
import { kubectl, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const cgroupRoot = `/skiff-e2e-up-${hex}`;
const bridge = `skiffu${hex}`;
const nodeName = `up-${hex}`;
let cluster: UpCluster;
let server: RunningServer;
let dataDir: string;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web }
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo started; exec sleep 3600"]
`;

before(async () => {
  cluster = await startUpCluster({ label: 'up', nodeName, cgroupRoot, bridge, subnetBase: 224 });
  server = cluster.server;
  dataDir = cluster.dataDir;
});

after(async () => {
  await cluster.stop();
});

describe('skiff up', () => {
  test('prints its progress and the kubectl line; the node is Ready', async () => {
    assert.match(server.logs(), /✓ certificates, store and API server/);
    assert.match(server.logs(), new RegExp(`node ${nodeName} is Ready`));
    assert.match(server.logs(), /export KUBECONFIG=\S+kubeconfig\.yaml/);
    const nodes = await kubectl('1.33', server, ['get', 'nodes']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, new RegExp(`${nodeName}\\s+Ready`));
  });

  test('the Node shows the --pod-subnet its pods get addresses from as spec.podCIDR and podCIDRs', async () => {
    const r = await kubectl('1.33', server, ['get', 'node', nodeName, '-o', 'jsonpath={.spec.podCIDR} {.spec.podCIDRs}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${cluster.subnet} ["${cluster.subnet}"]`);
  });

  test('--service-cidr and --cluster-dns: kubernetes has the first address, kube-system/kube-dns the tenth, and pods resolve through it', async () => {
    const r = await kubectl('1.33', server, ['get', 'svc', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}={.spec.clusterIP} {end}']);
    assert.equal(r.code, 0, r.stderr);
    const base = cluster.serviceCIDR.replace(/0\/24$/, '');
    assert.match(r.stdout, new RegExp(`default/kubernetes=${base}1 `));
    assert.match(r.stdout, new RegExp(`kube-system/kube-dns=${cluster.clusterDNS} `));
    assert.ok(cluster.clusterDNS.startsWith(base));
    const dns = await kubectl('1.33', server, ['get', 'svc', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.internalTrafficPolicy} {.spec.ports[*].name}']);
    assert.equal(dns.stdout, 'Local dns dns-tcp');
    // The bridge carries the pods' gateway address before any pod exists.
    const link = await import('node:fs').then((fs) => fs.existsSync(`/sys/class/net/${bridge}`));
    assert.ok(link, `bridge ${bridge} exists`);
  });

  test('kubectl apply -f pod.yaml gives a running pod of real containers; delete removes it', async () => {
    const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: POD });
    assert.equal(applied.code, 0, applied.stderr);
    const waited = await kubectl('1.33', server, ['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(waited.code, 0, `${waited.stderr}\n${server.logs().slice(-2000)}`);
    const resolv = await kubectl('1.33', server, ['exec', 'web', '--', 'cat', '/etc/resolv.conf']);
    assert.equal(resolv.stdout, `search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${cluster.clusterDNS}\noptions ndots:5\n`);
    const wide = await kubectl('1.33', server, ['get', 'pod', 'web', '-o', 'wide']);
    assert.match(wide.stdout, new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${cluster.subnet.replace(/0\/24$/, '').replaceAll('.', '\\.')}\\d+\\s+${nodeName}`));
    const events = await kubectl('1.33', server, ['get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'jsonpath={.items[*].reason}']);
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started']) assert.ok(events.stdout.split(' ').includes(reason), `${reason} in ${events.stdout}`);
    const deleted = await kubectl('1.33', server, ['delete', 'pod', 'web', '--wait=true'], { timeoutMs: 60_000 });
    assert.equal(deleted.code, 0, deleted.stderr);
    const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
    await waitUntil(async () => (await engine.sandboxes.list()).length === 0, 20_000, 'the pod sandbox is removed');
  });
});
