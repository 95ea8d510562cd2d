// Simulated nodes share a cluster with a real node agent: `skiff up` (one real node running real
// containers) plus `skiff sim-nodes --count 2`. Each side runs only the pods bound to it: a pod
// scheduled to the real node runs a real container with an address of the real bridge, while pods
// of a Deployment pinned to the simulated nodes get fake addresses from their pod CIDRs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { kubectl, ROOT } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const realNode = `e2e-simmix-${hex}`;
let cluster: UpCluster;
let cs: Clientset;
let sim: ReturnType<typeof spawn> | undefined;
let simOut = '';
let simExited: Promise<number | null> = Promise.resolve(null);

const k = async (args: string[], timeoutMs = 30_000): Promise<string> => {
  const r = await kubectl('1.33', cluster.server, args, { timeoutMs });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}${r.stderr}\n${simOut}`);
  return r.stdout;
};

before(async () => {
  cluster = await startUpCluster({ label: 'simmix', nodeName: realNode, cgroupRoot: `/skiff-e2e-simmix-${hex}`, bridge: `skiffs${hex}`, subnetBase: 112 });
  cs = await Clientset.fromKubeconfig(cluster.server.kubeconfig, 'e2e-sim-mix');
  sim = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cmd', 'skiff.ts'), 'sim-nodes', '--kubeconfig', cluster.server.kubeconfig, '--count', '2', '--name-prefix', `hollow-${hex}-`, '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  sim.stdout!.on('data', (d: Buffer) => { simOut += d.toString(); });
  sim.stderr!.on('data', (d: Buffer) => { simOut += d.toString(); });
  const proc = sim;
  simExited = new Promise((r) => proc.once('exit', (code) => r(code)));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`sim-nodes did not register in 60 s:\n${simOut}`)), 60_000);
    proc.stderr!.on('data', () => { if (/nodes registered/.test(simOut)) { clearTimeout(timer); res(); } });
    void simExited.then((code) => { clearTimeout(timer); rej(new Error(`sim-nodes exited with ${code}:\n${simOut}`)); });
  });
});

after(async () => {
  if (sim && sim.exitCode === null && sim.signalCode === null) {
    sim.kill('SIGINT');
    const t = setTimeout(() => sim?.kill('SIGKILL'), 10_000);
    await simExited;
    clearTimeout(t);
  }
  cs?.rest.close();
  await kubectl('1.33', cluster.server, ['delete', 'pods', '--all', '--grace-period=0', '--force']).catch(() => undefined);
  await cluster.stop();
});

describe('simulated nodes beside a real node agent', () => {
  test('all three nodes are Ready; each side runs only its own pods', { timeout: 180_000 }, async () => {
    await k(['wait', '--for=condition=Ready', `node/${realNode}`, `node/hollow-${hex}-0`, `node/hollow-${hex}-1`, '--timeout=60s'], 70_000);
    // A real container on the real node.
    await k(['run', 'real', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"${realNode}"}}}`, '--', 'sleep', '3600']);
    // A Deployment pinned to the simulated nodes.
    const manifest = JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hollow-web' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'hollow-web' } }, template: { metadata: { labels: { app: 'hollow-web' } }, spec: { nodeSelector: { type: 'hollow' }, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } } },
    });
    const applied = await kubectl('1.33', cluster.server, ['apply', '-f', '-'], { input: manifest });
    assert.equal(applied.code, 0, applied.stderr);
    await k(['rollout', 'status', 'deployment/hollow-web', '--timeout=60s'], 70_000);
    await k(['wait', '--for=jsonpath={.status.phase}=Running', 'pod/real', '--timeout=90s'], 100_000);

    const nodes = new Map((await cs.resource<Node>('v1', 'nodes').list()).items.map((n) => [n.metadata.name!, n]));
    const real = await cs.resource<Pod>('v1', 'pods').get('default', 'real');
    assert.equal(real.spec?.nodeName, realNode);
    // A real container has a real containerID, not one the simulator makes up.
    assert.doesNotMatch(real.status?.containerStatuses?.[0]?.containerID ?? '', /^hollow:/);
    assert.ok(real.status?.containerStatuses?.[0]?.state?.running);
    const realExec = await kubectl('1.33', cluster.server, ['exec', 'real', '--', 'cat', '/proc/1/cmdline']);
    assert.equal(realExec.code, 0, realExec.stderr);
    assert.match(realExec.stdout, /sleep/);

    const hollow = (await cs.resource<Pod>('v1', 'pods').list('default', { labelSelector: 'app=hollow-web' })).items;
    assert.equal(hollow.length, 4);
    for (const p of hollow) {
      assert.match(p.spec?.nodeName ?? '', new RegExp(`^hollow-${hex}-`));
      assert.match(p.status?.containerStatuses?.[0]?.containerID ?? '', /^hollow:/);
      const cidr = nodes.get(p.spec!.nodeName!)?.spec?.podCIDR ?? '';
      assert.ok(p.status?.podIP?.startsWith(cidr.replace(/\.0\/24$/, '.')), `${p.status?.podIP} in ${cidr}`);
    }
    // The real node's address space and the simulated ones' do not overlap.
    const hollowIPs = new Set(hollow.map((p) => p.status?.podIP));
    assert.ok(!hollowIPs.has(real.status?.podIP));
    await k(['delete', 'deployment', 'hollow-web']);
    // The real pod's deletion is the agent's: it stops the container (sleep as PID 1 ignores SIGTERM).
    await k(['delete', 'pod', 'real', '--grace-period=1', '--timeout=60s'], 70_000);
  });
});
