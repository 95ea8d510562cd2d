// Node memory-pressure eviction on `skiff up`, triggered by a configurable threshold: with
// --eviction-hard memory.available<100Ti every machine is short of memory, so the node reports
// MemoryPressure and the node agent evicts a running pod as the kubelet does — phase Failed,
// reason Evicted, upstream's message, DisruptionTarget, an Evicted event, its containers stopped.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cgroupDirs, removeCgroup } from '../../src/runtime/cgroups.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';
import { kubectl, removeDir, startServer, tempDir, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';

const hex = randomBytes(3).toString('hex');
const cgroupRoot = `/skiff-e2e-evict-${hex}`;
const bridge = `skiffe${hex}`;
const nodeName = `evict-${hex}`;
let server: RunningServer;
let dataDir: string;
let upArgs: string[];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

before(async () => {
  dataDir = await tempDir('e2e-evict');
  const subnet = `10.42.${192 + (randomBytes(1)[0]! % 16)}.0/24`;
  upArgs = ['--node-name', nodeName, '--kubelet-port', String(await freePort()), '--pod-subnet', subnet, '--bridge', bridge, '--cgroup-root', cgroupRoot,
    '--eviction-hard', 'memory.available<100Ti',
    // Eviction only: none of the node's network (its nft rules would outlive the cluster in the host).
    '--disable', 'proxy,dns,routes,network-policy,ingress'];
  server = await startServer({ command: 'up', dataDir, extraArgs: upArgs });
});

after(async () => {
  await server.stop();
  const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
  await engine.reset();
  await removeCgroup(cgroupRoot, cgroupRoot).catch(() => undefined);
  const left = [...cgroupDirs(cgroupRoot).filter((d) => existsSync(d)), ...mountPoints().filter((m) => m.startsWith(dataDir))];
  await removeDir(dataDir);
  assert.deepEqual(left, [], 'host state left behind');
});

const VICTIM = `apiVersion: v1
kind: Pod
metadata:
  name: victim
spec:
  containers:
  - name: victim
    image: busybox
    command: ["sleep", "3600"]
    resources:
      requests: { memory: 1Ki }
`;

interface PodView {
  status: { phase?: string; reason?: string; message?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>; containerStatuses?: Array<{ state: { running?: object; terminated?: object } }> };
}

describe('eviction under node memory pressure', () => {
  test('the node reports MemoryPressure while memory.available is under the threshold', async () => {
    await waitUntil(async () => {
      const r = await kubectl('1.33', server, ['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="MemoryPressure")].status}']);
      return r.stdout.trim() === 'True';
    }, 30_000, 'MemoryPressure True');
    const reason = await kubectl('1.33', server, ['get', 'node', nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="MemoryPressure")].reason}']);
    assert.equal(reason.stdout.trim(), 'KubeletHasInsufficientMemory');
  });

  test('a running pod is evicted: Failed, reason Evicted, the kubelet\'s message, an Evicted event, containers stopped', async () => {
    // Burstable: admitted under pressure, then evicted for using more than it requests.
    const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: VICTIM });
    assert.equal(applied.code, 0, applied.stderr);
    let view: PodView | undefined;
    await waitUntil(async () => {
      const r = await kubectl('1.33', server, ['get', 'pod', 'victim', '-o', 'json']);
      view = JSON.parse(r.stdout) as PodView;
      return view.status.phase === 'Failed';
    }, 90_000, 'the pod is evicted');
    assert.equal(view!.status.reason, 'Evicted');
    assert.match(view!.status.message ?? '', /^The node was low on resource: memory\. Threshold quantity: 100Ti, available: \d+(Ki|Mi|Gi)\. Container victim was using \d+(Ki|Mi)?, request is 1Ki, has larger consumption of memory\. $/);
    const disruption = view!.status.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual([disruption?.status, disruption?.reason, disruption?.message], ['True', 'TerminationByKubelet', view!.status.message]);
    await waitUntil(async () => {
      const r = await kubectl('1.33', server, ['get', 'pod', 'victim', '-o', 'json']);
      const v = JSON.parse(r.stdout) as PodView;
      return (v.status.containerStatuses ?? []).every((c) => c.state.terminated !== undefined);
    }, 30_000, 'the container is stopped');
    const events = await kubectl('1.33', server, ['get', 'events', '--field-selector', 'involvedObject.name=victim,reason=Evicted', '-o', 'jsonpath={.items[*].type}/{.items[*].message}']);
    assert.match(events.stdout, /^Warning\/The node was low on resource: memory\./);
    // Failed is final: the agent does not start it again, and the pod object stays for inspection.
    const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
    const running = (await engine.containers.list()).filter((c) => c.status === 'running' && c.labels['io.kubernetes.pod.name'] === 'victim');
    assert.deepEqual(running, []);
    const got = await kubectl('1.33', server, ['get', 'pod', 'victim', '--no-headers']);
    assert.match(got.stdout, /^victim\s+0\/1\s+(Evicted|Error)\s/);
  });

  test('under MemoryPressure a BestEffort pod is rejected at admission and never runs', async () => {
    // Bound to the node directly: the scheduler would keep it off the node (the memory-pressure
    // taint, which only pods that are not BestEffort tolerate), so the kubelet's admission is
    // what this exercises.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'besteffort' }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } };
    const run = await kubectl('1.33', server, ['apply', '-f', '-'], { input: JSON.stringify(pod) });
    assert.equal(run.code, 0, run.stderr);
    let view: PodView | undefined;
    await waitUntil(async () => {
      view = JSON.parse((await kubectl('1.33', server, ['get', 'pod', 'besteffort', '-o', 'json'])).stdout) as PodView;
      return view.status.phase === 'Failed';
    }, 60_000, 'the pod is rejected');
    assert.deepEqual([view!.status.reason, view!.status.message], ['Evicted', 'Pod was rejected: The node had condition: [MemoryPressure]. ']);
    const events = await kubectl('1.33', server, ['get', 'events', '--field-selector', 'involvedObject.name=besteffort,reason=Evicted', '-o', 'jsonpath={.items[*].message}']);
    assert.equal(events.stdout.trim(), 'The node had condition: [MemoryPressure].');
    const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
    assert.deepEqual((await engine.containers.list()).filter((c) => c.labels['io.kubernetes.pod.name'] === 'besteffort'), []);
  });

  test('after the node agent restarts, the evicted pod stays Failed/Evicted and is not run again', async () => {
    const before = JSON.parse((await kubectl('1.33', server, ['get', 'pod', 'victim', '-o', 'json'])).stdout) as PodView;
    await server.stop();
    server = await startServer({ command: 'up', dataDir, extraArgs: upArgs });
    const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
    // The agent syncs every pod it runs at start and again every 10 s: watch over two rounds.
    for (let i = 0; i < 15; i++) {
      const v = JSON.parse((await kubectl('1.33', server, ['get', 'pod', 'victim', '-o', 'json'])).stdout) as PodView;
      assert.deepEqual([v.status.phase, v.status.reason, v.status.message], [before.status.phase, before.status.reason, before.status.message]);
      const running = (await engine.containers.list()).filter((c) => c.status === 'running' && c.labels['io.kubernetes.pod.name'] === 'victim');
      assert.deepEqual(running, [], 'the evicted pod was started again');
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
});
