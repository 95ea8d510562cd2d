// The StatefulSet controller under `skiff up` with real containers and kubectl 1.33: a set of 3
// behind a headless Service, its claims bound to hostPath PersistentVolumes this test makes (so it
// does not need a provisioner). Pods start in ordinal order (from a watch), each writes its name
// to its volume, a deleted pod comes back with the same name and data, DNS gives each pod a name
// under the Service, a partitioned rolling update replaces only web-2, kubectl rollout
// status/history/undo work from the ControllerRevisions, and scale-down removes web-2 then web-1.
// Test names follow the conformance tests' (test/e2e/apps/statefulset.go).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RESOURCES } from '../../src/api/scheme.ts';
import { firstHost } from '../../src/cni/config-list.ts';
import type { ControllerRevision, StatefulSet } from '../../src/api/types/apps-v1.ts';
import type { PersistentVolumeClaim, Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { kubectl, tempDir, type RunningServer } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `sts-${hex}`;
const NS = 'sts-e2e';
const CLASS = `e2e-sts-${hex}`;
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let sets: Informer<StatefulSet>;
let claims: Informer<PersistentVolumeClaim>;
const hostDirs: string[] = [];
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };
/** What the pod watch saw, in order: `add web-0`, `ready web-0`, `terminating web-2`, `delete web-2`. */
const timeline: string[] = [];

