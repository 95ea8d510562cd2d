// The disruption controller, the pods/eviction subresource and the pod garbage collector under
// `skiff up`, with real containers and the real kubectl 1.33: a PodDisruptionBudget's status
// follows its Deployment's pods, an eviction that would break it is refused with 429 (and
// `kubectl drain` keeps retrying), one it can spare goes and the ReplicaSet replaces the pod; the
// pod GC deletes pods bound to a node that does not exist (quarantine shortened by the hidden
// --pod-gc-orphan-quarantine) and finished pods beyond --terminated-pod-gc-threshold, oldest first.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isStatusError } from '../../src/api/errors.ts';
import { RESOURCES } from '../../src/api/scheme.ts';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import type { PodDisruptionBudget } from '../../src/controllers/disruption/pdb-types.ts';
import { kubectl, type RunningServer } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `pdb-${hex}`;
const NS = 'pdb-e2e';
const GC_THRESHOLD = 3;
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let pdbs: Informer<PodDisruptionBudget>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };
/** Every pod state the watch delivered, and the order pods were deleted in. */
const seen = new Map<string, Pod[]>();
const deleted: string[] = [];

async function k(args: string[], opts: { input?: string; ok?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await kubectl('1.33', server, ['-n', NS, ...args], opts.input === undefined ? { timeoutMs: 120_000 } : { input: opts.input, timeoutMs: 120_000 });
  if (opts.ok !== false) assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-3000)}`);
  return r;
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) {
      const state = [...pods.values()].map((p) => `${p.metadata.name} ${p.status?.phase} node=${p.spec?.nodeName} del=${p.metadata.deletionTimestamp ?? ''}`);
      throw new Error(`timed out waiting for ${what}\npods:\n${state.join('\n')}\npdbs: ${JSON.stringify([...pdbs.values()].map((b) => b.status))}\n${server.logs().slice(-2000)}`);
    }
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

const ready = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const live = (app: string): Pod[] => [...pods.values()].filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);
const pdb = (name: string): PodDisruptionBudget | undefined => pdbs.get(`${NS}/${name}`);

async function evict(name: string): Promise<unknown> {
  return cs.rest.request('POST', `/api/v1/namespaces/${NS}/pods/${name}/eviction`, {
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } },
  });
}

function deployment(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${NS} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: main, image: busybox, command: [sleep, "3600"] }]
`;
}

