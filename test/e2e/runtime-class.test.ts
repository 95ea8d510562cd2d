// RuntimeClass under `skiff up`: the node offers the runc, crun and gvisor handlers (gVisor is
// Debian's runsc with the ptrace platform) and publishes them in status.runtimeHandlers; `skiff
// up` creates a RuntimeClass per handler. A pod under gvisor sees gVisor's kernel (its dmesg
// boot lines, a uname -r that is not the host's) while its neighbour under runc sees the host's;
// the two talk over the pod network. A missing RuntimeClass is refused at admission, a handler
// the node lacks leaves the pod Pending with the CRI runtime's words in a FailedCreatePodSandBox
// event, and a class's overhead lands on the pod. Informers (watches) drive every wait.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/api/meta.ts';
import type { Node, Pod } from '../../src/api/types/core-v1.ts';
import type { RuntimeClass } from '../../src/api/types/node-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { readCgroupStats } from '../../src/runtime/cgroups.ts';
import { availableRuntimeHandlers } from '../../src/runtime/runtime-handlers.ts';
import { kubectl } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `rt-${hex}`;
const NS = 'sandboxed';
const handlers = availableRuntimeHandlers().map((h) => h.name);
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let nodes: Informer<Node>;
let classes: Informer<RuntimeClass>;
let events: Informer<KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };

async function run(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return kubectl('1.33', server, args, input === undefined ? {} : { input });
}

async function k(args: string[], input?: string): Promise<string> {
  const r = await run(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}\n${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

async function until(cond: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${server.logs().slice(-3000)}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 1000); });
  }
}

