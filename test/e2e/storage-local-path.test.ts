// Dynamic local volumes under `skiff up`, as k3s users know them: the built-in local-path
// provisioner and its default `local-path` StorageClass (WaitForFirstConsumer, Delete). A claim
// without a class gets local-path and waits for a pod; the scheduler picks the node and the
// provisioner makes a hostPath volume in the node's storage directory (through a helper pod),
// which the PV controller binds; the data outlives the pod; deleting the claim deletes the volume
// and its directory. Watches (informers) drive every wait.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/api/meta.ts';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { kubectl } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `lp-${hex}`;
const NS = 'storage';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let claims: Informer<PersistentVolumeClaim>;
let volumes: Informer<PersistentVolume>;
let pods: Informer<Pod>;
let helpers: Informer<Pod>;
let classes: Informer;
let events: Informer<KubeObject & { reason?: string; involvedObject?: { name?: string } }>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };

async function k(args: string[], o: { input?: string; version?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl(o.version ?? '1.33', server, args, { ...(o.input === undefined ? {} : { input: o.input }), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
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

const claim = (name: string): PersistentVolumeClaim | undefined => claims.get(`${NS}/${name}`);
const pod = (name: string): Pod | undefined => pods.get(`${NS}/${name}`);
const isReady = (p: Pod | undefined): boolean => p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function podManifest(name: string, script: string, restartPolicy: 'Always' | 'Never' = 'Always'): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${NS} }
spec:
  restartPolicy: ${restartPolicy}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
    volumeMounts: [{ name: data, mountPath: /data }]
  volumes:
  - name: data
    persistentVolumeClaim: { claimName: data }
`;
}

before(async () => {
  cluster = await startUpCluster({ label: 'localpath', nodeName, cgroupRoot: `/skiff-e2e-localpath-${hex}`, bridge: `skiffl${hex}`, subnetBase: 80 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-local-path');
  claims = cs.informer<PersistentVolumeClaim>({ group: '', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true }, { namespace: NS });
  volumes = cs.informer<PersistentVolume>({ group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false });
  pods = cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true }, { namespace: NS });
  helpers = cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true }, { namespace: 'kube-system', labelSelector: 'skiff.io/local-path-helper' });
  classes = cs.informer({ group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', namespaced: false });
  events = cs.informer({ group: '', version: 'v1', resource: 'events', namespaced: true }, { namespace: NS });
  for (const i of [claims, volumes, pods, helpers, classes, events] as Array<Informer<KubeObject>>) i.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await k(['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await cluster?.stop();
});

describe('local-path provisioner (dynamic local volumes)', () => {
  test('local-path is the default StorageClass, shown as such by kubectl 1.33 and 1.27', async () => {
    await until(() => classes.get('local-path') !== undefined, 'the local-path StorageClass');
    for (const version of ['1.33', '1.27']) {
      const out = await k(['get', 'sc'], { version });
      assert.match(out, /^local-path \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s/m, out);
    }
  });

  test('a claim without a class gets local-path, waits for its first pod, is provisioned on its node, keeps its data across pods, and goes with its volume and directory', async () => {
    const created = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], { input: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: ${NS} }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 128Mi } }
` })) as PersistentVolumeClaim;
    assert.equal(created.spec?.storageClassName, 'local-path', 'DefaultStorageClass admission');
    // Nothing happens until a pod uses it.
    await until(() => [...events.values()].some((e) => e.involvedObject?.name === 'data' && e.reason === 'WaitForFirstConsumer'), 'the WaitForFirstConsumer event');
    assert.equal(claim('data')?.status?.phase, 'Pending');
    assert.equal(claim('data')?.spec?.volumeName, undefined);
    assert.equal([...volumes.values()].length, 0, 'no volume before a consumer');
    assert.match(await k(['get', 'pvc', '-n', NS, 'data']), /^data\s+Pending\s+local-path\s/m);

    await k(['apply', '-f', '-'], { input: podManifest('writer', 'echo written-by-writer > /data/out.txt; exec sleep 3600') });
    await until(() => isReady(pod('writer')), 'the writer pod Ready');
    const c = claim('data')!;
    const pvName = `pvc-${created.metadata.uid}`;
    assert.equal(c.status?.phase, 'Bound');
    assert.equal(c.spec?.volumeName, pvName);
    assert.equal(c.metadata.annotations?.['volume.kubernetes.io/selected-node'], nodeName);
    assert.equal(c.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
    assert.deepEqual(c.status?.capacity, { storage: '128Mi' }, 'capacity is what was requested');
    assert.equal(pod('writer')?.spec?.nodeName, nodeName);
    const pv = volumes.get(pvName)!;
    const dir = join(cluster.dataDir, 'node', 'storage', `${pvName}_${NS}_data`);
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.deepEqual(pv.spec?.hostPath, { path: dir, type: 'DirectoryOrCreate' });
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, [nodeName]);
    assert.match(await k(['get', 'pv', pvName]), new RegExp(`^${pvName}\\s+128Mi\\s+RWO\\s+Delete\\s+Bound\\s+${NS}/data\\s+local-path\\s`, 'm'));
    const mode = (await stat(dir)).mode & 0o777;
    assert.equal(mode, 0o777, 'made by the helper pod as k3s makes it');
    await until(() => existsSync(join(dir, 'out.txt')), 'the file the writer writes');
    assert.equal(await readFile(join(dir, 'out.txt'), 'utf8'), 'written-by-writer\n');
    await until(() => helpers.values().next().done === true, 'the create helper pod removed');

    await k(['delete', 'pod', '-n', NS, 'writer', '--wait=true'], { timeoutMs: 60_000 });
    await k(['apply', '-f', '-'], { input: podManifest('reader', 'cat /data/out.txt', 'Never') });
    await until(() => pod('reader')?.status?.phase === 'Succeeded', 'the reader pod Succeeded');
    assert.equal(await k(['logs', '-n', NS, 'reader']), 'written-by-writer\n');
    await k(['delete', 'pod', '-n', NS, 'reader', '--wait=true'], { timeoutMs: 60_000 });

    await k(['delete', 'pvc', '-n', NS, 'data']);
    await until(() => !volumes.get(pvName), 'the volume deleted');
    assert.equal(existsSync(dir), false, 'the directory is removed with the volume');
    await until(() => helpers.values().next().done === true, 'the delete helper pod removed');
  });

  test('a StatefulSet\'s volumeClaimTemplates without a class are provisioned by local-path, one volume per pod, kept when the pod is replaced', async () => {
    await k(['apply', '-f', '-'], { input: `apiVersion: v1
kind: Service
metadata: { name: db, namespace: ${NS} }
spec: { clusterIP: None, selector: { app: db }, ports: [{ port: 80 }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: ${NS} }
spec:
  serviceName: db
  replicas: 2
  podManagementPolicy: Parallel
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: busybox
        command: ["sh", "-c", "echo $HOSTNAME >> /data/names; exec sleep 3600"]
        volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
  - metadata: { name: data }
    spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 64Mi } } }
` });
    await until(() => ['db-0', 'db-1'].every((p) => isReady(pod(p)) && claim(`data-${p}`)?.status?.phase === 'Bound'), 'db-0 and db-1 Ready on bound claims');
    for (const p of ['db-0', 'db-1']) {
      const c = claim(`data-${p}`)!;
      assert.equal(c.spec?.storageClassName, 'local-path');
      assert.equal(c.metadata.annotations?.['volume.kubernetes.io/selected-node'], nodeName);
      assert.equal(volumes.get(c.spec?.volumeName ?? '')?.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    }
    const before = claim('data-db-1')!.spec!.volumeName;
    const oldUid = pod('db-1')!.metadata.uid;
    await k(['delete', 'pod', '-n', NS, 'db-1', '--wait=true'], { timeoutMs: 60_000 });
    await until(() => isReady(pod('db-1')) && pod('db-1')!.metadata.uid !== oldUid, 'db-1 replaced');
    assert.equal(claim('data-db-1')!.spec!.volumeName, before, 'the replacement mounts the same volume');
    assert.equal(await k(['exec', '-n', NS, 'db-1', '--', 'cat', '/data/names']), 'db-1\ndb-1\n');
    await k(['delete', 'statefulset', '-n', NS, 'db', '--wait=true'], { timeoutMs: 60_000 });
    await k(['delete', 'pvc', '-n', NS, 'data-db-0', 'data-db-1', '--wait=true'], { timeoutMs: 60_000 });
    await until(() => volumes.get(before!) === undefined, 'the released volume deleted');
  });

  test('a claim made while no class is default gets the default once there is one (retroactive default class)', async () => {
    const mark = async (v: string): Promise<void> => { await k(['annotate', 'sc', 'local-path', `storageclass.kubernetes.io/is-default-class=${v}`, '--overwrite']); };
    await mark('false');
    try {
      await until(() => classes.get('local-path')?.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'false', 'local-path no longer default');
      const created = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], { input: `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: late, namespace: ${NS} }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 16Mi } }
` })) as PersistentVolumeClaim;
      assert.equal(created.spec?.storageClassName, undefined, 'no default class: none given');
      await until(() => [...events.values()].some((e) => e.involvedObject?.name === 'late' && e.reason === 'FailedBinding'), 'the FailedBinding event of a classless claim');
    } finally {
      await mark('true');
    }
    await until(() => claim('late')?.spec?.storageClassName === 'local-path', 'the default class assigned to the waiting claim');
    await until(() => [...events.values()].some((e) => e.involvedObject?.name === 'late' && e.reason === 'WaitForFirstConsumer'), 'the claim now waiting for a consumer');
    await k(['delete', 'pvc', '-n', NS, 'late']);
  });
});
