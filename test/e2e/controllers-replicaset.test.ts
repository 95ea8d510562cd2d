// The ReplicaSet (and ReplicationController) controller under `skiff up`, with real containers and
// the real kubectl (1.33 and 1.27): scenario C4 of SCENARIOS.md. Informers (src/client) on pods and
// ReplicaSets decide when something happened; nothing sleeps.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { RESOURCES } from '../../src/api/scheme.ts';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import type { ReplicaSet, ReplicationController } from '../../src/controllers/util/workload-types.ts';
import { kubectl, type RunningServer } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `rs-${hex}`;
const NS = 'rs-e2e';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let sets: Informer<ReplicaSet>;
let rcs: Informer<ReplicationController>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };
/** Names of every pod the watch ever saw, with the owner it had when first seen owned. */
const everOwnedBy = new Map<string, string>();

async function k(args: string[], opts: { input?: string; version?: string } = {}): Promise<string> {
  const r = await kubectl(opts.version ?? '1.33', server, ['-n', NS, ...args], opts.input === undefined ? {} : { input: opts.input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) {
      const state = [...pods.values()].map((p) => `${p.metadata.name} ${JSON.stringify(p.metadata.labels)} ${p.status?.phase} owner=${p.metadata.ownerReferences?.[0]?.name ?? '-'} del=${p.metadata.deletionTimestamp ?? ''}`);
      throw new Error(`timed out waiting for ${what}\npods:\n${state.join('\n')}\n${server.logs().slice(-2000)}`);
    }
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

const ownerOf = (p: Pod): string | undefined => p.metadata.ownerReferences?.find((r) => r.controller)?.name;
/** Live (not being deleted) pods owned by `owner`. */
const owned = (owner: string): Pod[] => [...pods.values()].filter((p) => ownerOf(p) === owner && !p.metadata.deletionTimestamp);
const rsOf = (name: string): ReplicaSet | undefined => sets.get(`${NS}/${name}`);

function replicaSet(name: string, replicas: number, o: { minReadySeconds?: number; app?: string } = {}): string {
  const app = o.app ?? name;
  return `apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: ${name}, namespace: ${NS} }
spec:
  replicas: ${replicas}
  ${o.minReadySeconds ? `minReadySeconds: ${o.minReadySeconds}\n  ` : ''}selector: { matchLabels: { app: ${app} } }
  template:
    metadata: { labels: { app: ${app}, tier: backend } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: main, image: busybox, command: [sleep, "3600"] }]
`;
}

function orphanPod(name: string, app: string): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${NS}, labels: { app: ${app} } }
spec:
  terminationGracePeriodSeconds: 1
  containers: [{ name: main, image: busybox, command: [sleep, "3600"] }]
`;
}

before(async () => {
  cluster = await startUpCluster({ label: 'rs', nodeName, cgroupRoot: `/skiff-e2e-rs-${hex}`, bridge: `skiffr${hex}`, subnetBase: 240 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-replicaset');
  const res = (group: string, resource: string): (typeof RESOURCES)[number] => RESOURCES.find((r) => r.group === group && r.resource === resource)!;
  pods = cs.informer<Pod>(res('', 'pods'), { namespace: NS });
  sets = cs.informer<ReplicaSet>(res('apps', 'replicasets'), { namespace: NS });
  rcs = cs.informer<ReplicationController>(res('', 'replicationcontrollers'), { namespace: NS });
  const see = (p: Pod): void => {
    const o = ownerOf(p);
    if (o && !everOwnedBy.has(p.metadata.name!)) everOwnedBy.set(p.metadata.name!, o);
    wake();
  };
  pods.addHandlers({ add: see, update: (_o, p) => see(p), delete: wake });
  sets.addHandlers({ add: wake, update: wake, delete: wake });
  rcs.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await kubectl('1.33', server, ['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
});

describe('ReplicaSet controller (skiff up, real containers)', () => {
  test('[sig-apps] ReplicaSet should serve a basic image on each replica with a public image: ready and available (minReadySeconds) replicas, events in kubectl describe', { timeout: 180_000 }, async () => {
    await k(['apply', '-f', '-'], { input: replicaSet('web', 3, { minReadySeconds: 2 }) });
    await until(() => owned('web').length === 3, '3 pods owned by web');
    for (const p of owned('web')) {
      assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'backend' });
      const ref = p.metadata.ownerReferences![0]!;
      assert.equal(ref.kind, 'ReplicaSet');
      assert.equal(ref.uid, rsOf('web')!.metadata.uid);
      assert.equal(ref.controller, true);
      assert.equal(ref.blockOwnerDeletion, true);
    }
    await until(() => rsOf('web')?.status?.readyReplicas === 3, 'readyReplicas 3', 120_000);
    const readyAt = Date.now();
    // Ready is not yet available: minReadySeconds has to pass first.
    assert.ok((rsOf('web')?.status?.availableReplicas ?? 0) < 3, JSON.stringify(rsOf('web')?.status));
    await until(() => rsOf('web')?.status?.availableReplicas === 3, 'availableReplicas 3', 30_000);
    const lastReady = Math.max(...owned('web').map((p) => Date.parse(p.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime!)));
    assert.ok(Date.now() - lastReady >= 2000, 'available only after minReadySeconds');
    assert.ok(Date.now() - readyAt < 10_000, 'and soon after it (a requeue, not a resync)');
    const st = rsOf('web')!.status!;
    assert.equal(st.replicas, 3);
    assert.equal(st.fullyLabeledReplicas, 3);
    assert.equal(st.observedGeneration, rsOf('web')!.metadata.generation);
    const describe = await k(['describe', 'rs', 'web']);
    assert.match(describe, /Pods Status:\s+3 Running/);
    assert.equal((describe.match(/SuccessfulCreate\s+.*replicaset-controller\s+Created pod: web-/g) ?? []).length, 3, describe);
    const wide = await k(['get', 'rs', 'web']);
    assert.match(wide, /web\s+3\s+3\s+3\s/);
  });

  test('C4: a deleted pod is replaced', { timeout: 120_000 }, async () => {
    const victim = owned('web')[0]!.metadata.name!;
    const before = new Set(owned('web').map((p) => p.metadata.name));
    await k(['delete', 'pod', victim, '--wait=false']);
    await until(() => owned('web').some((p) => !before.has(p.metadata.name)) && owned('web').length === 3, 'a replacement pod');
    const replacement = owned('web').find((p) => !before.has(p.metadata.name))!.metadata.name!;
    // The status counts the replacement once it runs: ready again with a pod that did not exist before.
    await until(() => {
      const p = pods.get(`${NS}/${replacement}`);
      return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && rsOf('web')?.status?.readyReplicas === 3;
    }, 'the replacement ready and readyReplicas 3', 120_000);
    assert.ok(!owned('web').some((p) => p.metadata.name === victim));
  });

  test('[sig-apps] ReplicaSet should adopt matching pods on creation and release no longer matching pods', { timeout: 180_000 }, async () => {
    // An orphan that exists before its ReplicaSet is adopted, not duplicated.
    await k(['apply', '-f', '-'], { input: orphanPod('pod-adoption-release', 'adopt') });
    await until(() => pods.get(`${NS}/pod-adoption-release`)?.status?.phase === 'Running', 'the orphan running', 120_000);
    await k(['apply', '-f', '-'], { input: replicaSet('adopt', 1) });
    await until(() => ownerOf(pods.get(`${NS}/pod-adoption-release`)!) === 'adopt', 'the orphan adopted');
    assert.equal(owned('adopt').length, 1, 'nothing created beside the adopted pod');
    const ref = pods.get(`${NS}/pod-adoption-release`)!.metadata.ownerReferences![0]!;
    assert.equal(ref.controller, true);
    assert.equal(ref.blockOwnerDeletion, true);
    // Relabelled, it is released and replaced.
    await k(['label', 'pod', 'pod-adoption-release', 'app=released', '--overwrite']);
    await until(() => {
      const p = pods.get(`${NS}/pod-adoption-release`);
      return p !== undefined && (p.metadata.ownerReferences ?? []).length === 0;
    }, 'the relabelled pod released');
    await until(() => owned('adopt').length === 1 && owned('adopt')[0]!.metadata.name !== 'pod-adoption-release', 'a replacement for the released pod');
    assert.ok(pods.get(`${NS}/pod-adoption-release`), 'the released pod is left alone, not deleted');
  });

  test('C4: an extra pod with the selector\'s labels is adopted, then deleted (not ready pods go first)', { timeout: 120_000 }, async () => {
    await until(() => rsOf('web')?.status?.readyReplicas === 3, 'web ready');
    await k(['apply', '-f', '-'], { input: orphanPod('extra', 'web') });
    await until(() => everOwnedBy.get('extra') === 'web', 'the extra pod adopted');
    await until(() => {
      const p = pods.get(`${NS}/extra`);
      return p === undefined || Boolean(p.metadata.deletionTimestamp);
    }, 'the extra pod deleted');
    assert.equal(owned('web').length, 3);
    const describe = await k(['describe', 'rs', 'web']);
    assert.match(describe, /SuccessfulDelete\s+.*Deleted pod: extra/);
  });

  test('kubectl scale rs up and down (kubectl 1.27); status follows', { timeout: 180_000 }, async () => {
    await k(['scale', 'rs', 'web', '--replicas=5'], { version: '1.27' });
    await until(() => owned('web').length === 5, '5 pods');
    await until(() => rsOf('web')?.status?.readyReplicas === 5 && rsOf('web')?.status?.replicas === 5, 'readyReplicas 5', 120_000);
    await k(['scale', 'rs', 'web', '--replicas=2']);
    await until(() => owned('web').length === 2, '2 pods');
    await until(() => rsOf('web')?.status?.replicas === 2 && rsOf('web')?.status?.observedGeneration === rsOf('web')?.metadata.generation, 'status replicas 2');
    const describe = await k(['describe', 'rs', 'web']);
    assert.ok((describe.match(/SuccessfulDelete/g) ?? []).length >= 2, describe);
  });

  test('[sig-apps] ReplicationController should surface a failure condition when pod creates are refused (ReplicaFailure), and clear it', { timeout: 120_000 }, async () => {
    // No quota admission yet: a finalizer that pod validation refuses (the RC's template is not
    // checked for it) makes every create fail the same way.
    const rc = (finalizers: string): string => `apiVersion: v1
kind: ReplicationController
metadata: { name: condition-test, namespace: ${NS} }
spec:
  replicas: 2
  selector: { name: condition-test }
  template:
    metadata: { labels: { name: condition-test }${finalizers} }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: main, image: busybox, command: [sleep, "3600"] }]
`;
    await k(['apply', '-f', '-'], { input: rc(', finalizers: ["a/b/c"]') });
    const failure = (): { reason?: string; message?: string } | undefined => rcs.get(`${NS}/condition-test`)?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    await until(() => failure() !== undefined, 'the ReplicaFailure condition');
    assert.equal(failure()!.reason, 'FailedCreate');
    assert.match(failure()!.message!, /finalizers/);
    const describe = await k(['describe', 'rc', 'condition-test']);
    assert.match(describe, /FailedCreate\s+.*Error creating: .*finalizers/);
    await k(['apply', '-f', '-'], { input: rc('') });
    await until(() => owned('condition-test').length === 2 && failure() === undefined, 'pods created and the condition cleared');
  });
});