const pod = (name: string): Pod | undefined => pods.get(`${NS}/${name}`);
const isReady = (p: Pod | undefined): boolean => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function podManifest(name: string, runtimeClassName: string | undefined, script: string, limits?: string): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${NS} }
spec:
${runtimeClassName ? `  runtimeClassName: ${runtimeClassName}\n` : ''}  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
${limits ? `    resources: { limits: ${limits} }\n` : ''}`;
}

before(async () => {
  cluster = await startUpCluster({ label: 'runtimeclass', nodeName, cgroupRoot: `/skiff-e2e-runtimeclass-${hex}`, bridge: 'sk11rt0', subnetBase: 112 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-runtime-class');
  pods = cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true }, { namespace: NS });
  nodes = cs.informer<Node>({ group: '', version: 'v1', resource: 'nodes', namespaced: false });
  classes = cs.informer<RuntimeClass>({ group: 'node.k8s.io', version: 'v1', resource: 'runtimeclasses', namespaced: false });
  events = cs.informer({ group: '', version: 'v1', resource: 'events', namespaced: true }, { namespace: NS });
  for (const i of [pods, nodes, classes, events] as Array<Informer<KubeObject>>) i.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await k(['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await cluster?.stop();
});

describe('RuntimeClass (runc, crun and gVisor handlers)', { skip: handlers.includes('gvisor') ? false : 'runsc (gVisor) is not installed' }, () => {
  test('the node publishes its handlers in status.runtimeHandlers and skiff up creates their RuntimeClasses', async () => {
    await until(() => (nodes.get(nodeName)?.status?.runtimeHandlers?.length ?? 0) > 0, 'status.runtimeHandlers');
    assert.deepEqual(nodes.get(nodeName)?.status?.runtimeHandlers?.map((h) => h.name), handlers);
    await until(() => handlers.every((h) => classes.get(h) !== undefined), 'the RuntimeClasses');
    for (const h of handlers) assert.equal(classes.get(h)?.handler, h);
    assert.deepEqual(classes.get('gvisor')?.overhead?.podFixed, { cpu: '10m', memory: '32Mi' });
    const out = await k(['get', 'runtimeclass']);
    assert.match(out, /^gvisor\s+gvisor\s/m, out);
    assert.match(out, /^runc\s+runc\s/m, out);
  });

  test('a pod under gvisor sees gVisor\'s kernel, its neighbour under runc the host\'s; they talk over the pod network; the overhead is on the pod', async () => {
    // With limits, so the pod cgroup (limits plus the class's overhead) holds the gVisor sandboxes too.
    await k(['apply', '-f', '-'], podManifest('sandboxed', 'gvisor', 'echo booted; (while true; do echo hello-from-gvisor | nc -l -p 8080; done) & exec sleep 3600', '{ cpu: 500m, memory: 64Mi }')
      + '---\n' + podManifest('neighbour', 'runc', 'exec sleep 3600'));
    await until(() => isReady(pod('sandboxed')) && isReady(pod('neighbour')), 'both pods Ready');
    const host = release();
    const gvUname = (await k(['exec', '-n', NS, 'sandboxed', '--', 'uname', '-r'])).trim();
    const rcUname = (await k(['exec', '-n', NS, 'neighbour', '--', 'uname', '-r'])).trim();
    assert.equal(rcUname, host, 'runc shares the host kernel');
    assert.notEqual(gvUname, host, 'gVisor has a kernel of its own');
    assert.match(await k(['exec', '-n', NS, 'sandboxed', '--', 'dmesg']), /Starting gVisor/);
    const rcDmesg = await run(['exec', '-n', NS, 'neighbour', '--', 'dmesg']);
    assert.doesNotMatch(rcDmesg.stdout, /Starting gVisor/);
    // Logs come through conmon as for any container.
    assert.match(await k(['logs', '-n', NS, 'sandboxed']), /^booted$/m);
    // The sandbox's sockets are the host kernel's in the pod's network namespace (--network=host).
    const ip = pod('sandboxed')?.status?.podIP;
    assert.ok(ip?.startsWith(cluster.subnet.split('.').slice(0, 3).join('.')), `pod IP ${ip} in ${cluster.subnet}`);
    assert.match(await k(['exec', '-n', NS, 'neighbour', '--', 'nc', '-w', '5', ip!, '8080']), /hello-from-gvisor/);
    // RuntimeClass admission copied the class's overhead.
    assert.deepEqual(pod('sandboxed')?.spec?.overhead, { cpu: '10m', memory: '32Mi' });
    assert.equal(pod('neighbour')?.spec?.overhead, undefined);
    // The pod cgroup's memory limit is the container's limit plus the overhead (64Mi + 32Mi).
    const sb = (await (await cluster.engine()).sandboxes.list()).find((x) => x.id === pod('sandboxed')?.metadata.uid);
    assert.equal(sb?.runtime, 'gvisor');
    assert.equal((await readCgroupStats(sb.cgroupParent)).memoryLimitBytes, 96 * 2 ** 20);
  });

  test('deleting the gVisor pod ends its sandboxes and leaves no runsc state', async () => {
    const uid = pod('sandboxed')?.metadata.uid;
    await k(['delete', 'pod', '-n', NS, 'sandboxed', '--wait=false']);
    await until(() => pod('sandboxed') === undefined, 'the pod gone');
    const engine = await cluster.engine();
    assert.deepEqual((await engine.sandboxes.list()).filter((sb) => sb.id === uid), []);
    // runsc keeps its state per container under its --root (the engine's runtime/gvisor).
    assert.deepEqual(await readdir(join(cluster.dataDir, 'node', 'engine', 'runtime', 'gvisor')), []);
    assert.deepEqual((await engine.containers.list()).filter((c) => c.labels['skiff.sandbox'] === uid), []);
  });

  test('Can schedule a pod requesting existing RuntimeClass.: a pod under crun runs', { skip: handlers.includes('crun') ? false : 'crun not installed' }, async () => {
    await k(['apply', '-f', '-'], podManifest('under-crun', 'crun', 'exec sleep 3600'));
    await until(() => isReady(pod('under-crun')), 'the crun pod Ready');
    assert.equal((await k(['exec', '-n', NS, 'under-crun', '--', 'uname', '-r'])).trim(), release());
  });

  test('RuntimeClass API: create, get, list, watch (the informer), update, patch, delete, deletecollection', async () => {
    const rc = (name: string): string => `apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: { name: ${name}, labels: { e2e: api } }\nhandler: runc\n`;
    await k(['create', '-f', '-'], rc('api-a') + '---\n' + rc('api-b'));
    await until(() => classes.get('api-a') !== undefined && classes.get('api-b') !== undefined, 'both classes watched');
    assert.equal(JSON.parse(await k(['get', 'runtimeclass', 'api-a', '-o', 'json'])).handler, 'runc');
    assert.deepEqual((JSON.parse(await k(['get', 'runtimeclass', '-l', 'e2e=api', '-o', 'json'])) as { items: KubeObject[] }).items.map((i) => i.metadata.name), ['api-a', 'api-b']);
    await k(['patch', 'runtimeclass', 'api-a', '--type=merge', '-p', '{"metadata":{"annotations":{"patched":"yes"}}}']);
    await k(['label', 'runtimeclass', 'api-b', 'updated=yes']);
    await until(() => classes.get('api-a')?.metadata.annotations?.['patched'] === 'yes' && classes.get('api-b')?.metadata.labels?.['updated'] === 'yes', 'the changes watched');
    // The handler is immutable.
    const r = await run(['patch', 'runtimeclass', 'api-a', '--type=merge', '-p', '{"handler":"crun"}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /field is immutable/, r.stderr);
    await k(['delete', 'runtimeclass', 'api-a']);
    // DELETE on the collection (deletecollection), as client-go's DeleteCollection sends it.
    await cs.rest.request('DELETE', '/apis/node.k8s.io/v1/runtimeclasses?labelSelector=e2e%3Dapi');
    await until(() => classes.get('api-a') === undefined && classes.get('api-b') === undefined, 'both classes gone');
  });

  test('Pod with the non-existing RuntimeClass is rejected.', async () => {
    const r = await run(['apply', '-f', '-'], podManifest('missing-class', 'no-such-class', 'sleep 1'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "missing-class" is forbidden: pod rejected: RuntimeClass "no-such-class" not found/, r.stderr);
  });

  test('Pod with the deleted RuntimeClass is rejected.', async () => {
    await k(['apply', '-f', '-'], 'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: { name: short-lived }\nhandler: runc\n');
    await k(['delete', 'runtimeclass', 'short-lived']);
    await until(() => classes.get('short-lived') === undefined, 'the class gone');
    const r = await run(['apply', '-f', '-'], podManifest('deleted-class', 'short-lived', 'sleep 1'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pod rejected: RuntimeClass "short-lived" not found/, r.stderr);
  });

  test('RuntimeClass Overhead field must be respected.', async () => {
    await k(['apply', '-f', '-'], `apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: { name: with-overhead }
