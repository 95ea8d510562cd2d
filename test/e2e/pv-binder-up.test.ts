// The PersistentVolume binder with a node: under `skiff up` a claim binds to a static hostPath
// volume, and a pod mounting the claim writes into that directory on this host.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cgroupDirs, removeCgroup } from '../../src/runtime/cgroups.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';
import { freePort, kubectl, removeDir, startServer, tempDir, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';

const hex = randomBytes(3).toString('hex');
const cgroupRoot = `/skiff-e2e-pvup-${hex}`;
const bridge = `skiffv${hex}`;
const nodeName = `pvup-${hex}`;
let server: RunningServer;
let dataDir: string;
let hostDir: string;

before(async () => {
  dataDir = await tempDir('e2e-pvup');
  hostDir = await tempDir('e2e-pvup-volume');
  const subnet = `10.42.${224 + (randomBytes(1)[0]! % 16)}.0/24`;
  server = await startServer({
    command: 'up', dataDir,
    extraArgs: ['--node-name', nodeName, '--kubelet-port', String(await freePort()), '--pod-subnet', subnet, '--bridge', bridge, '--cgroup-root', cgroupRoot,
      // Volumes only: none of the node's network (its nft rules would outlive the cluster in the host).
      '--disable', 'proxy,dns,routes,network-policy,ingress'],
  });
});

after(async () => {
  await server.stop();
  // The node agent leaves containers running when it stops: remove them here.
  const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
  await engine.reset();
  await removeCgroup(cgroupRoot, cgroupRoot).catch(() => undefined);
  const left = [...cgroupDirs(cgroupRoot).filter((d) => existsSync(d)), ...mountPoints().filter((m) => m.startsWith(dataDir) || m.startsWith(hostDir))];
  await removeDir(dataDir);
  await rm(hostDir, { recursive: true, force: true });
  assert.deepEqual(left, [], 'host state left behind');
});

describe('PersistentVolume binder under skiff up', () => {
  test('a pod mounting a claim bound to a hostPath volume writes into the host directory; deleting the claim releases the volume', async () => {
    const k = async (args: string[], input?: string, timeoutMs?: number): Promise<string> => {
      const r = await kubectl('1.33', server, args, { ...(input === undefined ? {} : { input }), ...(timeoutMs ? { timeoutMs } : {}) });
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-2000)}`);
      return r.stdout;
    };
    await k(['apply', '-f', '-'], `apiVersion: v1
kind: PersistentVolume
metadata: { name: host-vol }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  hostPath: { path: ${hostDir}, type: Directory }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec:
  storageClassName: ""  # not the default class (local-path): the static volume above
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 100Mi } }
---
apiVersion: v1
kind: Pod
metadata: { name: writer }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo written-by-pod > /data/out.txt; exec sleep 3600"]
    volumeMounts: [{ name: data, mountPath: /data }]
  volumes:
  - name: data
    persistentVolumeClaim: { claimName: data }
`);
    await waitUntil(async () => JSON.parse(await k(['get', 'pvc', 'data', '-o', 'json'])).status?.phase === 'Bound', 30_000, 'claim Bound');
    assert.match(await k(['get', 'pvc', 'data']), /^data\s+Bound\s+host-vol\s+1Gi\s+RWO\s/m);
    await k(['wait', '--for=condition=Ready', 'pod/writer', '--timeout=90s'], undefined, 100_000);
    const out = join(hostDir, 'out.txt');
    await waitUntil(() => existsSync(out), 20_000, 'the file the pod writes');
    assert.equal(await readFile(out, 'utf8'), 'written-by-pod\n');

    await k(['delete', 'pod', 'writer', '--wait=true'], undefined, 60_000);
    await k(['delete', 'pvc', 'data']);
    await waitUntil(async () => JSON.parse(await k(['get', 'pv', 'host-vol', '-o', 'json'])).status?.phase === 'Released', 30_000, 'volume Released');
    assert.equal(await readFile(out, 'utf8'), 'written-by-pod\n', 'Retain keeps the data');
    const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
    await waitUntil(async () => (await engine.sandboxes.list()).length === 0, 20_000, 'the pod sandbox is removed');
  });
});
