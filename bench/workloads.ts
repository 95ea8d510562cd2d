// Workload controller benchmark (issue 10): a real `skiff server` with 1,000 simulated nodes (the
// hollow fleet of `skiff sim-nodes`, run in this process). Measures an Indexed Job of 1,000
// completions at parallelism 100 until Complete, a DaemonSet until 1,000 pods are available and a
// StatefulSet scaled 0 → 100 (Parallel) until 100 are ready, each beside the floor: the time the
// same number of bare pod POSTs takes through the API in the same run.
// Every pod uses the host network: 10.42.0.0/16 in /24s gives pod CIDRs to only 256 of the 1,000
// nodes, and a host-network pod takes its node's address instead (as DaemonSets often do).
import { pino } from 'pino';
import type { KubeObject } from '../src/api/meta.ts';
import type { Pod, PodSpec } from '../src/api/types/core-v1.ts';
import { Clientset } from '../src/client/clientset.ts';
import { HollowFleet } from '../src/kubelet/hollow/hollow-fleet.ts';
import { removeDir, startServer, tempDir } from '../test/e2e/harness.ts';

const NODES = Number(process.env.BENCH_SIM_NODES ?? 1000);
const COMPLETIONS = Number(process.env.BENCH_JOB_COMPLETIONS ?? 1000);
const PARALLELISM = Number(process.env.BENCH_JOB_PARALLELISM ?? 100);
const STS_REPLICAS = Number(process.env.BENCH_STS_REPLICAS ?? 100);
// The floor's POSTs in flight at once. The controllers create in slow-start batches (1, 2, 4, …),
// so at most half of a burst is in flight at once; 100 is more than they use for 100 pods and
// about what they reach for 1,000.
const CONCURRENCY = Number(process.env.BENCH_CREATE_CONCURRENCY ?? 100);
const NS = 'bench';