handler: runc
overhead: { podFixed: { cpu: 10m, memory: 1Mi } }
`);
    await k(['apply', '-f', '-'], podManifest('overhead', 'with-overhead', 'exec sleep 3600'));
    await until(() => pod('overhead')?.spec?.nodeName === nodeName, 'the pod scheduled');
    assert.deepEqual(pod('overhead')?.spec?.overhead, { cpu: '10m', memory: '1Mi' });
  });

  test('a RuntimeClass whose handler the node lacks leaves the pod Pending with the runtime\'s message', async () => {
    await k(['apply', '-f', '-'], 'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: { name: kata }\nhandler: kata-qemu\n');
    await k(['apply', '-f', '-'], podManifest('no-handler', 'kata', 'sleep 3600'));
    const failed = (): KubeObject & { message?: string } | undefined =>
      [...events.values()].find((e) => e.involvedObject?.name === 'no-handler' && e.reason === 'FailedCreatePodSandBox');
    await until(() => failed() !== undefined, 'the FailedCreatePodSandBox event');
    assert.equal(failed()?.message, 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "kata-qemu" is configured');
    // Upstream's pod status: Pending, the container waiting as ContainerCreating (the sandbox is retried).
    await until(() => pod('no-handler')?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating', 'the container waiting');
    assert.equal(pod('no-handler')?.status?.phase, 'Pending');
    assert.match(await k(['describe', 'pod', '-n', NS, 'no-handler']), /FailedCreatePodSandBox.*no runtime for "kata-qemu" is configured/);
  });
});
