// Controller benchmark (issue 8): a real `skiff server` (API server, controllers and scheduler in
// one process) with 100 simulated nodes (the hollow fleet of `skiff sim-nodes`, run in this
// process so its CPU is not counted as the server's). Measures a Deployment scaled 0 → 1,000 until
// all are available (and the server's CPU for it), a 25%/25% rolling update of those 1,000, the
// ReplicaSet's reaction to a deleted pod and the EndpointSlice's reaction to a pod turning ready.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { KubeObject } from '../src/api/meta.ts';
import type { Node, Pod } from '../src/api/types/core-v1.ts';
import { Clientset } from '../src/client/clientset.ts';
import { HollowFleet } from '../src/kubelet/hollow/hollow-fleet.ts';
import { removeDir, startServer, tempDir } from '../test/e2e/harness.ts';

const NODES = Number(process.env.BENCH_SIM_NODES ?? 100);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1000);
const SAMPLES = Number(process.env.BENCH_REACTION_SAMPLES ?? 100);
const NS = 'bench';

interface DeploymentLike extends KubeObject {
  spec?: { replicas?: number; [field: string]: unknown };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number; readyReplicas?: number; unavailableReplicas?: number };
}
interface SliceLike extends KubeObject {
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name?: string } }>;
}

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 2 : 1)} ${unit}`);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * One watch on a resource for the whole run: `until(pred)` resolves at the first event (or the
 * current state) for which pred holds, with the time the event arrived.
 */
function watcher<T extends KubeObject>(cs: Clientset, apiVersion: string, resource: string, signal: AbortSignal): { ready: Promise<void>; until: (pred: (type: string, o: T) => boolean, what: string, ms?: number) => Promise<number>; items: Map<string, T> } {
  const items = new Map<string, T>();
  let waiters: Array<{ pred: (type: string, o: T) => boolean; done: (t: number) => void }> = [];
  const client = cs.resource<T>(apiVersion, resource);
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => { resolveReady = r; });
  const run = async (): Promise<void> => {
    const list = await client.list(NS);
    for (const o of list.items) items.set(o.metadata.name!, o);
    resolveReady();
    let rv = list.metadata.resourceVersion ?? '';
    while (!signal.aborted) {
      for await (const ev of client.watch(NS, { resourceVersion: rv, signal, timeoutSeconds: 3600, allowWatchBookmarks: true })) {
        const now = performance.now();
        if (ev.object.metadata.resourceVersion) rv = ev.object.metadata.resourceVersion;
        if (ev.type === 'BOOKMARK') continue;
        if (ev.type === 'DELETED') items.delete(ev.object.metadata.name!);
        else items.set(ev.object.metadata.name!, ev.object);
        waiters = waiters.filter((w) => (w.pred(ev.type, ev.object) ? (w.done(now), false) : true));
      }
    }
  };
  run().catch((err: unknown) => { if (!signal.aborted) console.error(`bench watch of ${resource} failed: ${String(err)}`); });
  return {
    ready, items,
    until: (pred, what, ms = 300_000) => new Promise<number>((resolve, reject) => {
      for (const o of items.values()) if (pred('CURRENT', o)) { resolve(performance.now()); return; }
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
      waiters.push({ pred, done: (t) => { clearTimeout(timer); resolve(t); } });
    }),
  };
}

function deploymentObject(replicas: number): DeploymentLike {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox', env: [{ name: 'REV', value: '1' }] }] } },
    },
  };
}

/** The rollout is complete (kubectl rollout status's test). */
function complete(d: DeploymentLike, replicas: number): boolean {
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas && !s.unavailableReplicas;
}

export async function benchControllers(): Promise<void> {
  const dir = await tempDir('bench-controllers');
  const srv = await startServer({ dataDir: dir, logLevel: 'error' });
  const ac = new AbortController();
  const fleetCs = await Clientset.fromKubeconfig(srv.kubeconfig, 'skiff-sim-nodes');
  const fleet = new HollowFleet({ clientset: fleetCs, log: pino({ level: 'warn' }), count: NODES, namePrefix: 'sim-', concurrency: 32 });
  const fleetRun = fleet.run(ac.signal);
  try {
    const cs = await Clientset.fromKubeconfig(srv.kubeconfig, 'bench-controllers');
    let t0 = performance.now();
    await fleet.registered;
    // Every node with its own pod CIDR (10.42.0.0/16 in /24s holds 256 nodes).
    const nodeWatch = watcher<Node>(cs, 'v1', 'nodes', ac.signal);
    const withCidr = (): number => new Set([...nodeWatch.items.values()].filter((n) => n.metadata.name?.startsWith('sim-')).map((n) => n.spec?.podCIDR).filter(Boolean)).size;
    await nodeWatch.until(() => withCidr() >= NODES, `${NODES} distinct pod CIDRs`, 120_000).catch(async () => {
      const list = (await cs.resource<Node>('v1', 'nodes').list()).items;
      if (new Set(list.map((n) => n.spec?.podCIDR).filter(Boolean)).size < NODES) throw new Error(`only ${withCidr()} of ${NODES} nodes have a pod CIDR`);
    });
    line(`sim_nodes_${NODES}_registered_with_pod_cidrs`, (performance.now() - t0) / 1000, 's');

    await cs.resource('v1', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const deployments = cs.resource<DeploymentLike>('apps/v1', 'deployments');
    const pods = cs.resource<Pod>('v1', 'pods');
    const deployWatch = watcher<DeploymentLike>(cs, 'apps/v1', 'deployments', ac.signal);
    const podWatch = watcher<Pod>(cs, 'v1', 'pods', ac.signal);
    await Promise.all([deployWatch.ready, podWatch.ready]);
    await deployments.create(NS, deploymentObject(0));
    await deployWatch.until((_t, d) => d.metadata.name === 'web' && complete(d, 0), 'the empty Deployment', 30_000);

    // (1) 0 → REPLICAS.
    const cpu0 = cpuSeconds(srv.proc.pid!);
    t0 = performance.now();
    await deployments.patch(NS, 'web', 'merge', { spec: { replicas: REPLICAS } });
    let t1 = await deployWatch.until((_t, d) => d.metadata.name === 'web' && complete(d, REPLICAS), `${REPLICAS} available replicas`);
    const scaleSeconds = (t1 - t0) / 1000;
    line(`deployment_0_to_${REPLICAS}_available`, scaleSeconds, 's');
    line(`deployment_0_to_${REPLICAS}_server_cpu (API server + controllers + scheduler)`, cpuSeconds(srv.proc.pid!) - cpu0, 's');
    // kube-controller-manager's default client limits (--kube-api-qps 20, --kube-api-burst 30)
    // hold its pod creates to 20/s: ~50 s for 1,000 pods. Computed from those limits, not measured.
    line(`kcm_qps_limit_0_to_${REPLICAS} (peer, computed)`, Math.round(REPLICAS / 20), 's');

    // (2) Rolling update, 25%/25%, by changing an env var.
    const cpu1 = cpuSeconds(srv.proc.pid!);
    t0 = performance.now();
    const patched = await deployments.patch(NS, 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'REV', value: '2' }] }] } } } });
    const gen = patched.metadata.generation ?? 0;
    t1 = await deployWatch.until((_t, d) => d.metadata.name === 'web' && (d.metadata.generation ?? 0) >= gen && complete(d, REPLICAS), 'the rolling update to complete');
    const rollSeconds = (t1 - t0) / 1000;
    line(`deployment_rolling_update_${REPLICAS}_25pct`, rollSeconds, 's');
    line(`deployment_rolling_update_${REPLICAS}_server_cpu`, cpuSeconds(srv.proc.pid!) - cpu1, 's');
    // Wait until the old pods are gone, so the reaction figures start from a steady state.
    await podWatch.until(() => [...podWatch.items.values()].length === REPLICAS, `${REPLICAS} pods left`, 120_000);

    // (3) ReplicaSet reaction: DELETE answered → the replacement's ADDED in the watch.
    const reactions: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const victim = [...podWatch.items.values()].find((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running');
      if (!victim) throw new Error('no running pod to delete');
      const known = new Set(podWatch.items.keys());
      const added = podWatch.until((type, p) => type === 'ADDED' && !known.has(p.metadata.name!), 'a replacement pod', 30_000);
      await pods.delete(NS, victim.metadata.name!);
      const tDel = performance.now();
      const tAdd = await added;
      reactions.push(Math.max(0, tAdd - tDel));
      await podWatch.until(() => !podWatch.items.has(victim.metadata.name!), 'the deleted pod to go', 30_000);
    }
    line('replicaset_reaction_p50 (pod deleted → replacement created)', pct(reactions, 50), 'ms');
    line('replicaset_reaction_p99', pct(reactions, 99), 'ms');

    // (4) Pod ready → EndpointSlice updated: a Service over 100 bare pods, readiness flipped by
    // status patches one pod at a time.
    const EP = SAMPLES;
    const sliceWatch = watcher<SliceLike>(cs, 'discovery.k8s.io/v1', 'endpointslices', ac.signal);
    await sliceWatch.ready;
    await cs.resource('v1', 'services').create(NS, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ep' }, spec: { selector: { app: 'ep' }, ports: [{ port: 80, targetPort: 8080 }] } });
    await Promise.all(Array.from({ length: EP }, (_, i) => pods.create(NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `ep-${i}`, labels: { app: 'ep' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })));
    const endpointReady = (name: string): boolean | undefined => {
      for (const s of sliceWatch.items.values()) {
        if (s.metadata.labels?.['kubernetes.io/service-name'] !== 'ep') continue;
        const e = s.endpoints?.find((x) => x.targetRef?.name === name);
        if (e) return e.conditions?.ready !== false;
      }
      return undefined;
    };
    await sliceWatch.until(() => Array.from({ length: EP }, (_, i) => endpointReady(`ep-${i}`)).every((r) => r === true), `${EP} ready endpoints`, 120_000);
    const readyLat: number[] = [];
    const notReadyLat: number[] = [];
    const flip = async (name: string, ready: boolean): Promise<number> => {
      const pod = podWatch.items.get(name)!;
      const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: ready ? 'True' as const : 'False' as const, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } : c));
      const shown = sliceWatch.until(() => endpointReady(name) === ready, `${name} ready=${ready} in its slice`, 30_000);
      await pods.patch(NS, name, 'merge', { status: { conditions } }, { subresource: 'status' });
      const tPatch = performance.now();
      return Math.max(0, (await shown) - tPatch);
    };
    for (let i = 0; i < EP; i++) {
      notReadyLat.push(await flip(`ep-${i}`, false));
      readyLat.push(await flip(`ep-${i}`, true));
    }
    line('endpointslice_pod_ready_p50 (status patch answered → slice shows it ready)', pct(readyLat, 50), 'ms');
    line('endpointslice_pod_ready_p99', pct(readyLat, 99), 'ms');
    line('endpointslice_pod_not_ready_p50', pct(notReadyLat, 50), 'ms');
    line('endpointslice_pod_not_ready_p99', pct(notReadyLat, 99), 'ms');
    line('hollow_pods_started', fleet.podsStarted, 'pods');

    const met = (ok: boolean): string => (ok ? 'met' : 'missed');
    console.log(`targets: 0→${REPLICAS} <= 5 s ${met(scaleSeconds <= 5)}; rolling update <= 20 s ${met(rollSeconds <= 20)}; replicaset reaction p99 <= 100 ms ${met(pct(reactions, 99) <= 100)}`);
    cs.rest.close();
  } finally {
    ac.abort();
    await fleetRun.catch(() => undefined);
    await srv.stop();
    await removeDir(dir);
  }
}