interface WorkloadLike extends KubeObject {
  spec?: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    conditions?: Array<{ type: string; status: string }>;
    succeeded?: number; failed?: number;
    desiredNumberScheduled?: number; numberAvailable?: number;
    replicas?: number; readyReplicas?: number;
  };
}

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 2 : 1)} ${unit}`);
}

/**
 * One watch on a resource for the whole run: `until(pred)` resolves at the first event (or the
 * current state) for which pred holds, with the time the event arrived. (As bench/controllers.ts.)
 */
function watcher<T extends KubeObject>(cs: Clientset, apiVersion: string, resource: string, signal: AbortSignal): { ready: Promise<void>; until: (pred: () => boolean, what: string, ms?: number) => Promise<number>; items: Map<string, T> } {
  const items = new Map<string, T>();
  let waiters: Array<{ pred: () => boolean; done: (t: number) => void }> = [];
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
        if (waiters.length > 0) waiters = waiters.filter((w) => (w.pred() ? (w.done(now), false) : true));
      }
    }
  };
  run().catch((err: unknown) => { if (!signal.aborted) console.error(`bench watch of ${resource} failed: ${String(err)}`); });
  return {
    ready, items,
    until: (pred, what, ms = 600_000) => new Promise<number>((resolve, reject) => {
      if (pred()) { resolve(performance.now()); return; }
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
      waiters.push({ pred, done: (t) => { clearTimeout(timer); resolve(t); } });
    }),
  };
}

/** A pod template every workload shares: host network, one container the hollow nodes "run". */
function podSpec(restartPolicy: 'Always' | 'Never'): PodSpec {
  return { hostNetwork: true, restartPolicy, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox' }] };
}

/** `fn(0)` … `fn(n - 1)` with at most `limit` in flight. */
async function pooled(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await fn(next++);
  }));
}

export async function benchWorkloads(): Promise<void> {
  const dir = await tempDir('bench-workloads');
  const srv = await startServer({ dataDir: dir, logLevel: 'error' });
  const ac = new AbortController();
  const fleetCs = await Clientset.fromKubeconfig(srv.kubeconfig, 'skiff-sim-nodes');
  const fleet = new HollowFleet({ clientset: fleetCs, log: pino({ level: 'error' }), count: NODES, namePrefix: 'sim-', concurrency: 32 });
  const fleetRun = fleet.run(ac.signal);
  try {
    const cs = await Clientset.fromKubeconfig(srv.kubeconfig, 'bench-workloads');
    let t0 = performance.now();
    await fleet.registered;
    line(`sim_nodes_${NODES}_registered`, (performance.now() - t0) / 1000, 's');

    await cs.resource('v1', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const pods = cs.resource<Pod>('v1', 'pods');
    const podWatch = watcher<Pod>(cs, 'v1', 'pods', ac.signal);
    const jobWatch = watcher<WorkloadLike>(cs, 'batch/v1', 'jobs', ac.signal);
    const dsWatch = watcher<WorkloadLike>(cs, 'apps/v1', 'daemonsets', ac.signal);
    const stsWatch = watcher<WorkloadLike>(cs, 'apps/v1', 'statefulsets', ac.signal);
    await Promise.all([podWatch.ready, jobWatch.ready, dsWatch.ready, stsWatch.ready]);
    const running = (app: string): number => [...podWatch.items.values()].filter((p) => p.metadata.labels?.app === app && p.status?.phase === 'Running').length;

    // The floor: N bare pods POSTed, CONCURRENCY at a time; then (for context, not the floor)
    // until the scheduler and the hollow nodes have them all Running.
    const floor = async (phase: string, n: number): Promise<{ created: number; running: number }> => {
      const app = `bare-${phase}`;
      const start = performance.now();
      await pooled(n, CONCURRENCY, (i) => pods.create(NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${app}-${i}`, labels: { app } }, spec: podSpec('Always') }));
      const created = (performance.now() - start) / 1000;
      line(`floor_${n}_bare_pod_creates (${CONCURRENCY} in flight)`, created, 's');
      const allRunning = await podWatch.until(() => running(app) >= n, `${n} bare pods Running`);
      const toRunning = (allRunning - start) / 1000;
      line(`bare_${n}_pods_created_to_running (context)`, toRunning, 's');
      return { created, running: toRunning };
    };
    // The target is against the creates; the ratio to bare pods created and run by the scheduler
    // and the hollow nodes shows what the controller itself adds to that pipeline.
    const verdict = (name: string, seconds: number, f: { created: number; running: number }): void => {
      line(name, seconds, 's');
      line(`${name}_vs_floor`, seconds / f.created, `x (target <= 2, ${seconds / f.created <= 2 ? 'met' : 'missed'})`);
      line(`${name}_vs_bare_pods_running (context)`, seconds / f.running, 'x');
    };

    // (1) Indexed Job, COMPLETIONS completions at PARALLELISM, until its Complete condition.
    const jobFloor = await floor('job', COMPLETIONS);
    t0 = performance.now();
    await cs.resource<WorkloadLike>('batch/v1', 'jobs').create(NS, {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'indexed' },
      spec: { completionMode: 'Indexed', completions: COMPLETIONS, parallelism: PARALLELISM, backoffLimit: 6, template: { metadata: { labels: { app: 'job' } }, spec: podSpec('Never') } },
    });
    const jobDone = (): boolean => (jobWatch.items.get('indexed')?.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    let t1 = await jobWatch.until(jobDone, 'the Job to finish');
    const job = jobWatch.items.get('indexed')!;
    if (!(job.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True')) throw new Error(`the Job failed: ${JSON.stringify(job.status)}`);
    verdict(`job_indexed_${COMPLETIONS}_parallelism_${PARALLELISM}_complete`, (t1 - t0) / 1000, jobFloor);
    line('hollow_pods_completed', fleet.podsCompleted, 'pods');

    // (2) DaemonSet on every node, until numberAvailable = NODES.
    const dsFloor = await floor('ds', NODES);
    t0 = performance.now();
    await cs.resource<WorkloadLike>('apps/v1', 'daemonsets').create(NS, {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: podSpec('Always') } },
    });
    t1 = await dsWatch.until(() => {
      const s = dsWatch.items.get('agent')?.status;
      return s?.desiredNumberScheduled === NODES && s.numberAvailable === NODES;
    }, `${NODES} available daemon pods`);
    verdict(`daemonset_${NODES}_nodes_available`, (t1 - t0) / 1000, dsFloor);

    // (3) StatefulSet, Parallel, 0 → STS_REPLICAS until all ready.
    const stsFloor = await floor('sts', STS_REPLICAS);
    const statefulsets = cs.resource<WorkloadLike>('apps/v1', 'statefulsets');
    await statefulsets.create(NS, {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: { replicas: 0, serviceName: 'db', podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: podSpec('Always') } },
    });
    await stsWatch.until(() => (stsWatch.items.get('db')?.status?.observedGeneration ?? 0) >= 1, 'the empty StatefulSet', 60_000);
    t0 = performance.now();
    await statefulsets.patch(NS, 'db', 'merge', { spec: { replicas: STS_REPLICAS } });
    t1 = await stsWatch.until(() => stsWatch.items.get('db')?.status?.readyReplicas === STS_REPLICAS, `${STS_REPLICAS} ready replicas`);
    verdict(`statefulset_parallel_0_to_${STS_REPLICAS}_ready`, (t1 - t0) / 1000, stsFloor);
    line('hollow_pods_started', fleet.podsStarted, 'pods');
    cs.rest.close();
  } finally {
    ac.abort();
    await fleetRun.catch(() => undefined);
    await srv.stop();
    await removeDir(dir);
  }
}
