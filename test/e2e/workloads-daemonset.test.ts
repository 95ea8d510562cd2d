// The DaemonSet controller under `skiff up` (one real node running real containers) plus two
// simulated nodes (`skiff sim-nodes`), with kubectl 1.33: one pod on each eligible node, placed by
// the scheduler through the pod's matchFields node affinity; a tainted node gets none unless the
// set tolerates the taint; a deleted pod comes back; a rolling update of the template never leaves
// more than maxUnavailable nodes without an available pod (from a watch); kubectl rollout
// status/history/undo work from the ControllerRevisions. Test names follow the conformance tests'
// (test/e2e/apps/daemon_set.go).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RESOURCES } from '../../src/api/scheme.ts';
import type { DaemonSet } from '../../src/api/types/apps-v1.ts';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { kubectl, ROOT, type RunningServer } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const realNode = `ds-${hex}`;
const simPrefix = `dsim-${hex}-`;
const sim0 = `${simPrefix}0`;
const sim1 = `${simPrefix}1`;
const NS = 'ds-e2e';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let sets: Informer<DaemonSet>;
let sim: ReturnType<typeof spawn> | undefined;
let simOut = '';
let simExited: Promise<number | null> = Promise.resolve(null);
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };
/** For the rolling update: the most nodes seen at once without an available `agent` pod. */
let watchUnavailable = false;
let maxUnavailableSeen = 0;

async function k(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl('1.33', server, ['-n', NS, ...args], { ...(opts.input === undefined ? {} : { input: opts.input }), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const podsOf = (set: string): Pod[] => [...pods.values()].filter((p) => p.metadata.labels?.app === set && !p.metadata.deletionTimestamp);
/** Node name → live pods of the set there. */
function placement(set: string): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of podsOf(set)) {
    const n = p.spec?.nodeName ?? '(unbound)';
    m.set(n, [...(m.get(n) ?? []), p]);
  }
  return m;
}

async function until(cond: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) {
      const state = [...pods.values()].map((p) => `${p.metadata.name} ${p.spec?.nodeName} ${p.status?.phase} ready=${isReady(p)} rev=${p.metadata.labels?.['controller-revision-hash']} del=${p.metadata.deletionTimestamp ?? ''}`);
      throw new Error(`timed out waiting for ${what}\nsets: ${JSON.stringify([...sets.values()].map((s) => [s.metadata.name, s.status]))}\npods:\n${state.join('\n')}\n${server.logs().slice(-3000)}\n${simOut.slice(-2000)}`);
    }
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

function daemonSet(name: string, version: string, tolerate = false): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: ${NS} }
spec:
  selector: { matchLabels: { app: ${name} } }
  updateStrategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 1 } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 1
${tolerate ? '      tolerations: [{ key: dedicated, operator: Equal, value: e2e, effect: NoSchedule }]\n' : ''}      containers:
      - name: main
        image: busybox
        env: [{ name: VERSION, value: "${version}" }]
        command: ["sleep", "3600"]
