// `kubectl top` on `skiff up`: the node agent's /stats/summary read from cgroups, served by the
// API server as metrics.k8s.io/v1beta1. A pod that burns CPU shows up busy, an idle one does not;
// kubectl 1.33 and 1.27 and client-node's Metrics client read the same metrics.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { parseQuantity } from '../../src/api/validation/quantity.ts';
import { kubectl } from './harness.ts';
import type { KubectlResult, RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const cgroupRoot = `/skiff-e2e-top-${hex}`;
const bridge = `skifft${hex}`;
const nodeName = `top-${hex}`;
let cluster: UpCluster;
let server: RunningServer;

const PODS = `apiVersion: v1
kind: Pod
metadata:
  name: busy
  labels: { app: busy, suite: top }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: burn
    image: busybox
    command: ["sh", "-c", "while :; do :; done"]
---
apiVersion: v1
kind: Pod
metadata:
  name: idle
  labels: { app: idle, suite: top }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]
  - name: side
    image: busybox
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: pending
  labels: { suite: top }
spec:
  nodeSelector: { nowhere: "true" }
  containers:
  - name: main
    image: busybox
`;

/** `kubectl top pods` rows: name → [cpu millicores, memory bytes]. */
function topRows(out: string): Map<string, { cpu: number; memory: number }> {
  const rows = new Map<string, { cpu: number; memory: number }>();
  for (const line of out.trim().split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3) continue;
    const [name, cpu, memory] = cols.length >= 5 ? [cols[0]!, cols[1]!, cols[3]!] : [cols[0]!, cols[1]!, cols[2]!];
    rows.set(name, { cpu: parseQuantity(cpu) * 1000, memory: parseQuantity(memory) });
  }
  return rows;
}

/** Runs `args` until `ok` accepts the output (metrics need a moment after a pod starts). */
async function until(version: string, args: string[], ok: (r: KubectlResult) => boolean, what: string): Promise<KubectlResult> {
  let last: KubectlResult | undefined;
  for (let i = 0; i < 60; i++) {
    last = await kubectl(version, server, args);
    if (last.code === 0 && ok(last)) return last;
    await sleep(1000);
  }
  throw new Error(`${what}: last output ${JSON.stringify(last)}\n${server.logs().slice(-3000)}`);
}

before(async () => {
  cluster = await startUpCluster({ label: 'top', nodeName, cgroupRoot, bridge, subnetBase: 208 });
  server = cluster.server;
  const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: PODS });
  assert.equal(applied.code, 0, applied.stderr);
  const waited = await kubectl('1.33', server, ['wait', '--for=condition=Ready', 'pod/busy', 'pod/idle', '--timeout=90s'], { timeoutMs: 100_000 });
  assert.equal(waited.code, 0, `${waited.stderr}\n${server.logs().slice(-2000)}`);
});

after(async () => {
  await cluster.stop();
});

