// The Deployment controller under `skiff up` (with the ReplicaSet controller, scheduler and node
// agent), driven by the real kubectl 1.33 and 1.27 with real busybox containers. A pod informer
// records, at every pod event of a rollout, how many pods there are and how many are available,
// so the surge and availability bounds are checked on what really ran, not on what was asked.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import type { Deployment } from '../../src/controllers/deployment/deployment-types.ts';
import type { ReplicaSet } from '../../src/controllers/util/workload-types.ts';
import { kubectl } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `dep-${hex}`;
const NS = 'deploy';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let deployments: Informer<Deployment>;
let replicaSets: Informer<ReplicaSet>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };
/** Called with the pod cache after every pod event (the rollout bounds checks). */
let onPodEvent: (() => void) | undefined;

async function k(args: string[], o: { input?: string; version?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl(o.version ?? '1.33', server, args, { ...(o.input === undefined ? {} : { input: o.input }), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}\n${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${describeState()}\n${server.logs().slice(-2000)}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const live = (p: Pod): boolean => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const podsOf = (app: string): Pod[] => [...pods.values()].filter((p) => p.metadata.labels?.app === app);
const rssOf = (name: string): ReplicaSet[] => {
  const d = deployments.get(`${NS}/${name}`);
  return [...replicaSets.values()].filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d?.metadata.uid));
};
const dep = (name: string): Deployment => deployments.get(`${NS}/${name}`)!;
const condition = (name: string, type: string): { status?: string; reason?: string } | undefined => dep(name)?.status?.conditions?.find((c) => c.type === type);

function describeState(): string {
  return [...deployments.values()].map((d) => `${d.metadata.name}: ${JSON.stringify(d.status)}\n${rssOf(d.metadata.name!).map((rs) => `  ${rs.metadata.name} spec=${rs.spec?.replicas} ${JSON.stringify(rs.status)}`).join('\n')}`).join('\n');
}

/** A Deployment whose pods turn Ready through an exec probe and stop at once on TERM. */
function manifest(name: string, o: { replicas: number; surge?: string | number; unavailable?: string | number; recreate?: boolean; deadline?: number; historyLimit?: number }): string {
  const strategy = o.recreate ? '{ type: Recreate }' : `{ type: RollingUpdate, rollingUpdate: { maxSurge: ${JSON.stringify(o.surge ?? 1)}, maxUnavailable: ${JSON.stringify(o.unavailable ?? 1)} } }`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${NS}, annotations: { kubernetes.io/change-cause: "create ${name}" } }
spec:
  replicas: ${o.replicas}
  selector: { matchLabels: { app: ${name} } }
  strategy: ${strategy}
  ${o.deadline ? `progressDeadlineSeconds: ${o.deadline}` : ''}
  ${o.historyLimit !== undefined ? `revisionHistoryLimit: ${o.historyLimit}` : ''}
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: ${name}
        image: busybox
        env: [{ name: V, value: "1" }]
        command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
        readinessProbe:
          exec: { command: ["true"] }
          # Ready within a second of starting, and kept Ready through a slow probe on a busy
          # machine: the bounds below are about the controller, not about probe flapping.
          periodSeconds: 1
          timeoutSeconds: 10
          failureThreshold: 60
`;
}

/** Bounds seen over every pod event while `fn` runs: most pods alive, fewest available. */
async function watchBounds(app: string, fn: () => Promise<void>): Promise<{ maxTotal: number; minAvailable: number; events: number; trace: string[] }> {
  const seen = { maxTotal: 0, minAvailable: Infinity, events: 0, trace: [] as string[] };
  // A pod counts as available from its first Ready on, until it is deleted: the node agent
  // sometimes reports a Ready pod NotReady for a moment (seen here with a probe of `true` that
  // cannot fail), which is no decision of the controller's; what is checked is that the
  // controller never takes away more available pods than maxUnavailable allows.
  const wasReady = new Set<string>();
  onPodEvent = () => {
    const mine = podsOf(app).filter(live);
    for (const p of mine) if (isReady(p)) wasReady.add(p.metadata.uid!);
    seen.events += 1;
    seen.trace.push(mine.map((p) => `${p.metadata.name!.slice(-5)}${isReady(p) ? '+' : '-'}`).sort().join(' ') + ` | rs ${rssOf(app).map((rs) => `${rs.spec?.replicas}/${rs.status?.availableReplicas ?? 0}`).join(' ')}`);
    seen.maxTotal = Math.max(seen.maxTotal, mine.length);
    seen.minAvailable = Math.min(seen.minAvailable, mine.filter((p) => wasReady.has(p.metadata.uid!)).length);
  };
  onPodEvent();
  try {
    await fn();
  } finally {
    onPodEvent = undefined;
  }
  return seen;
}

/** The rollout finished: every replica updated and available, old ReplicaSets empty. */
async function rolledOut(name: string, replicas: number, timeoutMs = 90_000): Promise<void> {
  // The server's generation now: the test's informer may not have seen the change just made yet,
  // and the old object's status says "rolled out" too.
  const generation = Number(await k(['get', 'deployment', name, '-n', NS, '-o', 'jsonpath={.metadata.generation}']));
  await until(() => {
    const d = dep(name);
    const s = d?.status;
    return !!s && (d.metadata.generation ?? 0) >= generation && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.updatedReplicas === replicas && s.replicas === replicas
      && s.availableReplicas === replicas && podsOf(name).filter(live).length === replicas;
  }, `${name} rolled out to ${replicas}`, timeoutMs);
}

before(async () => {
  cluster = await startUpCluster({ label: 'deploy', nodeName, cgroupRoot: `/skiff-e2e-deploy-${hex}`, bridge: `skiffd${hex}`, subnetBase: 176 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-deployment');
  pods = cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true }, { namespace: NS });
  deployments = cs.informer<Deployment>({ group: 'apps', version: 'v1', resource: 'deployments', namespaced: true }, { namespace: NS });
  replicaSets = cs.informer<ReplicaSet>({ group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true }, { namespace: NS });
  const podEvent = (): void => { onPodEvent?.(); wake(); };
  pods.addHandlers({ add: podEvent, update: (_o, _p) => podEvent(), delete: podEvent });
  deployments.addHandlers({ add: wake, update: wake, delete: wake });
  replicaSets.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await k(['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
});

describe('Deployment controller', () => {
  test('kubectl create deployment reaches 3/3 with a pod-template-hash ReplicaSet (Deployment, completes the lifecycle of a Deployment)', { timeout: 120_000 }, async () => {
    await k(['create', 'deployment', 'web', '-n', NS, '--image=busybox', '--replicas=3', '--', 'sleep', '3600']);
    await k(['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=90s'], { timeoutMs: 100_000 });
    assert.match(await k(['get', 'deployment', 'web', '-n', NS]), /^web\s+3\/3\s+3\s+3\s/m);
    const [rs] = rssOf('web');
    assert.ok(rs);
    const hash = rs.metadata.labels?.['pod-template-hash'];
    assert.match(hash ?? '', /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.equal(rs.spec?.selector.matchLabels?.['pod-template-hash'], hash);
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.ok(podsOf('web').every((p) => p.metadata.labels?.['pod-template-hash'] === hash));
    assert.equal(dep('web').metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(condition('web', 'Available')?.status, 'True');
    assert.equal(condition('web', 'Progressing')?.reason, 'NewReplicaSetAvailable');
    const described = await k(['describe', 'deployment', 'web', '-n', NS]);
    assert.match(described, new RegExp(`ScalingReplicaSet\\s+.*Scaled up replica set web-${hash} from 0 to 3`));
    // kubectl 1.27 reads the same status.
    assert.match(await k(['rollout', 'status', 'deployment/web', '-n', NS], { version: '1.27' }), /successfully rolled out/);
    // Scale subresource (Deployment, completes the scaling of a Deployment subresource).
    await k(['scale', 'deployment/web', '-n', NS, '--replicas=1']);
    await rolledOut('web', 1);
    await k(['delete', 'deployment', 'web', '-n', NS]);
  });

  test('Deployment RollingUpdate: 6 replicas with maxSurge 1/maxUnavailable 1 and 25%/25% stay within bounds at every pod event; rollout history lists change causes', { timeout: 240_000 }, async () => {
    await k(['apply', '-f', '-'], { input: manifest('roll', { replicas: 6, surge: 1, unavailable: 1 }) });
    await rolledOut('roll', 6);
    const first = await watchBounds('roll', async () => {
      await k(['set', 'env', 'deployment/roll', '-n', NS, 'V=2']);
      await k(['annotate', 'deployment/roll', '-n', NS, '--overwrite', 'kubernetes.io/change-cause=env V=2']);
      await rolledOut('roll', 6);
    });
    assert.ok(first.events > 12, `saw the rollout (${first.events} pod events)`);
    assert.ok(first.maxTotal <= 7, `never above replicas + maxSurge = 7 pods (saw ${first.maxTotal})`);
    assert.ok(first.minAvailable >= 5, `never below replicas - maxUnavailable = 5 available (saw ${first.minAvailable})\n${first.trace.join('\n')}`);

    // 25%/25% of 6: surge rounds up to 2, unavailable down to 1.
    await k(['patch', 'deployment/roll', '-n', NS, '-p', JSON.stringify({
      metadata: { annotations: { 'kubernetes.io/change-cause': 'env V=3 at 25%' } },
      spec: { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, template: { spec: { containers: [{ name: 'roll', env: [{ name: 'V', value: '3' }] }] } } },
    })]);
    const second = await watchBounds('roll', () => rolledOut('roll', 6));
    assert.ok(second.maxTotal <= 8, `never above 6 + 2 pods (saw ${second.maxTotal})`);
    assert.ok(second.minAvailable >= 5, `never below 6 - 1 available (saw ${second.minAvailable})\n${second.trace.join('\n')}`);

    const history = await k(['rollout', 'history', 'deployment/roll', '-n', NS]);
    assert.match(history, /^1\s+create roll$/m);
    assert.match(history, /^2\s+env V=2$/m);
    assert.match(history, /^3\s+env V=3 at 25%$/m);
    assert.match(await k(['rollout', 'history', 'deployment/roll', '-n', NS, '--revision=2'], { version: '1.27' }), /V:\s+2/);
    assert.equal(rssOf('roll').length, 3);
    assert.deepEqual(rssOf('roll').map((rs) => rs.spec?.replicas).sort(), [0, 0, 6]);
  });

  test('C6: an image that cannot be pulled stalls the rollout with old pods available; scaling mid-rollout is proportional (Deployment Proportional Scaling); rollout undo brings every replica back', { timeout: 240_000 }, async () => {
    await k(['apply', '-f', '-'], { input: manifest('bad', { replicas: 4, surge: 1, unavailable: 1, deadline: 8 }) });
    await rolledOut('bad', 4);
    const goodHash = rssOf('bad')[0]!.metadata.labels!['pod-template-hash'];
    const stalled = await watchBounds('bad', async () => {
      await k(['set', 'image', 'deployment/bad', '-n', NS, 'bad=busybox:does-not-exist']);
      await until(() => condition('bad', 'Progressing')?.reason === 'ProgressDeadlineExceeded', 'the progress deadline to pass', 60_000);
    });
    assert.ok(stalled.minAvailable >= 3, `old pods kept serving (min available ${stalled.minAvailable})`);
    assert.equal(condition('bad', 'Progressing')?.status, 'False');
    const r = await kubectl('1.33', server, ['rollout', 'status', 'deployment/bad', '-n', NS, '--timeout=10s']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /exceeded its progress deadline/);

    // Both ReplicaSets active (old 3, new 2 = 4 + surge 1): scale to 10 (max 11) spreads 6 more.
    await k(['scale', 'deployment/bad', '-n', NS, '--replicas=10']);
    await until(() => rssOf('bad').reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0) === 11, 'proportional scale-up to 11');
    const sizes = rssOf('bad').map((rs) => rs.spec?.replicas ?? 0).sort((a, b) => a - b);
    assert.ok(sizes[0]! > 2 && sizes[1]! > 3, `both ReplicaSets grew: ${sizes.join(', ')}`);
    await k(['scale', 'deployment/bad', '-n', NS, '--replicas=4']);
    await until(() => rssOf('bad').reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0) <= 5, 'proportional scale-down');

    await k(['rollout', 'undo', 'deployment/bad', '-n', NS], { version: '1.27' });
    await rolledOut('bad', 4);
    assert.ok(podsOf('bad').filter(live).every((p) => p.metadata.labels?.['pod-template-hash'] === goodHash && isReady(p)));
    const back = rssOf('bad').find((rs) => rs.metadata.labels?.['pod-template-hash'] === goodHash)!;
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    await until(() => condition('bad', 'Progressing')?.reason === 'NewReplicaSetAvailable', 'Progressing back to NewReplicaSetAvailable');
  });

  test('rollout undo --to-revision, pause/resume (scaling still applies while paused) and restart', { timeout: 240_000 }, async () => {
    await k(['apply', '-f', '-'], { input: manifest('ops', { replicas: 2, surge: 1, unavailable: 0 }) });
    await rolledOut('ops', 2);
    await k(['set', 'env', 'deployment/ops', '-n', NS, 'V=2']);
    await rolledOut('ops', 2);
    await k(['set', 'env', 'deployment/ops', '-n', NS, 'V=3']);
    await rolledOut('ops', 2);
    const envOf = (): string | undefined => dep('ops').spec.template.spec?.containers[0]?.env?.find((e) => e.name === 'V')?.value;

    await k(['rollout', 'undo', 'deployment/ops', '-n', NS, '--to-revision=1']);
    await until(() => envOf() === '1', 'template back to revision 1');
    await rolledOut('ops', 2);
    assert.equal(dep('ops').metadata.annotations?.['deployment.kubernetes.io/revision'], '4');

    await k(['rollout', 'pause', 'deployment/ops', '-n', NS], { version: '1.27' });
    await until(() => condition('ops', 'Progressing')?.reason === 'DeploymentPaused', 'DeploymentPaused');
    const rsCount = rssOf('ops').length;
    await k(['set', 'env', 'deployment/ops', '-n', NS, 'V=4']);
    await k(['scale', 'deployment/ops', '-n', NS, '--replicas=3']);
    await until(() => podsOf('ops').filter(live).filter(isReady).length === 3 && dep('ops').status?.observedGeneration === dep('ops').metadata.generation, 'scaled to 3 while paused');
    assert.equal(rssOf('ops').length, rsCount, 'no new ReplicaSet while paused');
    assert.equal(dep('ops').status?.updatedReplicas ?? 0, 0, 'nothing rolled out while paused');

    await k(['rollout', 'resume', 'deployment/ops', '-n', NS]);
    await rolledOut('ops', 3);
    assert.ok(podsOf('ops').filter(live).every((p) => p.spec?.containers[0]?.env?.find((e) => e.name === 'V')?.value === '4'));

    const before = new Set(podsOf('ops').filter(live).map((p) => p.metadata.name));
    await k(['rollout', 'restart', 'deployment/ops', '-n', NS]);
    await until(() => { const now = podsOf('ops').filter(live); return now.length === 3 && now.every((p) => !before.has(p.metadata.name) && isReady(p)); }, 'restarted pods');
    await rolledOut('ops', 3);
  });

  test('Deployment Recreate: old pods are gone before new ones start; Deployment RevisionHistoryLimit: old ReplicaSets beyond the limit are deleted', { timeout: 180_000 }, async () => {
    await k(['apply', '-f', '-'], { input: manifest('rec', { replicas: 2, recreate: true, historyLimit: 1 }) });
    await rolledOut('rec', 2);
    const oldHash = rssOf('rec')[0]!.metadata.labels!['pod-template-hash'];
    let overlap = false;
    await watchBounds('rec', async () => {
      const prev = onPodEvent!;
      onPodEvent = () => {
        prev();
        // Upstream's promise is about running pods: a pod that reached Succeeded/Failed while
        // being deleted has no containers left, even if its object is still there.
        const running = podsOf('rec').filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
        const hashes = new Set(running.map((p) => p.metadata.labels?.['pod-template-hash']));
        if (hashes.has(oldHash) && hashes.size > 1) overlap = true;
      };
      await k(['set', 'env', 'deployment/rec', '-n', NS, 'V=2']);
      await rolledOut('rec', 2);
    });
    assert.equal(overlap, false, 'no new pod while an old one existed');
    await k(['set', 'env', 'deployment/rec', '-n', NS, 'V=3']);
    await rolledOut('rec', 2);
    await until(() => rssOf('rec').length === 2, 'only the new ReplicaSet and one old one kept');
  });
});