`;
}

before(async () => {
  cluster = await startUpCluster({ label: 'ds', nodeName: realNode, cgroupRoot: `/skiff-e2e-ds-${hex}`, bridge: `skiffw${hex}`, subnetBase: 48 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-daemonset');
  sim = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cmd', 'skiff.ts'), 'sim-nodes', '--kubeconfig', server.kubeconfig, '--count', '2', '--name-prefix', simPrefix, '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  sim.stdout!.on('data', (d: Buffer) => { simOut += d.toString(); });
  sim.stderr!.on('data', (d: Buffer) => { simOut += d.toString(); });
  const proc = sim;
  simExited = new Promise((r) => proc.once('exit', (code) => r(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`sim-nodes did not register in 60 s:\n${simOut}`)), 60_000);
    proc.stderr!.on('data', () => { if (/nodes registered/.test(simOut)) { clearTimeout(timer); res(); } });
    void simExited.then((code) => { clearTimeout(timer); rej(new Error(`sim-nodes exited with ${code}:\n${simOut}`)); });
  });
  const res = (group: string, resource: string): (typeof RESOURCES)[number] => RESOURCES.find((r) => r.group === group && r.resource === resource)!;
  pods = cs.informer<Pod>(res('', 'pods'), { namespace: NS });
  sets = cs.informer<DaemonSet>(res('apps', 'daemonsets'), { namespace: NS });
  const see = (): void => {
    if (watchUnavailable) {
      // Both eligible nodes (the tainted one runs no `agent` pod): count those with no available pod.
      const byNode = placement('agent');
      const missing = [realNode, sim0].filter((n) => !(byNode.get(n) ?? []).some(isReady)).length;
      maxUnavailableSeen = Math.max(maxUnavailableSeen, missing);
    }
    wake();
  };
  pods.addHandlers({ add: see, update: see, delete: see });
  sets.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await kubectl('1.33', server, ['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
  const nodes = await kubectl('1.33', server, ['wait', '--for=condition=Ready', `node/${realNode}`, `node/${sim0}`, `node/${sim1}`, '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(nodes.code, 0, nodes.stderr);
  const taint = await kubectl('1.33', server, ['taint', 'node', sim1, 'dedicated=e2e:NoSchedule']);
  assert.equal(taint.code, 0, taint.stderr);
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await kubectl('1.33', server, ['-n', NS, 'delete', 'pods', '--all', '--grace-period=0', '--force']).catch(() => undefined);
  if (sim && sim.exitCode === null && sim.signalCode === null) {
    sim.kill('SIGINT');
    const t = setTimeout(() => sim?.kill('SIGKILL'), 10_000);
    await simExited;
    clearTimeout(t);
  }
  cs?.rest.close();
  await cluster?.stop();
});

describe('DaemonSet controller', () => {
  test('DaemonSet-Creation and DaemonSet-NodeSelection: one pod per eligible node, none on a tainted node unless tolerated', { timeout: 180_000 }, async () => {
    await k(['apply', '-f', '-'], { input: daemonSet('agent', '1') });
    await k(['rollout', 'status', 'daemonset/agent', '--timeout=90s'], { timeoutMs: 100_000 });
    const byNode = placement('agent');
    assert.deepEqual([...byNode.keys()].sort(), [realNode, sim0].sort());
    for (const list of byNode.values()) assert.equal(list.length, 1);
    const real = byNode.get(realNode)![0]!;
    // Placed by the scheduler through the pinning affinity, with the daemon tolerations and labels.
    assert.deepEqual(real.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [realNode] }] }]);
    assert.ok(real.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined));
    assert.ok(real.metadata.labels?.['controller-revision-hash']);
    assert.ok(real.metadata.labels?.['pod-template-generation']);
    // A real container on the real node.
    assert.doesNotMatch(real.status?.containerStatuses?.[0]?.containerID ?? '', /^hollow:/);
    const ds = sets.get(`${NS}/agent`)!;
    assert.equal(ds.status?.desiredNumberScheduled, 2);
    assert.equal(ds.status?.currentNumberScheduled, 2);
    assert.equal(ds.status?.numberMisscheduled, 0);
    assert.equal(ds.status?.observedGeneration, ds.metadata.generation);

    // A set that tolerates the taint runs on all three.
    await k(['apply', '-f', '-'], { input: daemonSet('tolerant', '1', true) });
    await k(['rollout', 'status', 'daemonset/tolerant', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.deepEqual([...placement('tolerant').keys()].sort(), [realNode, sim0, sim1].sort());
    await k(['delete', 'daemonset', 'tolerant']);

    // A deleted daemon pod is replaced on the same node.
    const victim = byNode.get(sim0)![0]!;
    await k(['delete', 'pod', victim.metadata.name!, '--wait=false']);
    await until(() => (placement('agent').get(sim0) ?? []).some((p) => p.metadata.uid !== victim.metadata.uid && isReady(p)), 'a replacement pod on the simulated node');
  });

  test('DaemonSet-NodeSelection: a node labelled to match gets a pod, unlabelled it loses it', { timeout: 180_000 }, async () => {
    const manifest = daemonSet('picky', '1').replace('      terminationGracePeriodSeconds: 1\n', '      terminationGracePeriodSeconds: 1\n      nodeSelector: { color: blue }\n');
    await k(['apply', '-f', '-'], { input: manifest });
    await until(() => sets.get(`${NS}/picky`)?.status?.observedGeneration === 1, 'the picky set observed');
    assert.equal(podsOf('picky').length, 0);
    assert.equal(sets.get(`${NS}/picky`)?.status?.desiredNumberScheduled, 0);
    await k(['label', 'node', sim0, 'color=blue']);
    await until(() => (placement('picky').get(sim0) ?? []).some(isReady), 'a picky pod on the labelled node');
    assert.deepEqual([...placement('picky').keys()], [sim0]);
    await k(['label', 'node', sim0, 'color-']);
    await until(() => podsOf('picky').length === 0 && sets.get(`${NS}/picky`)?.status?.desiredNumberScheduled === 0, 'the picky pod gone from the unlabelled node');
    await k(['delete', 'daemonset', 'picky']);
  });

  test('DaemonSet-FailedPodCreation: a failed daemon pod is deleted and replaced', { timeout: 180_000 }, async () => {
    const victim = (placement('agent').get(sim0) ?? [])[0];
    assert.ok(victim, 'an agent pod on the simulated node');
    await k(['patch', 'pod', victim.metadata.name!, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Failed"}}']);
    await until(() => !pods.get(`${NS}/${victim.metadata.name}`) || Boolean(pods.get(`${NS}/${victim.metadata.name}`)?.metadata.deletionTimestamp), 'the failed pod deleted');
    await until(() => (placement('agent').get(sim0) ?? []).some((p) => p.metadata.uid !== victim.metadata.uid && isReady(p)), 'a replacement for the failed pod');
  });

  test('DaemonSet-RollingUpdate: a template change replaces pods within maxUnavailable; rollout status succeeds', { timeout: 180_000 }, async () => {
    await until(() => sets.get(`${NS}/agent`)?.status?.numberAvailable === 2, 'both agent pods available');
    const before = new Set(podsOf('agent').map((p) => p.metadata.uid));
    maxUnavailableSeen = 0;
    watchUnavailable = true;
    await k(['set', 'env', 'daemonset/agent', 'VERSION=2']);
    await k(['rollout', 'status', 'daemonset/agent', '--timeout=120s'], { timeoutMs: 130_000 });
    await until(() => podsOf('agent').length === 2 && podsOf('agent').every((p) => !before.has(p.metadata.uid) && isReady(p)), 'two new agent pods');
    watchUnavailable = false;
    assert.ok(maxUnavailableSeen <= 1, `at most one node without an available pod (saw ${maxUnavailableSeen})`);
    for (const p of podsOf('agent')) assert.equal(p.spec?.containers[0]?.env?.find((e) => e.name === 'VERSION')?.value, '2');
    const ds = sets.get(`${NS}/agent`)!;
    assert.equal(ds.status?.updatedNumberScheduled, 2);
  });

  test('DaemonSet-Rollback: kubectl rollout history and undo use the ControllerRevisions', { timeout: 180_000 }, async () => {
    const history = await k(['rollout', 'history', 'daemonset/agent']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    await k(['rollout', 'undo', 'daemonset/agent']);
    await until(() => {
      const ds = sets.get(`${NS}/agent`);
      return ds?.spec.template.spec?.containers[0]?.env?.[0]?.value === '1';
    }, 'the template back at VERSION=1');
    await k(['rollout', 'status', 'daemonset/agent', '--timeout=120s'], { timeoutMs: 130_000 });
    await until(() => podsOf('agent').length === 2 && podsOf('agent').every((p) => p.spec?.containers[0]?.env?.[0]?.value === '1' && isReady(p)), 'pods back at VERSION=1');
    const revs = JSON.parse(await k(['get', 'controllerrevisions', '-o', 'json'])) as { items: Array<{ metadata: { name: string }; revision: number }> };
    // kubectl 1.27 reads the same status and history.
    const old = await kubectl('1.27', server, ['-n', NS, 'rollout', 'status', 'daemonset/agent', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /successfully rolled out/);
    const oldHistory = await kubectl('1.27', server, ['-n', NS, 'rollout', 'history', 'daemonset/agent']);
    assert.equal(oldHistory.code, 0, oldHistory.stderr);
    assert.match(oldHistory.stdout, /^3\s/m);
    // The rolled-back template's revision was renumbered to 3, not duplicated.
    assert.deepEqual(revs.items.filter((r) => r.metadata.name.startsWith('agent-')).map((r) => r.revision).sort(), [2, 3]);
  });
});

describe('DaemonSet update strategies', () => {
  const version = (p: Pod): string | undefined => p.spec?.containers[0]?.env?.find((e) => e.name === 'VERSION')?.value;

  test('maxSurge: a new pod starts beside the old one, so no node is ever without an available pod', { timeout: 180_000 }, async () => {
    await k(['patch', 'daemonset', 'agent', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}}}']);
    await until(() => sets.get(`${NS}/agent`)?.status?.numberAvailable === 2, 'both agent pods available');
    maxUnavailableSeen = 0;
    watchUnavailable = true;
    await k(['set', 'env', 'daemonset/agent', 'VERSION=3']);
    await k(['rollout', 'status', 'daemonset/agent', '--timeout=120s'], { timeoutMs: 130_000 });
    await until(() => podsOf('agent').length === 2 && podsOf('agent').every((p) => version(p) === '3' && isReady(p)), 'two agent pods at VERSION=3');
    watchUnavailable = false;
    assert.equal(maxUnavailableSeen, 0);
  });

  test('OnDelete: a template change waits until a pod is deleted', { timeout: 180_000 }, async () => {
    await k(['patch', 'daemonset', 'agent', '--type=merge', '-p', '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}']);
    await k(['set', 'env', 'daemonset/agent', 'VERSION=4']);
    await until(() => {
      const ds = sets.get(`${NS}/agent`);
      return ds !== undefined && ds.status?.observedGeneration === ds.metadata.generation && ds.spec.template.spec?.containers[0]?.env?.[0]?.value === '4';
    }, 'the OnDelete change observed');
    assert.equal(sets.get(`${NS}/agent`)?.status?.updatedNumberScheduled, 0);
    assert.ok(podsOf('agent').every((p) => version(p) === '3'));
    const victim = (placement('agent').get(sim0) ?? [])[0]!;
    await k(['delete', 'pod', victim.metadata.name!, '--wait=false']);
    await until(() => (placement('agent').get(sim0) ?? []).some((p) => version(p) === '4' && isReady(p)), 'the replacement at VERSION=4');
    await until(() => sets.get(`${NS}/agent`)?.status?.updatedNumberScheduled === 1, 'one updated pod in status');
    assert.equal(version((placement('agent').get(realNode) ?? [])[0]!), '3');
  });
});