async function k(args: string[], opts: { input?: string; version?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl(opts.version ?? '1.33', server, ['-n', NS, ...args], { ...(opts.input === undefined ? {} : { input: opts.input }), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

async function until(cond: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) {
      const state = [...pods.values()].map((p) => `${p.metadata.name} ${p.status?.phase} rev=${p.metadata.labels?.['controller-revision-hash']} del=${p.metadata.deletionTimestamp ?? ''}`);
      throw new Error(`timed out waiting for ${what}\nset: ${JSON.stringify(web()?.status)}\npods:\n${state.join('\n')}\ntimeline: ${timeline.join(', ')}\n${server.logs().slice(-3000)}`);
    }
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

const isReady = (p: Pod | undefined): boolean => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
const web = (): StatefulSet | undefined => sets.get(`${NS}/web`);
const podOf = (name: string): Pod | undefined => pods.get(`${NS}/${name}`);
const live = (): string[] => [...pods.values()].filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!).sort();
const at = (entry: string): number => timeline.indexOf(entry);

function statefulSet(replicas: number, version = '1'): string {
  return `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${replicas}
  serviceName: web
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        env: [{ name: VERSION, value: "${version}" }]
        command: ["sh", "-c", "hostname >> /data/names; exec sleep 3600"]
        volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
  - metadata: { name: data }
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: ${CLASS}
      resources: { requests: { storage: 100Mi } }
`;
}

/** The host directory behind a pod's claim (claim → bound volume → hostPath). */
async function namesFile(podName: string): Promise<string> {
  const pvName = claims.get(`${NS}/data-${podName}`)?.spec?.volumeName;
  assert.ok(pvName, `claim data-${podName} is bound`);
  const pv = JSON.parse(await k(['get', 'pv', pvName, '-o', 'json'])) as { spec: { hostPath: { path: string } } };
  return join(pv.spec.hostPath.path, 'names');
}

before(async () => {
  cluster = await startUpCluster({ label: 'sts', nodeName, cgroupRoot: `/skiff-e2e-sts-${hex}`, bridge: `skifft${hex}`, subnetBase: 32 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-statefulset');
  const res = (group: string, resource: string): (typeof RESOURCES)[number] => RESOURCES.find((r) => r.group === group && r.resource === resource)!;
  pods = cs.informer<Pod>(res('', 'pods'), { namespace: NS });
  sets = cs.informer<StatefulSet>(res('apps', 'statefulsets'), { namespace: NS });
  claims = cs.informer<PersistentVolumeClaim>(res('', 'persistentvolumeclaims'), { namespace: NS });
  const seen = new Set<string>();
  const note = (entry: string): void => {
    if (!seen.has(entry)) {
      seen.add(entry);
      timeline.push(entry);
    }
  };
  const see = (p: Pod): void => {
    const id = `${p.metadata.name}@${p.metadata.uid}`;
    note(`add ${id}`);
    if (isReady(p)) note(`ready ${id}`);
    if (p.metadata.deletionTimestamp) note(`terminating ${id}`);
    wake();
  };
  pods.addHandlers({ add: see, update: (_o, p) => see(p), delete: (p) => { note(`delete ${p.metadata.name}@${p.metadata.uid}`); wake(); } });
  sets.addHandlers({ add: wake, update: wake, delete: wake });
  claims.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await kubectl('1.33', server, ['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
  for (let i = 0; i < 3; i++) hostDirs.push(await tempDir(`e2e-sts-vol${i}`));
  await k(['apply', '-f', '-'], {
    input: hostDirs.map((dir, i) => `apiVersion: v1
kind: PersistentVolume
metadata: { name: sts-${hex}-${i} }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  storageClassName: ${CLASS}
  persistentVolumeReclaimPolicy: Retain
  hostPath: { path: ${dir}, type: Directory }
`).join('---\n'),
  });
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
  for (const d of hostDirs) await rm(d, { recursive: true, force: true });
});

/** The timeline id of the live pod called `name`. */
const idOf = (name: string): string => `${name}@${podOf(name)?.metadata.uid}`;

describe('StatefulSet controller (skiff up, real containers)', () => {
  test('[sig-apps] StatefulSet, Scaling: pods start in ordinal order, each Running and Ready before the next; stable identity, claims and DNS', { timeout: 240_000 }, async () => {
    await k(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${NS} }
spec:
  clusterIP: None
  selector: { app: web }
  ports: [{ name: http, port: 80 }]
---
${statefulSet(3)}`,
    });
    await until(() => web()?.status?.readyReplicas === 3, 'readyReplicas 3', 180_000);
    // From the watch: web-1 appeared only after web-0 was Ready, web-2 only after web-1.
    assert.ok(at(`add ${idOf('web-1')}`) > at(`ready ${idOf('web-0')}`), timeline.join(', '));
    assert.ok(at(`add ${idOf('web-2')}`) > at(`ready ${idOf('web-1')}`), timeline.join(', '));
    assert.deepEqual(live(), ['web-0', 'web-1', 'web-2']);
    const set = web()!;
    for (const [i, name] of ['web-0', 'web-1', 'web-2'].entries()) {
      const p = podOf(name)!;
      assert.equal(p.metadata.labels?.['statefulset.kubernetes.io/pod-name'], name);
      assert.equal(p.metadata.labels?.['apps.kubernetes.io/pod-index'], String(i));
      assert.equal(p.metadata.labels?.['controller-revision-hash'], set.status?.updateRevision);
      assert.equal(p.spec?.hostname, name);
      assert.equal(p.spec?.subdomain, 'web');
      assert.equal(p.metadata.ownerReferences?.[0]?.uid, set.metadata.uid);
      assert.deepEqual(p.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim, { claimName: `data-${name}` });
      const claim = claims.get(`${NS}/data-${name}`);
      assert.equal(claim?.status?.phase, 'Bound', name);
      assert.equal(claim?.metadata.labels?.app, 'web');
      // The claim was there before its pod.
      assert.ok(Date.parse(claim.metadata.creationTimestamp!) <= Date.parse(p.metadata.creationTimestamp!));
      assert.equal(await readFile(await namesFile(name), 'utf8'), `${name}\n`);
    }
    const st = set.status!;
    assert.equal(st.replicas, 3);
    assert.equal(st.currentReplicas, 3);
    assert.equal(st.updatedReplicas, 3);
    assert.equal(st.availableReplicas, 3);
    assert.equal(st.currentRevision, st.updateRevision);
    assert.match(st.currentRevision!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(st.observedGeneration, set.metadata.generation);
    const describe = await k(['describe', 'sts', 'web']);
    assert.match(describe, /SuccessfulCreate\s+.*statefulset-controller\s+create Claim data-web-0 Pod web-0 in StatefulSet web success/);
    assert.match(describe, /SuccessfulCreate\s+.*statefulset-controller\s+create Pod web-2 in StatefulSet web successful/);
    assert.match(await k(['get', 'sts', 'web']), /^web\s+3\/3\s/m);
    // DNS: each pod has a name under the headless Service.
    // The record follows the EndpointSlice, which follows readiness: ask until it is there. The
    // full name, through the kube-dns ClusterIP: busybox's nslookup asks every search-path
    // candidate at once, and this cluster's upstream resolver never answers the last one.
    const fqdn = `web-1.web.${NS}.svc.cluster.local`;
    const want = new RegExp(`Name:\\s+web-1\\.web\\.${NS}\\.svc\\.cluster\\.local\\s+Address:\\s+${podOf('web-1')!.status!.podIP!.replace(/\./g, '\\.')}`);
    let look = '';
    for (let attempt = 0; attempt < 20 && !want.test(look); attempt++) {
      const r = await kubectl('1.33', server, ['-n', NS, 'exec', 'web-0', '--', 'nslookup', fqdn], { timeoutMs: 30_000 });
      look = r.stdout + r.stderr;
      if (!want.test(look)) await new Promise((res) => setTimeout(res, 1000));
    }
    if (!want.test(look)) {
      const diag: string[] = [];
      for (const cmd of [['cat', '/etc/resolv.conf'], ['nslookup', fqdn, firstHost(cluster.subnet)], ['nslookup', `kubernetes.default.svc.cluster.local`]]) {
        const r = await kubectl('1.33', server, ['-n', NS, 'exec', 'web-0', '--', ...cmd], { timeoutMs: 30_000 });
        diag.push(`${cmd.join(' ')}: ${r.stdout}${r.stderr}`);
      }
      diag.push(await k(['get', 'svc,endpointslices', '-A', '-o', 'wide']));
      diag.push(server.logs().split('\n').filter((l) => /dns/i.test(l)).slice(-30).join('\n'));
      assert.fail(`${look}\n${diag.join('\n')}`);
    }
  });

  test('a deleted pod comes back with the same name and the same volume', { timeout: 180_000 }, async () => {
    const oldUid = podOf('web-1')!.metadata.uid;
    await k(['delete', 'pod', 'web-1', '--wait=false']);
    await until(() => podOf('web-1') !== undefined && podOf('web-1')!.metadata.uid !== oldUid && isReady(podOf('web-1')) && web()?.status?.readyReplicas === 3, 'web-1 back and ready');
    assert.equal(await readFile(await namesFile('web-1'), 'utf8'), 'web-1\nweb-1\n');
    assert.deepEqual(live(), ['web-0', 'web-1', 'web-2']);
  });

  test('[sig-apps] StatefulSet, Rolling Update with Partition: only web-2 is updated; rollout status, history and undo', { timeout: 240_000 }, async () => {
    const before = web()!.status!.updateRevision!;
    const uids = ['web-0', 'web-1'].map((n) => podOf(n)!.metadata.uid);
    await k(['patch', 'sts', 'web', '--type=merge', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']);
    await k(['apply', '-f', '-'], { input: statefulSet(3, '2').replace('  replicas: 3\n', '  replicas: 3\n  updateStrategy: { type: RollingUpdate, rollingUpdate: { partition: 2 } }\n') });
    await until(() => {
      const s = web()?.status;
      return s?.updateRevision !== before && s?.updatedReplicas === 1 && s.readyReplicas === 3 && podOf('web-2')?.metadata.labels?.['controller-revision-hash'] === s.updateRevision && isReady(podOf('web-2'));
    }, 'web-2 at the new revision');
    const st = web()!.status!;
    assert.equal(st.currentRevision, before);
    assert.equal(st.currentReplicas, 2);
    assert.deepEqual(['web-0', 'web-1'].map((n) => podOf(n)!.metadata.uid), uids, 'web-0 and web-1 untouched');
    assert.deepEqual(['web-0', 'web-1'].map((n) => podOf(n)!.metadata.labels?.['controller-revision-hash']), [before, before]);
    assert.equal(podOf('web-2')!.spec?.containers[0]?.env?.[0]?.value, '2');
    assert.match(await k(['rollout', 'status', 'sts/web', '--timeout=30s']), /partitioned roll out complete: 1 new pods have been updated/);
    const revs = JSON.parse(await k(['get', 'controllerrevisions', '-o', 'json'])) as { items: ControllerRevision[] };
    assert.deepEqual(revs.items.map((r) => `${r.metadata.name}=${r.revision}`).sort(), [`${before}=1`, `${st.updateRevision}=2`].sort());
    assert.match(await k(['rollout', 'history', 'sts/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(await k(['rollout', 'history', 'sts/web', '--revision=2']), /VERSION:\s+2/);
    assert.match(await k(['rollout', 'history', 'sts/web'], { version: '1.27' }), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    // Undo: the template of revision 1 comes back; that revision is renumbered 3, not copied.
    assert.match(await k(['rollout', 'undo', 'sts/web']), /rolled back/);
    await until(() => {
      const s = web()?.status;
      return s?.updateRevision === before && s.readyReplicas === 3 && podOf('web-2')?.metadata.labels?.['controller-revision-hash'] === before && isReady(podOf('web-2'));
    }, 'web-2 back at the first revision');
    const after = JSON.parse(await k(['get', 'controllerrevisions', '-o', 'json'])) as { items: ControllerRevision[] };
    assert.deepEqual(after.items.map((r) => `${r.metadata.name}=${r.revision}`).sort(), [`${before}=3`, `${st.updateRevision}=2`].sort());
    await until(() => web()?.status?.currentRevision === before && web()?.status?.currentReplicas === 3, 'the rollback complete');
  });

  test('[sig-apps] StatefulSet, Scaling: scale 3 → 1 removes web-2, then web-1; the claims stay', { timeout: 180_000 }, async () => {
    const id2 = idOf('web-2');
    const id1 = idOf('web-1');
    await k(['scale', 'sts', 'web', '--replicas=1']);
    await until(() => live().join() === 'web-0' && podOf('web-1') === undefined && podOf('web-2') === undefined && web()?.status?.replicas === 1, 'only web-0 left');
    // web-1 started terminating only after web-2 was gone.
    assert.ok(at(`terminating ${id1}`) > at(`delete ${id2}`), timeline.join(', '));
    assert.ok(['data-web-0', 'data-web-1', 'data-web-2'].every((c) => claims.get(`${NS}/${c}`) !== undefined), 'whenScaled: Retain keeps the claims');
    assert.ok(existsSync(await namesFile('web-2')));
  });
});
