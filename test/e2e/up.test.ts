// `skiff up` end to end: one process brings up the control plane, the scheduler and a node agent;
// the unmodified kubectl then runs a pod of real containers on this machine and deletes it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cgroupDirs, removeCgroup } from '../../src/runtime/cgroups.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { mountPoints } from '../../src/runtime/snapshots/overlay.ts';
import { freePort, kubectl, removeDir, startServer, tempDir, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';

const hex = randomBytes(3).toString('hex');
const cgroupRoot = `/skiff-e2e-up-${hex}`;
const bridge = `skiffu${hex}`;
const nodeName = `up-${hex}`;
let server: RunningServer;
let dataDir: string;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web }
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo started; exec sleep 3600"]
`;

before(async () => {
  dataDir = await tempDir('e2e-up');
  const subnet = `10.42.${224 + (randomBytes(1)[0]! % 16)}.0/24`;
  server = await startServer({
    command: 'up', dataDir,
    extraArgs: ['--node-name', nodeName, '--kubelet-port', String(await freePort()), '--pod-subnet', subnet, '--bridge', bridge, '--cgroup-root', cgroupRoot],
  });
});

after(async () => {
  await server.stop();
  // The node agent leaves containers running when it stops (as k3s does): remove them here.
  const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
  await engine.reset();
  await removeCgroup(cgroupRoot, cgroupRoot).catch(() => undefined);
  const left = [...cgroupDirs(cgroupRoot).filter((d) => existsSync(d)), ...mountPoints().filter((m) => m.startsWith(dataDir))];
  await removeDir(dataDir);
  assert.deepEqual(left, [], 'host state left behind');
});

describe('skiff up', () => {
  test('prints its progress and the kubectl line; the node is Ready', async () => {
    assert.match(server.logs(), /✓ certificates, store and API server/);
    assert.match(server.logs(), new RegExp(`node ${nodeName} is Ready`));
    assert.match(server.logs(), /export KUBECONFIG=\S+kubeconfig\.yaml/);
    const nodes = await kubectl('1.33', server, ['get', 'nodes']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, new RegExp(`${nodeName}\\s+Ready`));
  });

  test('kubectl apply -f pod.yaml gives a running pod of real containers; delete removes it', async () => {
    const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: POD });
    assert.equal(applied.code, 0, applied.stderr);
    const waited = await kubectl('1.33', server, ['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(waited.code, 0, `${waited.stderr}\n${server.logs().slice(-2000)}`);
    const wide = await kubectl('1.33', server, ['get', 'pod', 'web', '-o', 'wide']);
    assert.match(wide.stdout, new RegExp(`web\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.42\\.\\d+\\.\\d+\\s+${nodeName}`));
    const events = await kubectl('1.33', server, ['get', 'events', '--field-selector', 'involvedObject.name=web', '-o', 'jsonpath={.items[*].reason}']);
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started']) assert.ok(events.stdout.split(' ').includes(reason), `${reason} in ${events.stdout}`);
    const deleted = await kubectl('1.33', server, ['delete', 'pod', 'web', '--wait=true'], { timeoutMs: 60_000 });
    assert.equal(deleted.code, 0, deleted.stderr);
    const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
    await waitUntil(async () => (await engine.sandboxes.list()).length === 0, 20_000, 'the pod sandbox is removed');
  });
});