before(async () => {
  cluster = await startUpCluster({
    label: 'pdb', nodeName, cgroupRoot: `/skiff-e2e-pdb-${hex}`, bridge: `skiffp${hex}`, subnetBase: 96,
    extraArgs: ['--terminated-pod-gc-threshold', String(GC_THRESHOLD), '--pod-gc-orphan-quarantine', '2s'],
  });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-pdb');
  const res = (group: string, resource: string): (typeof RESOURCES)[number] => RESOURCES.find((r) => r.group === group && r.resource === resource)!;
  pods = cs.informer<Pod>(res('', 'pods'));
  pdbs = cs.informer<PodDisruptionBudget>(res('policy', 'poddisruptionbudgets'), { namespace: NS });
  const record = (p: Pod): void => {
    const key = p.metadata.name ?? '';
    seen.set(key, [...(seen.get(key) ?? []), p]);
    wake();
  };
  pods.addHandlers({ add: record, update: (_o, p) => record(p), delete: (p) => { deleted.push(p.metadata.name ?? ''); wake(); } });
  pdbs.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await kubectl('1.33', server, ['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['uncordon', nodeName]).catch(() => undefined);
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
});

describe('DisruptionController and pods/eviction (skiff up, real containers)', () => {
  test('[sig-apps] DisruptionController should observe PodDisruptionBudget status updated; should block an eviction until the PDB is updated to allow it', { timeout: 300_000 }, async () => {
    await k(['apply', '-f', '-'], { input: deployment('web', 2) });
    await k(['create', 'pdb', 'web-pdb', '--selector=app=web', '--min-available=2']);
    await until(() => live('web').filter(ready).length === 2, '2 ready web pods', 120_000);
    await until(() => pdb('web-pdb')?.status?.currentHealthy === 2, 'currentHealthy 2');
    let st = pdb('web-pdb')!.status!;
    assert.equal(st.desiredHealthy, 2);
    assert.equal(st.expectedPods, 2);
    assert.equal(st.disruptionsAllowed, 0);
    assert.equal(st.observedGeneration, pdb('web-pdb')!.metadata.generation);
    assert.deepEqual(st.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
    const table = (await k(['get', 'pdb', 'web-pdb', '--no-headers'])).stdout.trim().split(/\s+/);
    assert.deepEqual(table.slice(0, 4), ['web-pdb', '2', 'N/A', '0'], 'NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS');

    // Refused: the budget has nothing to spare; the pod stays.
    const victim = live('web')[0]!.metadata.name!;
    const err = await evict(victim).then(() => undefined, (e: unknown) => e);
    assert.ok(isStatusError(err), `eviction should be refused: ${String(err)}`);
    assert.equal(err.code, 429);
    assert.equal(err.reason, 'TooManyRequests');
    assert.equal(err.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(err.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently' }]);

    // kubectl drain uses the eviction subresource: it retries on 429 and gives up at its timeout.
    const drain = await k(['drain', nodeName, '--pod-selector=app=web', '--timeout=8s', '--ignore-daemonsets'], { ok: false });
    assert.notEqual(drain.code, 0, drain.stdout);
    assert.match(drain.stderr + drain.stdout, /Cannot evict pod as it would violate the pod's disruption budget/);
    await k(['uncordon', nodeName]);
    assert.equal(live('web').length, 2);
    assert.ok(live('web').some((p) => p.metadata.name === victim), 'the pod stays');

    // Updated to allow one disruption: the eviction goes through and the ReplicaSet replaces the pod.
    await k(['patch', 'pdb', 'web-pdb', '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
    await until(() => pdb('web-pdb')?.status?.disruptionsAllowed === 1 && pdb('web-pdb')?.status?.observedGeneration === pdb('web-pdb')?.metadata.generation, 'disruptionsAllowed 1');
    assert.deepEqual(pdb('web-pdb')!.status!.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);
    await evict(victim);
    await until(() => !live('web').some((p) => p.metadata.name === victim), 'the evicted pod going');
    await until(() => live('web').filter(ready).length === 2 && !live('web').some((p) => p.metadata.name === victim), 'a ready replacement', 120_000);
    await until(() => pdb('web-pdb')?.status?.currentHealthy === 2 && pdb('web-pdb')?.status?.disruptionsAllowed === 1, 'the budget refilled');
    st = pdb('web-pdb')!.status!;
    assert.equal(st.disruptedPods?.[victim], undefined, 'the deleted pod leaves disruptedPods');
  });

  test('maxUnavailable and percentage budgets count the Deployment\'s scale; a second budget on the same pod makes eviction a 500', { timeout: 180_000 }, async () => {
    await k(['create', 'pdb', 'web-max', '--selector=app=web', '--max-unavailable=50%']);
    await until(() => pdb('web-max')?.status?.expectedPods === 2 && pdb('web-max')?.status?.desiredHealthy === 1, 'web-max expecting 2, desiring 1');
    await k(['scale', 'deployment', 'web', '--replicas=4']);
    await until(() => pdb('web-max')?.status?.expectedPods === 4 && pdb('web-max')?.status?.desiredHealthy === 2, 'web-max following the scale');
    const victim = live('web')[0]!.metadata.name!;
    const err = await evict(victim).then(() => undefined, (e: unknown) => e);
    assert.ok(isStatusError(err));
    assert.equal(err.code, 500);
    assert.match(err.message, /This pod has more than one PodDisruptionBudget, which the eviction subresource does not support\./);
    await k(['delete', 'pdb', 'web-max', 'web-pdb']);
    await k(['delete', 'deployment', 'web']);
  });
});

describe('pod garbage collector (skiff up)', () => {
  test('a pod bound to a node that does not exist is marked Failed (DisruptionTarget DeletionByPodGC) and deleted after the quarantine', { timeout: 120_000 }, async () => {
    const t0 = Date.now();
    await k(['apply', '-f', '-'], { input: `apiVersion: v1
kind: Pod
metadata: { name: orphan, namespace: ${NS} }
spec:
  nodeName: ghost-${hex}
  containers: [{ name: main, image: busybox, command: [sleep, "3600"] }]
` });
    await until(() => deleted.includes('orphan'), 'the orphan deleted', 60_000);
    assert.ok(Date.now() - t0 >= 2000, 'not before the quarantine');
    const last = seen.get('orphan')!.at(-1)!;
    assert.equal(last.status?.phase, 'Failed');
    const cond = last.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
  });

  test('finished pods beyond --terminated-pod-gc-threshold are deleted, oldest first', { timeout: 180_000 }, async () => {
    const names = ['done-0', 'done-1', 'done-2', 'done-3', 'done-4'];
    for (const name of names) {
      await k(['apply', '-f', '-'], { input: `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${NS} }
spec:
  restartPolicy: Never
  containers: [{ name: main, image: busybox, command: ["true"] }]
` });
    }
    const present = (): string[] => names.filter((n) => pods.get(`${NS}/${n}`));
    await until(() => present().length === GC_THRESHOLD && present().every((n) => pods.get(`${NS}/${n}`)?.status?.phase === 'Succeeded'), `${GC_THRESHOLD} finished pods left`, 120_000);
    assert.deepEqual(present(), ['done-2', 'done-3', 'done-4']);
    // The two deletes are sent at once (as upstream's ParallelizeUntil): which watch event comes
    // first is not the point, which pods were chosen is.
    assert.deepEqual(deleted.filter((n) => n.startsWith('done-')).sort(), ['done-0', 'done-1'], 'the oldest went');
  });
});
