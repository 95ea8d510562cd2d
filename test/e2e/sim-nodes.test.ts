// `skiff sim-nodes` (a scale tool, so simulated nodes and no containers) against a real `skiff
// server` with its controllers and scheduler, driven by the real kubectl: three hollow nodes
// register, go Ready and renew their leases; a Deployment's six pods reach Running with IPs from
// their nodes' pod CIDRs; a deleted pod goes and is replaced; Ctrl-C stops the simulator cleanly.
// Each node writes as system:node:NAME (--node-identities), under the Node authorizer and NodeRestriction.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Lease, Node, Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { kubectl, removeDir, ROOT, startServer, type RunningServer } from './harness.ts';

const K = '1.33';
const COUNT = 3;

interface Sim { proc: ChildProcess; output: () => string; exited: Promise<number | null>; registered: Promise<void> }

function startSimNodes(kubeconfig: string): Sim {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cmd', 'skiff.ts'), 'sim-nodes', '--kubeconfig', kubeconfig, '--count', String(COUNT), '--name-prefix', 'hollow-', '--node-identities', '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const registered = new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`sim-nodes did not register in 60 s:\n${out}`)), 60_000);
    proc.stderr.on('data', () => { if (/nodes registered/.test(out)) { clearTimeout(timer); res(); } });
    void exited.then((code) => { clearTimeout(timer); rej(new Error(`sim-nodes exited with ${code}:\n${out}`)); });
  });
  registered.catch(() => undefined);
  return { proc, output: () => out, exited, registered };
}