describe('kubectl top on skiff up', () => {
  test('discovery lists metrics.k8s.io/v1beta1 nodes and pods', async () => {
    const res = await kubectl('1.33', server, ['api-resources', '--api-group=metrics.k8s.io', '--no-headers']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
    assert.match(res.stdout, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
    const raw = await kubectl('1.27', server, ['get', '--raw', '/apis/metrics.k8s.io/v1beta1']);
    const list = JSON.parse(raw.stdout) as { groupVersion: string; resources: Array<{ name: string; verbs: string[] }> };
    assert.equal(list.groupVersion, 'metrics.k8s.io/v1beta1');
    assert.deepEqual(list.resources.map((r) => [r.name, r.verbs]), [['nodes', ['get', 'list']], ['pods', ['get', 'list']]]);
  });

  test('kubectl 1.33 top pods: the busy pod uses CPU, the idle one hardly any', async () => {
    const res = await until('1.33', ['top', 'pods'], (r) => {
      const rows = topRows(r.stdout);
      return (rows.get('busy')?.cpu ?? 0) >= 100 && rows.has('idle');
    }, 'busy pod with CPU in kubectl top pods');
    assert.match(res.stdout, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    const rows = topRows(res.stdout);
    assert.ok(rows.get('busy')!.cpu > rows.get('idle')!.cpu, res.stdout);
    assert.ok(rows.get('idle')!.cpu < 50, res.stdout);
    assert.ok(!rows.has('pending'), 'a pod that does not run has no metrics');
  });

  test('kubectl top pods --containers and -l select containers and pods', async () => {
    const res = await until('1.33', ['top', 'pods', 'idle', '--containers'], (r) => /idle\s+side/.test(r.stdout), 'containers of idle');
    assert.match(res.stdout, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    assert.match(res.stdout, /^idle\s+main\s+\d+m\s+\d+Mi\s*$/m);
    assert.match(res.stdout, /^idle\s+side\s+\d+m\s+\d+Mi\s*$/m);
    const selected = await kubectl('1.33', server, ['top', 'pods', '-l', 'app=busy', '--no-headers']);
    assert.equal(selected.code, 0, selected.stderr);
    assert.deepEqual([...topRows(`H\n${selected.stdout}`).keys()], ['busy']);
  });

  test('kubectl 1.27 top pods reads the same metrics', async () => {
    const res = await until('1.27', ['top', 'pods', '-A'], (r) => (topRows(r.stdout.replace(/^\S+\s+/gm, '')).get('busy')?.cpu ?? 0) >= 100, 'kubectl 1.27 top pods');
    assert.match(res.stdout, /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    assert.match(res.stdout, /^default\s+idle\s+\d+m\s+\d+Mi\s*$/m);
  });

  test('kubectl top nodes shows the node using CPU and memory', async () => {
    for (const version of ['1.33', '1.27']) {
      const res = await until(version, ['top', 'nodes'], (r) => new RegExp(`^${nodeName}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`, 'm').test(r.stdout), `kubectl ${version} top nodes`);
      const line = res.stdout.split('\n').find((l) => l.startsWith(nodeName))!;
      const [, cpu, , memory] = line.trim().split(/\s+/);
      assert.ok(parseQuantity(cpu!) >= 0.1, `node CPU includes the busy pod: ${line}`);
      assert.ok(parseQuantity(memory!) > 0, line);
    }
  });

  test('metrics objects are what metrics-server serves; no metrics is NotFound', async () => {
    const raw = await kubectl('1.33', server, ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy']);
    assert.equal(raw.code, 0, raw.stderr);
    const pm = JSON.parse(raw.stdout) as { kind: string; apiVersion: string; metadata: { name: string; namespace: string; labels: Record<string, string>; creationTimestamp: string }; timestamp: string; window: string; containers: Array<{ name: string; usage: { cpu: string; memory: string } }> };
    assert.equal(pm.kind, 'PodMetrics');
    assert.equal(pm.apiVersion, 'metrics.k8s.io/v1beta1');
    assert.deepEqual([pm.metadata.name, pm.metadata.namespace, pm.metadata.labels.app], ['busy', 'default', 'busy']);
    assert.match(pm.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(pm.window, '10s');
    assert.equal(pm.containers.length, 1);
    assert.equal(pm.containers[0]!.name, 'burn');
    assert.match(pm.containers[0]!.usage.cpu, /^\d+[num]?$/);
    assert.match(pm.containers[0]!.usage.memory, /^\d+(Ki|Mi)?$/);
    assert.ok(parseQuantity(pm.containers[0]!.usage.memory) > 0, raw.stdout);

    const pending = await kubectl('1.33', server, ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending']);
    assert.notEqual(pending.code, 0);
    assert.match(pending.stderr, /pods\.metrics\.k8s\.io "default\/pending" not found/);
    const missing = await kubectl('1.33', server, ['top', 'pod', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /pods "nope" not found/);
    const noNode = await kubectl('1.33', server, ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes/nope']);
    assert.match(noNode.stderr, /nodes "nope" not found/);
    const watch = await kubectl('1.33', server, ['get', '--raw', '/apis/metrics.k8s.io/v1beta1/pods?watch=true']);
    assert.match(watch.stderr, /MethodNotAllowed|not supported|405/);
  });

  test('kubectl get podmetrics and nodemetrics print tables as metrics-server does', async () => {
    const pods = await kubectl('1.33', server, ['get', 'podmetrics']);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^NAME\s+CPU\s+MEMORY\s+WINDOW\s*$/m);
    assert.match(pods.stdout, /^busy\s+\d+[num]?\s+\d+(Ki|Mi)?\s+10s\s*$/m);
    assert.match(pods.stdout, /^idle\s+\d+[num]?\s+\d+(Ki|Mi)?\s+10s\s*$/m);
    const nodes = await kubectl('1.27', server, ['get', 'nodes.metrics.k8s.io']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, new RegExp(`^${nodeName}\\s+\\d+[num]?\\s+\\d+(Ki|Mi|Gi)?\\s+10s\\s*$`, 'm'));
  });

  test('logs and exec still go through the shared kubelet client', async () => {
    const exec = await kubectl('1.33', server, ['exec', 'idle', '-c', 'side', '--', 'echo', 'through-the-kubelet']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout.trim(), 'through-the-kubelet');
    const logs = await kubectl('1.33', server, ['logs', 'idle', '-c', 'main']);
    assert.equal(logs.code, 0, logs.stderr);
  });

  test('client-node 1.4.0 Metrics reads PodMetricsList and NodeMetricsList', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    const metrics = new k8s.Metrics(kc);
    const pods = await metrics.getPodMetrics('default');
    assert.equal(pods.kind, 'PodMetricsList');
    assert.deepEqual(pods.items.map((p) => p.metadata.name).sort(), ['busy', 'idle']);
    const busy = pods.items.find((p) => p.metadata.name === 'busy')!;
    assert.ok(parseQuantity(busy.containers[0]!.usage.cpu) >= 0.1, JSON.stringify(busy));
    const idle = pods.items.find((p) => p.metadata.name === 'idle')!;
    assert.deepEqual(idle.containers.map((c) => c.name).sort(), ['main', 'side']);
    const top = await k8s.topPods(kc.makeApiClient(k8s.CoreV1Api), metrics, 'default');
    const busyTop = top.find((p) => p.Pod.metadata?.name === 'busy');
    assert.ok(busyTop && Number(busyTop.CPU.CurrentUsage) >= 0.1, JSON.stringify(top.map((p) => [p.Pod.metadata?.name, p.CPU])));
    const nodes = await metrics.getNodeMetrics();
    assert.deepEqual(nodes.items.map((n) => n.metadata.name), [nodeName]);
    assert.ok(parseQuantity(nodes.items[0]!.usage.memory) > 0);
  });
});
