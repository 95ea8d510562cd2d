// Cascading deletion of a Deployment under `skiff up`, now that its owners exist: the garbage
// collector follows Deployment → ReplicaSet → Pod in the three propagation modes kubectl's
// --cascade chooses (background, foreground, orphan), with real containers and kubectl 1.33.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { RESOURCES } from '../../src/api/scheme.ts';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import type { Deployment } from '../../src/controllers/deployment/deployment-types.ts';
import type { ReplicaSet } from '../../src/controllers/util/workload-types.ts';
import { kubectl, type RunningServer } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `gc-${hex}`;
const NS = 'cascade-e2e';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let sets: Informer<ReplicaSet>;
let deploys: Informer<Deployment>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };
/** Finalizers each Deployment was ever seen with while being deleted. */
const deletingWith = new Map<string, string[]>();
/** Store revision of each object's deletion (one revision counter orders every watch). */
const deletedAt = new Map<string, number>();
const noteDeleted = (kind: string) => (o: { metadata: { name?: string; resourceVersion?: string } }): void => {
  deletedAt.set(`${kind}/${o.metadata.name}`, Number(o.metadata.resourceVersion));
  wake();
};

async function k(args: string[], input?: string): Promise<string> {
  const r = await kubectl('1.33', server, ['-n', NS, ...args], input === undefined ? { timeoutMs: 120_000 } : { input, timeoutMs: 120_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

async function until(cond: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) {
      const state = [...pods.values()].map((p) => `${p.metadata.name} ${p.status?.phase} owners=${JSON.stringify(p.metadata.ownerReferences ?? [])} del=${p.metadata.deletionTimestamp ?? ''}`);
      throw new Error(`timed out waiting for ${what}\npods:\n${state.join('\n')}\nrs: ${[...sets.values()].map((r) => r.metadata.name).join(' ')}\n${server.logs().slice(-2000)}`);
    }
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

const podsOf = (app: string): Pod[] => [...pods.values()].filter((p) => p.metadata.labels?.app === app);
const setsOf = (app: string): ReplicaSet[] => [...sets.values()].filter((r) => r.metadata.labels?.app === app);
const ready = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

async function deploy(name: string): Promise<void> {
  await k(['apply', '-f', '-'], `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: main, image: busybox, command: [sleep, "3600"] }]
`);
  await until(() => setsOf(name).length === 1 && podsOf(name).filter(ready).length === 2, `${name}: a ReplicaSet and 2 ready pods`, 120_000);
}

before(async () => {
  cluster = await startUpCluster({ label: 'cascade', nodeName, cgroupRoot: `/skiff-e2e-gc-${hex}`, bridge: `skiffg${hex}`, subnetBase: 112 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-cascade');
  const res = (group: string, resource: string): (typeof RESOURCES)[number] => RESOURCES.find((r) => r.group === group && r.resource === resource)!;
  pods = cs.informer<Pod>(res('', 'pods'), { namespace: NS });
  sets = cs.informer<ReplicaSet>(res('apps', 'replicasets'), { namespace: NS });
  deploys = cs.informer<Deployment>(res('apps', 'deployments'), { namespace: NS });
  pods.addHandlers({ add: wake, update: wake, delete: noteDeleted('pod') });
  sets.addHandlers({ add: wake, update: wake, delete: noteDeleted('rs') });
  const note = (d: Deployment): void => {
    if (d.metadata.deletionTimestamp) deletingWith.set(d.metadata.name ?? '', [...new Set([...(deletingWith.get(d.metadata.name ?? '') ?? []), ...(d.metadata.finalizers ?? [])])]);
    wake();
  };
  deploys.addHandlers({ add: note, update: (_o, d) => note(d), delete: noteDeleted('deploy') });
  cs.start(ac.signal);
  await kubectl('1.33', server, ['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
});

describe('garbage collector: cascading deletion of a Deployment (skiff up, real containers)', () => {
  test('[sig-api-machinery] Garbage Collector, delete deployment, propagation policy background: its ReplicaSet and pods go', { timeout: 240_000 }, async () => {
    await deploy('bg');
    await k(['delete', 'deployment', 'bg', '--cascade=background']);
    await until(() => deploys.get(`${NS}/bg`) === undefined && setsOf('bg').length === 0 && podsOf('bg').length === 0, 'bg: Deployment, ReplicaSet and pods gone');
    assert.equal(deletingWith.get('bg'), undefined, 'background: the Deployment went at once, held by no finalizer');
  });

  test('Garbage Collector, delete deployment, propagation policy foreground: the Deployment waits (foregroundDeletion) until its ReplicaSet and pods are gone', { timeout: 240_000 }, async () => {
    await deploy('fg');
    const rsName = setsOf('fg')[0]!.metadata.name!;
    const podNames = podsOf('fg').map((p) => p.metadata.name!);
    // kubectl waits for the Deployment to be gone; by then its dependents must be gone too.
    await k(['delete', 'deployment', 'fg', '--cascade=foreground']);
    await until(() => deletedAt.has('deploy/fg') && deletedAt.has(`rs/${rsName}`) && podNames.every((n) => deletedAt.has(`pod/${n}`)), 'fg: every deletion seen');
    assert.deepEqual(deletingWith.get('fg'), ['foregroundDeletion'], 'the Deployment was held by foregroundDeletion');
    const last = deletedAt.get('deploy/fg')!;
    assert.ok(deletedAt.get(`rs/${rsName}`)! < last, 'the ReplicaSet went before the Deployment');
    for (const n of podNames) assert.ok(deletedAt.get(`pod/${n}`)! < deletedAt.get(`rs/${rsName}`)!, `pod ${n} went before its ReplicaSet`);
  });

  test('[sig-api-machinery] Garbage Collector, delete deployment, propagation policy orphan: the ReplicaSet and pods stay, the ReplicaSet without its owner reference', { timeout: 240_000 }, async () => {
    await deploy('or');
    const rsName = setsOf('or')[0]!.metadata.name!;
    const podNames = podsOf('or').map((p) => p.metadata.name).sort();
    await k(['delete', 'deployment', 'or', '--cascade=orphan']);
    await until(() => deploys.get(`${NS}/or`) === undefined && (setsOf('or')[0]?.metadata.ownerReferences ?? []).length === 0, 'or: Deployment gone, ReplicaSet orphaned');
    assert.equal(setsOf('or')[0]?.metadata.name, rsName);
    assert.deepEqual(podsOf('or').filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort(), podNames, 'the pods stay');
    for (const p of podsOf('or')) assert.equal(p.metadata.ownerReferences?.[0]?.name, rsName, 'still owned by the ReplicaSet, which stays');
    // The orphaned ReplicaSet keeps its pods running; removing it (background) takes them too.
    await k(['delete', 'rs', rsName]);
    await until(() => setsOf('or').length === 0 && podsOf('or').length === 0, 'or: ReplicaSet and pods gone');
  });
});
