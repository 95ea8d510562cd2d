// B1, B2 and restarts through the Engine API: containers of one sandbox share the network, IPC and
// UTS namespaces (localhost, one IP, one hostname) and, on request, the PID namespace with the
// pause process as PID 1; a new engine on the same data directory finds everything again and
// removes what a crash left half-done.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { cgroupDir } from '../../src/runtime/cgroups.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { makeEngineEnv } from './engine-helpers.ts';
import type { EngineTestEnv } from './engine-helpers.ts';

let t: EngineTestEnv;

before(async () => {
  t = await makeEngineEnv('pod');
});
after(async () => {
  await t.cleanup();
});

async function execOut(engine: Engine, id: string, argv: string[]): Promise<string> {
  const r = await engine.containers.exec(id, argv);
  return r.stdout.toString();
}

async function addStarted(engine: Engine, sandboxId: string, name: string, args: string[]): Promise<string> {
  const r = await engine.run({ image: 'busybox', name, args, sandboxId });
  return r.id;
}

describe('B1: one sandbox, two containers', () => {
  test('localhost between containers, one IP, one hostname, shared net/ipc/uts; the host reaches the pod', async () => {
    const sb = await t.engine.sandboxes.createSandbox({ id: 'b1-pod', name: 'b1-pod', hostname: 'web-0', network: 'pod' });
    t.sandboxIds.add(sb.id);
    assert.equal(sb.state, 'ready');
    assert.ok(sb.ip);
    const web = await addStarted(t.engine, sb.id, 'b1-web', ['sh', '-c', 'mkdir /www; echo hello-localhost > /www/index.html; exec httpd -f -p 8080 -h /www']);
    const client = await addStarted(t.engine, sb.id, 'b1-client', ['sleep', '300']);
    let body = '';
    for (let i = 0; i < 50 && !body.includes('hello'); i++) {
      body = (await t.engine.containers.exec(client, ['wget', '-q', '-O', '-', 'http://127.0.0.1:8080/index.html'])).stdout.toString();
      if (!body.includes('hello')) await sleep(20);
    }
    assert.equal(body, 'hello-localhost\n');
    const show = ['sh', '-c', 'hostname; ip -4 -o addr show eth0 | awk \'{print $4}\'; for k in net ipc uts pid; do readlink /proc/self/ns/$k; done'];
    const [hA, ipA, netA, ipcA, utsA, pidA] = (await execOut(t.engine, web, show)).trim().split('\n');
    const [hB, ipB, netB, ipcB, utsB, pidB] = (await execOut(t.engine, client, show)).trim().split('\n');
    assert.equal(hA, 'web-0');
    assert.equal(hB, 'web-0');
    assert.equal(ipA, `${sb.ip}/${t.subnet.split('/')[1]}`);
    assert.equal(ipB, ipA);
    assert.equal(netA, netB);
    assert.equal(ipcA, ipcB);
    assert.equal(utsA, utsB);
    assert.notEqual(pidA, pidB, 'without shareProcessNamespace each container has its own PID namespace');
    const fromHost = await (await fetch(`http://${sb.ip}:8080/index.html`, { signal: AbortSignal.timeout(2000) })).text();
    assert.equal(fromHost, 'hello-localhost\n');
    // The pod cgroup holds the pause and both containers.
    const podCgroup = cgroupDir('memory', sb.cgroupParent)!;
    assert.ok(existsSync(podCgroup));
    assert.equal((await t.engine.sandboxes.containersOf(sb.id)).length, 2);
    await t.engine.sandboxes.removeSandbox(sb.id, { graceSeconds: 0 });
    assert.ok(!existsSync(podCgroup));
    assert.deepEqual(await t.engine.containers.list(), []);
    assert.deepEqual(await t.engine.network.list(), []);
    assert.deepEqual(await t.engine.pinner.list(), []);
  });
});

