// The scheduler against a real `skiff server` (started with --no-scheduler) and simulated nodes:
// seed B4, FailedScheduling events, node selectors, taints, anti-affinity, host ports, and a
// pending pod taken by a node added later.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { CoreEvent, Node, Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { Scheduler } from '../../src/scheduler/index.ts';
import { removeDir, startServer, waitUntil, type RunningServer } from './harness.ts';
import { createFakeNode, simplePod } from './scheduler-helpers.ts';

const NS = 'default';

describe('scheduler', () => {
  let srv: RunningServer;
  let cs: Clientset;
  let ac: AbortController;
  let running: Promise<void>;
  const pods = () => cs.resource<Pod>('v1', 'pods');
  const nodes = () => cs.resource<Node>('v1', 'nodes');

  before(async () => {
    srv = await startServer({ extraArgs: ['--no-scheduler'] });
    cs = await Clientset.fromKubeconfig(srv.kubeconfig, 'scheduler-e2e');
    ac = new AbortController();
    // Fast retries keep the tests short; the defaults (1 s → 10 s) are exercised by the queue's unit tests.
    running = new Scheduler(cs, pino({ level: 'silent' }), { initialBackoffMs: 100, maxBackoffMs: 500 }).run(ac.signal);
  });

  after(async () => {
    ac.abort();
    await running;
    await srv.stop();
    await removeDir(srv.dataDir);
  });

  afterEach(async () => {
    for (const p of (await pods().list(NS)).items) await pods().delete(NS, p.metadata.name!, { gracePeriodSeconds: 0 });
    for (const n of (await nodes().list()).items) await nodes().delete(undefined, n.metadata.name!);
    await waitUntil(async () => (await pods().list(NS)).items.length === 0, 10_000, 'pods deleted');
  });

  async function boundNode(name: string): Promise<string> {
    let node = '';
    await waitUntil(async () => {
      node = (await pods().get(NS, name)).spec?.nodeName ?? '';
      return node !== '';
    }, 15_000, `pod ${name} bound`);
    return node;
  }

  async function events(pod: string, reason: string): Promise<CoreEvent[]> {
    const list = await cs.resource<CoreEvent>('v1', 'events').list(NS, { fieldSelector: `involvedObject.name=${pod}` });
    return list.items.filter((e) => e.reason === reason);
  }

  async function failedScheduling(pod: string): Promise<CoreEvent> {
    let ev: CoreEvent | undefined;
    await waitUntil(async () => {
      ev = (await events(pod, 'FailedScheduling'))[0];
      return ev !== undefined;
    }, 15_000, `FailedScheduling for ${pod}`);
    return ev!;
  }

  it('B4: a pod of 1 GiB + 0.5 GiB lands on the node with 2 GiB, never split over the 1.25 GiB node', async () => {
    await createFakeNode(cs, 'node1', { memory: '1280Mi' });
    await createFakeNode(cs, 'node2', { memory: '2Gi' });
    const pod = simplePod('b4');
    pod.spec!.containers = [
      { name: 'big', image: 'busybox:latest', resources: { requests: { memory: '1Gi' } } },
      { name: 'small', image: 'busybox:latest', resources: { requests: { memory: '512Mi' } } },
    ];
    await pods().create(NS, pod);
    assert.equal(await boundNode('b4'), 'node2');
    const bound = await pods().get(NS, 'b4');
    assert.equal(bound.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
    let scheduled: CoreEvent | undefined;
    await waitUntil(async () => { scheduled = (await events('b4', 'Scheduled'))[0]; return !!scheduled; }, 10_000, 'Scheduled event');
    assert.equal(scheduled!.message, `Successfully assigned ${NS}/b4 to node2`);
    assert.equal(scheduled!.type, 'Normal');
    assert.equal(scheduled!.source?.component, 'default-scheduler');
    assert.equal(scheduled!.reportingComponent, 'default-scheduler');
    assert.equal(scheduled!.involvedObject.uid, bound.metadata.uid);
  });

  it('Scheduler, resource limits: a pod needing more than any node has stays Pending with FailedScheduling naming Insufficient memory', async () => {
    await createFakeNode(cs, 'node1', { memory: '1280Mi' });
    await createFakeNode(cs, 'node2', { memory: '2Gi' });
    await pods().create(NS, simplePod('too-big', { memory: '3Gi' }));
    const ev = await failedScheduling('too-big');
    assert.equal(ev.message, '0/2 nodes are available: 2 Insufficient memory.');
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.source?.component, 'default-scheduler');
    assert.equal(ev.reportingComponent, 'default-scheduler');
    assert.equal(ev.involvedObject.kind, 'Pod');
    assert.equal(ev.count, 1);
    await waitUntil(async () => (await pods().get(NS, 'too-big')).status?.conditions?.some((c) => c.type === 'PodScheduled') === true, 10_000, 'PodScheduled condition');
    const cond = (await pods().get(NS, 'too-big')).status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', '0/2 nodes are available: 2 Insufficient memory.']);
    // A node change that could matter (more allocatable, still too little) retries the pod; the
    // repeated failure bumps the count of the same event instead of writing another.
    await nodes().patch(undefined, 'node1', 'merge', { status: { allocatable: { memory: '1536Mi' } } }, { subresource: 'status' });
    await waitUntil(async () => ((await events('too-big', 'FailedScheduling'))[0]?.count ?? 0) >= 2, 15_000, 'event count 2');
    assert.equal((await events('too-big', 'FailedScheduling')).length, 1);
    assert.equal((await pods().get(NS, 'too-big')).spec?.nodeName, undefined);
  });

  it('the message counts each reason over the nodes (mixed reasons, sorted as upstream)', async () => {
    await createFakeNode(cs, 'small', { memory: '1Gi', labels: { disk: 'ssd' } });
    await createFakeNode(cs, 'other', { memory: '8Gi', labels: { disk: 'hdd' } });
    await pods().create(NS, simplePod('mixed', { memory: '2Gi' }, { nodeSelector: { disk: 'ssd' } }));
    const ev = await failedScheduling('mixed');
    assert.equal(ev.message, "0/2 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector.");
  });

  it('Scheduler, node selector matching: the pod goes to the labelled node', async () => {
    await createFakeNode(cs, 'plain-1');
    await createFakeNode(cs, 'plain-2');
    await createFakeNode(cs, 'labelled', { labels: { 'kubernetes.io/e2e-sched': 'yes' } });
    await pods().create(NS, simplePod('with-selector', {}, { nodeSelector: { 'kubernetes.io/e2e-sched': 'yes' } }));
    assert.equal(await boundNode('with-selector'), 'labelled');
  });

  it('Scheduler, node selector not matching: the pod stays Pending', async () => {
    await createFakeNode(cs, 'plain-1');
    await createFakeNode(cs, 'plain-2');
    await pods().create(NS, simplePod('restricted', {}, { nodeSelector: { label: 'nonempty' } }));
    const ev = await failedScheduling('restricted');
    assert.equal(ev.message, "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.");
    assert.equal((await pods().get(NS, 'restricted')).spec?.nodeName, undefined);
  });

  it('required node affinity with matchFields metadata.name pins the pod to that node', async () => {
    for (const n of ['a-1', 'a-2', 'a-3']) await createFakeNode(cs, n);
    await pods().create(NS, simplePod('pinned', {}, {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a-2'] }] }] } } },
    }));
    assert.equal(await boundNode('pinned'), 'a-2');
  });

  it('taints repel pods that do not tolerate them; a toleration lets the pod in', async () => {
    await createFakeNode(cs, 'tainted', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await createFakeNode(cs, 'not-ready', { ready: false });
    await pods().create(NS, simplePod('intolerant'));
    const ev = await failedScheduling('intolerant');
    assert.equal(ev.message, '0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.');
    await pods().create(NS, simplePod('tolerant', {}, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    assert.equal(await boundNode('tolerant'), 'tainted');
  });

  it('required pod anti-affinity spreads pods one per node; the extra one stays Pending', async () => {
    for (const n of ['w-1', 'w-2', 'w-3']) await createFakeNode(cs, n);
    const anti = {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] },
    };
    for (let i = 0; i < 4; i++) await pods().create(NS, simplePod(`web-${i}`, {}, { affinity: anti }, { app: 'web' }));
    const placed = new Set<string>();
    let pendingName = '';
    await waitUntil(async () => {
      const items = (await pods().list(NS)).items;
      placed.clear();
      for (const p of items) if (p.spec?.nodeName) placed.add(p.spec.nodeName);
      pendingName = items.find((p) => !p.spec?.nodeName)?.metadata.name ?? '';
      return placed.size === 3;
    }, 15_000, 'three web pods bound');
    assert.deepEqual([...placed].sort(), ['w-1', 'w-2', 'w-3']);
    const ev = await failedScheduling(pendingName);
    assert.equal(ev.message, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
    // A pod without anti-affinity of its own is kept off the nodes by the existing pods' rules.
    await pods().create(NS, simplePod('intruder', {}, {}, { app: 'web' }));
    const ev2 = await failedScheduling('intruder');
    assert.equal(ev2.message, "0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules.");
  });

  it('topology spread (DoNotSchedule, maxSkew 1) puts two pods in each of three zones', async () => {
    for (const z of ['a', 'b', 'c']) await createFakeNode(cs, `zone-${z}`, { labels: { 'topology.kubernetes.io/zone': z } });
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'spread' } } }] };
    for (let i = 0; i < 6; i++) await pods().create(NS, simplePod(`spread-${i}`, {}, spread, { app: 'spread' }));
    const perNode = new Map<string, number>();
    await waitUntil(async () => {
      const items = (await pods().list(NS)).items;
      perNode.clear();
      for (const p of items) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
      return [...perNode.values()].reduce((a, b) => a + b, 0) === 6;
    }, 15_000, 'six spread pods bound');
    assert.deepEqual([...perNode.entries()].sort(), [['zone-a', 2], ['zone-b', 2], ['zone-c', 2]]);
  });

  it('Scheduling, HostPort and Protocol match, HostIPs different but one is default HostIP (0.0.0.0): the second pod is not scheduled', async () => {
    await createFakeNode(cs, 'ports', { labels: { 'e2e-ports': 'yes' } });
    const onNode = { nodeSelector: { 'e2e-ports': 'yes' } };
    const withPort = (name: string, hostIP: string, protocol: 'TCP' | 'UDP'): Pod => {
      const p = simplePod(name, {}, onNode);
      p.spec!.containers[0]!.ports = [{ containerPort: 8080, hostPort: 54322, hostIP, protocol }];
      return p;
    };
    await pods().create(NS, withPort('pod4', '0.0.0.0', 'TCP'));
    assert.equal(await boundNode('pod4'), 'ports');
    await pods().create(NS, withPort('pod5', '127.0.0.1', 'TCP'));
    const ev = await failedScheduling('pod5');
    assert.equal(ev.message, "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
  });

  it('Scheduling, HostPort matching and HostIP and Protocol not-matching: all three pods share the node', async () => {
    await createFakeNode(cs, 'ports', { labels: { 'e2e-ports': 'yes' } });
    const withPort = (name: string, hostIP: string, protocol: 'TCP' | 'UDP'): Pod => {
      const p = simplePod(name, {}, { nodeSelector: { 'e2e-ports': 'yes' } });
      p.spec!.containers[0]!.ports = [{ containerPort: 8080, hostPort: 54323, hostIP, protocol }];
      return p;
    };
    await pods().create(NS, withPort('pod1', '127.0.0.1', 'TCP'));
    await pods().create(NS, withPort('pod2', '127.0.0.2', 'TCP'));
    await pods().create(NS, withPort('pod3', '127.0.0.2', 'UDP'));
    for (const p of ['pod1', 'pod2', 'pod3']) assert.equal(await boundNode(p), 'ports');
  });

  it('a pending pod goes to a node added later', async () => {
    await createFakeNode(cs, 'tiny', { memory: '256Mi' });
    await pods().create(NS, simplePod('waiting', { memory: '1Gi' }));
    await failedScheduling('waiting');
    await createFakeNode(cs, 'roomy', { memory: '4Gi' });
    assert.equal(await boundNode('waiting'), 'roomy');
  });

  it('a pod with scheduling gates waits until the gates are removed', async () => {
    await createFakeNode(cs, 'gated-node');
    const p = simplePod('gated');
    Object.assign(p.spec!, { schedulingGates: [{ name: 'example.com/wait' }] });
    await pods().create(NS, p);
    await pods().create(NS, simplePod('marker'));
    // A pod created after it gets scheduled; the gated one is not even tried.
    await boundNode('marker');
    assert.equal((await pods().get(NS, 'gated')).spec?.nodeName, undefined);
    assert.equal((await events('gated', 'FailedScheduling')).length, 0);
    await pods().patch(NS, 'gated', 'json', [{ op: 'remove', path: '/spec/schedulingGates' }]);
    assert.equal(await boundNode('gated'), 'gated-node');
  });

  it('pods for another scheduler are left alone; back-to-back pods do not overcommit a node', async () => {
    await createFakeNode(cs, 'one', { cpu: '1' });
    await pods().create(NS, simplePod('other-sched', {}, { schedulerName: 'someone-else' }));
    // Created together: each fits alone, two do not.
    await Promise.all([0, 1, 2].map((i) => pods().create(NS, simplePod(`half-${i}`, { cpu: '600m' }))));
    await waitUntil(async () => (await pods().list(NS)).items.filter((p) => p.spec?.nodeName).length === 1, 15_000, 'one half pod bound');
    const items = (await pods().list(NS)).items;
    const pending = items.filter((p) => p.metadata.name!.startsWith('half-') && !p.spec?.nodeName);
    assert.equal(pending.length, 2);
    for (const p of pending) assert.equal((await failedScheduling(p.metadata.name!)).message, '0/1 nodes are available: 1 Insufficient cpu.');
    assert.equal(items.find((p) => p.metadata.name === 'other-sched')?.spec?.nodeName, undefined);
    assert.equal((await events('other-sched', 'FailedScheduling')).length, 0);
  });
});
