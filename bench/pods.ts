// Pod startup benchmark (issue 4): a real single-node cluster (`skiff up`, the compiled CLI), pods
// of one busybox container (image present), time from create until a watch sees them Running.
// Prints p50/p99 over pods created one at a time, the time for a batch created at once to all be
// Running, and the engine's floor (sandbox + container, no API) measured in the same run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Clientset } from '../src/client/clientset.ts';
import type { Node, Pod } from '../src/api/types/core-v1.ts';
import { Engine } from '../src/runtime/engine.ts';
import { removeCgroup } from '../src/runtime/cgroups.ts';
import { freePort } from '../test/e2e/harness.ts';
import { busyCpuMs, measurePodFloor } from './engine.ts';

const SEQUENTIAL = Number(process.env.BENCH_PODS_SEQUENTIAL ?? 100);
const BATCH = Number(process.env.BENCH_PODS_BATCH ?? 100);
const CLI = join(import.meta.dirname, '..', 'bin', 'skiff.js');
// Extra node flags for the cluster process, e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile it.
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

function podObject(name: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], imagePullPolicy: 'IfNotPresent' }], terminationGracePeriodSeconds: 0 },
  };
}

/** Start `skiff up` on its own data dir, port, bridge, subnet and cgroup root; resolve once the node is Ready. */
async function startCluster(root: string, hex: string): Promise<{ kubeconfig: string; stop: () => Promise<void> }> {
  const subnet = `10.42.${200 + (randomBytes(1)[0]! % 40)}.0/24`;
  const cgroupRoot = `/skiff-bench-pods-${hex}`;
  const args = [...NODE_ARGS, CLI, 'up', '--data-dir', join(root, 'data'), '--listen', '127.0.0.1:0', '--node-name', `bench-${hex}`,
    '--kubelet-port', String(await freePort()), '--pod-subnet', subnet, '--bridge', `skiffb${hex}`, '--cgroup-root', cgroupRoot, '--log-level', 'warn',
    // Pod start-up as the engine sees it; the node network (whose rules outlive the run) is not measured here.
    '--disable', 'proxy,dns,routes,network-policy,ingress'];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`skiff up was not Ready in 120 s:\n${out}`)), 120_000);
    const check = (): void => { if (/is Ready/.test(out)) { clearTimeout(timer); res(); } };
    proc.stderr.on('data', check);
    proc.stdout.on('data', check);
    proc.once('exit', (code) => { clearTimeout(timer); rej(new Error(`skiff up exited with ${code}:\n${out}`)); });
  });
  return {
    kubeconfig: join(root, 'data', 'kubeconfig.yaml'),
    async stop() {
      proc.kill('SIGINT');
      const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
      // The node agent leaves containers running when it stops: remove them, the bridge and cgroups.
      const engine = await Engine.open({ dataDir: join(root, 'data', 'node', 'engine') });
      await engine.reset();
      await removeCgroup(cgroupRoot, cgroupRoot).catch(() => undefined);
    },
  };
}