describe('B2: shared PID namespace', () => {
  test('pause (catatonit) is PID 1, containers see each other\'s processes, orphans are reaped', async () => {
    const sb = await t.engine.sandboxes.createSandbox({ id: 'b2-pod', name: 'b2-pod', network: 'pod', shareProcessNamespace: true });
    t.sandboxIds.add(sb.id);
    await addStarted(t.engine, sb.id, 'b2-a', ['sleep', '301']);
    const b = await addStarted(t.engine, sb.id, 'b2-b', ['sleep', '302']);
    const ps = await execOut(t.engine, b, ['ps', '-o', 'pid,args']);
    assert.match(ps, /^\s*1 \/usr\/bin\/catatonit -P$/m, ps);
    assert.match(ps, /sleep 301/);
    assert.match(ps, /sleep 302/);
    // An orphan (its parent exits at once) is reparented to PID 1 and reaped when it ends.
    await execOut(t.engine, b, ['sh', '-c', '(sleep 0.2 &) ; true']);
    await sleep(600);
    const stat = await execOut(t.engine, b, ['ps', '-o', 'stat,args']);
    assert.doesNotMatch(stat, /^\s*Z/m, stat);
    await t.engine.sandboxes.removeSandbox(sb.id, { graceSeconds: 0 });
  });

  test('a host-network sandbox keeps the host\'s network; a none sandbox has loopback only', async () => {
    const none = await t.engine.sandboxes.createSandbox({ id: 'none-pod', name: 'none-pod', network: 'none' });
    const c = await addStarted(t.engine, none.id, 'none-c', ['sleep', '300']);
    const links = await execOut(t.engine, c, ['ip', '-o', 'link']);
    assert.match(links, /lo: <LOOPBACK,UP/);
    assert.equal(links.trim().split('\n').length, 1);
    await t.engine.sandboxes.removeSandbox(none.id, { graceSeconds: 0 });
    const host = await t.engine.sandboxes.createSandbox({ id: 'host-pod', name: 'host-pod', network: 'host' });
    const h = await addStarted(t.engine, host.id, 'host-c', ['readlink', '/proc/self/ns/net']);
    await t.engine.wait(h);
    let out = '';
    for await (const l of t.engine.containers.readLogs(h)) out += l.content;
    assert.equal(out, readlinkSync('/proc/self/ns/net'));
    await t.engine.sandboxes.removeSandbox(host.id, { graceSeconds: 0 });
  });

  test('a failed sandbox creation leaves nothing behind', async () => {
    await assert.rejects(t.engine.sandboxes.createSandbox({ id: 'bad-pod', name: 'bad-pod', hostname: 'not a hostname!', network: 'pod' }), /invalid hostname/);
    assert.deepEqual(await t.engine.sandboxes.list(), []);
    assert.deepEqual(await t.engine.containers.list(), []);
    assert.deepEqual(await t.engine.network.list(), []);
    assert.deepEqual(await t.engine.pinner.list(), []);
  });
});

describe('restart', () => {
  test('a new engine finds running containers and sandboxes, and cleans up a crash\'s leftovers', async () => {
    const sb = await t.engine.sandboxes.createSandbox({ id: 'keep-pod', name: 'keep-pod', network: 'pod' });
    t.sandboxIds.add(sb.id);
    const inPod = await addStarted(t.engine, sb.id, 'keep-c', ['sleep', '300']);
    const standalone = await t.engine.run({ image: 'busybox', name: 'keep-solo', args: ['sleep', '300'] });
    // A sandbox a crash interrupted mid-creation, a pinned namespace and a pod cgroup nobody owns.
    const half = await t.engine.sandboxes.createSandbox({ id: 'half-pod', name: 'half-pod', network: 'pod' });
    t.sandboxIds.add(half.id);
    const recordFile = join(t.dataDir, 'sandboxes', 'half-pod.json');
    writeFileSync(recordFile, readFileSync(recordFile, 'utf8').replace('"phase": "ready"', '"phase": "creating"'));
    await t.engine.pinner.pin('ghost-pod', ['net']);
    const ghostCgroup = cgroupDir('memory', `${t.cgroupRoot}/pod-ghost-pod`)!;
    mkdirSync(ghostCgroup, { recursive: true });

    const engine2 = await Engine.open({ dataDir: t.dataDir });
    assert.equal(engine2.settings.cgroupRoot, t.cgroupRoot, 'settings come from engine.json');
    await engine2.recover();
    const sandboxes = await engine2.sandboxes.list();
    assert.deepEqual(sandboxes.map((s) => [s.id, s.state]), [['keep-pod', 'ready']]);
    assert.equal((await engine2.containers.state(inPod)).status, 'running');
    assert.equal((await engine2.findContainer('keep-solo')).status, 'running');
    assert.equal(await execOut(engine2, inPod, ['hostname']), 'keep-pod\n');
    assert.deepEqual(await engine2.network.list(), ['keep-pod']);
    assert.deepEqual((await engine2.pinner.list()).map((p) => p.id), ['keep-pod']);
    assert.ok(!existsSync(ghostCgroup));
    assert.deepEqual((await engine2.listContainers(true)).map((c) => c.name).sort(), ['keep-c', 'keep-solo']);
    await engine2.removeContainer(standalone.id, { force: true });
    await engine2.sandboxes.removeSandbox(sb.id, { graceSeconds: 0 });
  });
});