/** Resolves with the first event of a watch for which `pick` answers true (or fails after `ms`). */
async function watchFor<T extends Lease | Pod>(cs: Clientset, apiVersion: string, resource: string, namespace: string, pick: (type: string, o: T) => boolean, ms: number, what: string): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  try {
    const client = cs.resource<T>(apiVersion, resource);
    const list = await client.list(namespace);
    for (const o of list.items) if (pick('ADDED', o)) return;
    for await (const ev of client.watch(namespace, { resourceVersion: list.metadata.resourceVersion ?? '', signal: ac.signal, timeoutSeconds: Math.ceil(ms / 1000) })) {
      if (pick(ev.type, ev.object)) return;
    }
    throw new Error(`watch ended before ${what}`);
  } catch (err) {
    if (ac.signal.aborted) throw ac.signal.reason as Error;
    throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

describe('skiff sim-nodes: simulated nodes under a real skiff server', () => {
  let srv: RunningServer;
  let sim: Sim;
  let cs: Clientset;

  before(async () => {
    srv = await startServer({ logLevel: 'warn' });
    cs = await Clientset.fromKubeconfig(srv.kubeconfig, 'e2e-sim-nodes');
    sim = startSimNodes(srv.kubeconfig);
  });

  after(async () => {
    if (sim && sim.proc.exitCode === null && sim.proc.signalCode === null) {
      sim.proc.kill('SIGKILL');
      await sim.exited;
    }
    cs?.rest.close();
    if (srv) {
      await srv.stop();
      await removeDir(srv.dataDir);
    }
  });

  test('three nodes register Ready with capacity, distinct pod CIDRs, and leases that are renewed', async () => {
    await sim.registered;
    const wait = await kubectl(K, srv, ['wait', '--for=condition=Ready', 'node/hollow-0', 'node/hollow-1', 'node/hollow-2', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(wait.code, 0, `${wait.stdout}${wait.stderr}\n${sim.output()}`);
    const get = await kubectl(K, srv, ['get', 'nodes', '-o', 'wide']);
    assert.match(get.stdout, /hollow-0\s+Ready/);
    const nodes = (await cs.resource<Node>('v1', 'nodes').list()).items.filter((n) => n.metadata.name?.startsWith('hollow-'));
    assert.equal(nodes.length, COUNT);
    for (const n of nodes) {
      assert.equal(n.status?.capacity?.pods, '110');
      assert.equal(n.status?.allocatable?.cpu, '32');
      assert.match(n.status?.addresses?.[0]?.address ?? '', /^198\.18\./);
      assert.ok(n.status?.nodeInfo?.kubeletVersion);
    }
    // The node-ipam controller gives each its own /24 (pods need it for their addresses).
    const cidrs = new Set<string>();
    for (const name of ['hollow-0', 'hollow-1', 'hollow-2']) {
      const r = await kubectl(K, srv, ['wait', '--for=jsonpath={.spec.podCIDR}', `node/${name}`, '--timeout=30s'], { timeoutMs: 40_000 });
      assert.equal(r.code, 0, r.stderr);
      cidrs.add((await cs.resource<Node>('v1', 'nodes').get(undefined, name)).spec?.podCIDR ?? '');
    }
    assert.equal(cidrs.size, COUNT);
    // Each lease exists, is held by its node, and its renewTime moves on (every ~10 s).
    const first = new Map<string, string>();
    for (const l of (await cs.resource<Lease>('coordination.k8s.io/v1', 'leases').list('kube-node-lease')).items) {
      if (l.metadata.name?.startsWith('hollow-')) {
        assert.equal(l.spec?.holderIdentity, l.metadata.name);
        first.set(l.metadata.name, l.spec?.renewTime ?? '');
      }
    }
    assert.equal(first.size, COUNT);
    const renewed = new Set<string>();
    await watchFor<Lease>(cs, 'coordination.k8s.io/v1', 'leases', 'kube-node-lease', (_t, l) => {
      const name = l.metadata.name ?? '';
      if (first.has(name) && l.spec?.renewTime && l.spec.renewTime !== first.get(name)) renewed.add(name);
      return renewed.size === COUNT;
    }, 30_000, 'every hollow lease renewed');
  });

  test('a Deployment of 6 replicas becomes 6/6 available on the simulated nodes; a deleted pod goes and is replaced', async () => {
    const create = await kubectl(K, srv, ['create', 'deployment', 'web', '--image=busybox', '--replicas=6']);
    assert.equal(create.code, 0, create.stderr);
    const rollout = await kubectl(K, srv, ['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(rollout.code, 0, `${rollout.stdout}${rollout.stderr}\n${sim.output()}`);
    const deploy = await kubectl(K, srv, ['get', 'deployment', 'web']);
    assert.match(deploy.stdout, /web\s+6\/6\s+6\s+6/);
    const pods = (await cs.resource<Pod>('v1', 'pods').list('default', { labelSelector: 'app=web' })).items;
    assert.equal(pods.length, 6);
    const nodes = new Map((await cs.resource<Node>('v1', 'nodes').list()).items.map((n) => [n.metadata.name!, n]));
    const ips = new Set<string>();
    for (const p of pods) {
      assert.equal(p.status?.phase, 'Running');
      assert.ok(p.status?.containerStatuses?.every((c) => c.ready && c.state?.running));
      const node = nodes.get(p.spec?.nodeName ?? '');
      assert.ok(node, `pod ${p.metadata.name} on a simulated node`);
      const prefix = node.spec!.podCIDR!.replace(/\.0\/24$/, '.');
      assert.ok(p.status?.podIP?.startsWith(prefix), `${p.status?.podIP} in ${node.spec?.podCIDR}`);
      ips.add(p.status?.podIP ?? '');
    }
    assert.equal(ips.size, 6);
    // Graceful deletion (the default 30 s grace): the simulated node finishes it at once.
    const victim = pods[0]!.metadata.name!;
    const t0 = Date.now();
    const del = await kubectl(K, srv, ['delete', 'pod', victim, '--timeout=20s'], { timeoutMs: 30_000 });
    assert.equal(del.code, 0, del.stderr);
    assert.ok(Date.now() - t0 < 15_000, 'the pod went well before its grace period');
    const gone = await kubectl(K, srv, ['get', 'pod', victim]);
    assert.match(gone.stderr, /NotFound/);
    const again = await kubectl(K, srv, ['rollout', 'status', 'deployment/web', '--timeout=30s'], { timeoutMs: 40_000 });
    assert.equal(again.code, 0, again.stderr);
    const now = (await cs.resource<Pod>('v1', 'pods').list('default', { labelSelector: 'app=web' })).items;
    assert.equal(now.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).length, 6);
    assert.ok(!now.some((p) => p.metadata.name === victim));
  });

  test('Ctrl-C stops the simulator cleanly', async () => {
    sim.proc.kill('SIGINT');
    const code = await Promise.race([sim.exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 15_000))]);
    assert.equal(code, 0, sim.output());
  });
});