/** Resolves once the node's engine holds no container and no sandbox (read from its data dir). */
async function engineIdle(engineDir: string): Promise<void> {
  const count = async (d: string): Promise<number> => (await readdir(join(engineDir, d)).catch(() => [])).length;
  for (let i = 0; i < 1200; i++) {
    if ((await count('containers')) + (await count('sandboxes')) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the node still has containers 120 s after its pods were deleted (${engineDir})`);
}

export async function benchPods(): Promise<void> {
  const root = mkdtempSync('/tmp/skiff-bench-pods-');
  const hex = randomBytes(3).toString('hex');
  const floorCgroup = `/skiff-bench-floor-${hex}`;
  let floorCpuMs = NaN;
  // The floor first, on an engine of its own, so the two never share the machine.
  const engine = await Engine.open({ dataDir: join(root, 'floor'), cgroupRoot: floorCgroup, bridge: `skifff${hex}`, subnet: `10.42.${240 + (randomBytes(1)[0]! % 16)}.0/24` });
  try {
    const floor = await measurePodFloor(engine, 15);
    console.log(`engine_floor_sandbox_plus_container: ${floor.startMs.toFixed(1)} ms`);
    // The CPU (all cores, all processes) one floor start costs: a batch of pods cannot start
    // faster than BATCH × that / cores, however well it overlaps.
    floorCpuMs = floor.startCpuMs;
    console.log(`engine_floor_cpu_per_pod: ${floorCpuMs.toFixed(1)} ms`);
    console.log(`engine_floor_${BATCH}_pods_cpu_bound: ${((floorCpuMs * BATCH) / cpus().length / 1000).toFixed(2)} s (${cpus().length} cores)`);
  } finally {
    await engine.reset();
    await removeCgroup(floorCgroup, floorCgroup).catch(() => undefined);
  }

  const cluster = await startCluster(root, hex);
  const ac = new AbortController();
  try {
    const cs = await Clientset.fromKubeconfig(cluster.kubeconfig, 'skiff-bench');
    const pods = cs.resource<Pod>('v1', 'pods');
    const nodes = await cs.resource<Node>('v1', 'nodes').list();
    if (nodes.items.length !== 1) throw new Error(`expected one node, found ${nodes.items.length}`);
    // Running as seen by a watch: one watch for the whole run, keyed by pod name.
    const runningAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const list = await pods.list('default');
    const watching = (async () => {
      for await (const ev of pods.watch('default', { resourceVersion: list.metadata.resourceVersion ?? '', signal: ac.signal, timeoutSeconds: 3600 })) {
        const p = ev.object;
        const name = p.metadata.name ?? '';
        if (ev.type !== 'DELETED' && p.status?.phase === 'Running' && !runningAt.has(name)) {
          runningAt.set(name, performance.now());
          waiters.get(name)?.();
        }
      }
    })().catch((err: unknown) => { if (!ac.signal.aborted) throw err; });
    const running = (name: string): Promise<void> => new Promise((r) => {
      if (runningAt.has(name)) r();
      else waiters.set(name, r);
    });

    // Warm-up: the first pod pulls nothing but makes the base images and the bridge.
    await pods.create('default', podObject('warmup'));
    await running('warmup');

    const latencies: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const name = `seq-${i}`;
      const t0 = performance.now();
      await pods.create('default', podObject(name));
      await running(name);
      latencies.push(runningAt.get(name)! - t0);
    }
    console.log(`pod_startup_p50: ${pct(latencies, 50).toFixed(1)} ms`);
    console.log(`pod_startup_p99: ${pct(latencies, 99).toFixed(1)} ms`);
    await cs.rest.request('DELETE', '/api/v1/namespaces/default/pods', { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 } });
    for (let i = 0; i < 600 && (await pods.list('default')).items.length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    // Deleted with grace 0, the pods leave the API at once; the node agent tears their containers
    // down afterwards. The batch starts on an idle node.
    await engineIdle(join(root, 'data', 'node', 'engine'));

    const t0 = performance.now();
    const c0 = busyCpuMs();
    const names = Array.from({ length: BATCH }, (_, i) => `batch-${i}`);
    await Promise.all(names.map(async (n) => { await pods.create('default', podObject(n)); }));
    await Promise.all(names.map(running));
    console.log(`pods_${BATCH}_at_once_all_running: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    console.log(`pods_${BATCH}_at_once_cpu_per_pod: ${((busyCpuMs() - c0) / BATCH).toFixed(1)} ms (floor ${floorCpuMs.toFixed(1)} ms)`);
    console.log(`targets: p50 <= 100 ms ${pct(latencies, 50) <= 100 ? 'met' : 'missed'}; p99 <= 300 ms ${pct(latencies, 99) <= 300 ? 'met' : 'missed'}; ${BATCH} at once <= 5 s ${(performance.now() - t0) <= 5000 ? 'met' : 'missed'}`);
    await cs.rest.request('DELETE', '/api/v1/namespaces/default/pods', { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 } });
    for (let i = 0; i < 600 && (await pods.list('default')).items.length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await watching;
  } finally {
    ac.abort();
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
