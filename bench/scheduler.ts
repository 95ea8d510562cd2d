// Scheduler throughput (issue 4): 10,000 pods onto 5,000 simulated nodes (Node objects with
// capacity and a Ready condition and no agent, the way kwok fakes them), measured from the first
// bind to the last, the way kube-scheduler's scheduler_perf reports SchedulingThroughput.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Node, Pod } from '../src/api/types/core-v1.ts';
import { Clientset } from '../src/client/clientset.ts';
import { resourcePath } from '../src/client/resource-client.ts';
import { Scheduler } from '../src/scheduler/index.ts';
import { removeDir, startServer, tempDir } from '../test/e2e/harness.ts';
import { fakeNode, fakeNodeStatus, simplePod } from '../test/e2e/scheduler-helpers.ts';

const NODES = Number(process.env.SCHED_NODES ?? 5000);
const PODS = Number(process.env.SCHED_PODS ?? 10_000);
// kube-scheduler's CI threshold for SchedulingBasic at 5,000 nodes / 10,000 pods
// (test/integration/scheduler_perf/config/performance-config.yaml: threshold 270).
const KUBE_SCHEDULER_CI_FLOOR = 270;
const FLOOR_PODS = Number(process.env.SCHED_FLOOR_PODS ?? 3000);

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`);
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function loop(concurrency: number, total: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      await fn(i);
    }
  }));
}

export async function benchScheduler(): Promise<void> {
  const dir = await tempDir('bench-sched');
  // The API server alone: the scheduler under test runs in this process (its own core, as
  // kube-scheduler is its own process), and no controller reacts to the fake nodes.
  const srv = await startServer({ dataDir: dir, logLevel: 'error', extraArgs: ['--no-scheduler', '--no-controllers'] });
  const cs = await Clientset.fromKubeconfig(srv.kubeconfig, 'bench-scheduler');
  const ac = new AbortController();
  try {
    const nodes = cs.resource<Node>('v1', 'nodes');
    const pods = cs.resource<Pod>('v1', 'pods');
    let t0 = performance.now();
    await loop(64, NODES, async (i) => {
      const name = `node-${i}`;
      const spec = { cpu: '4', memory: '32Gi', pods: '110', labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` } };
      await nodes.create(undefined, fakeNode(name, spec));
      await nodes.patch(undefined, name, 'merge', { status: fakeNodeStatus(spec) }, { subresource: 'status' });
    });
    line(`create_${NODES}_nodes`, (performance.now() - t0) / 1000, 's');
    t0 = performance.now();
    await loop(64, PODS, async (i) => { await pods.create('default', simplePod(`pod-${i}`, { cpu: '100m', memory: '500Mi' })); });
    line(`create_${PODS}_pods`, (performance.now() - t0) / 1000, 's');

    // The floor: the same binds with no scheduling at all (64 clients POSTing pods/binding for
    // pods the scheduler ignores), i.e. what the API server and an HTTPS client allow right now.
    await cs.resource('v1', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'floor' } });
    await loop(64, FLOOR_PODS, async (i) => { await pods.create('floor', simplePod(`f-${i}`, { cpu: '100m' }, { schedulerName: 'nobody' })); });
    t0 = performance.now();
    await loop(64, FLOOR_PODS, async (i) => {
      const body = { apiVersion: 'v1', kind: 'Binding', metadata: { name: `f-${i}` }, target: { kind: 'Node', name: `node-${i % NODES}` } };
      await cs.rest.request('POST', resourcePath(pods.ref, 'floor', `f-${i}`, 'binding'), { body });
    });
    const floor = FLOOR_PODS / ((performance.now() - t0) / 1000);

    const sched = new Scheduler(cs, pino({ level: 'warn' }));
    const running = sched.run(ac.signal);
    // CPU used by each side while binding, so the figure can be read apart from the other load
    // on the machine: the scheduler (this process) and the API server.
    let cpuSched = 0;
    let cpuServer = 0;
    let first = 0;
    let last = 0;
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const now = performance.now();
        if (!first && sched.bound > 0) {
          first = now;
          cpuSched = process.cpuUsage().user + process.cpuUsage().system;
          cpuServer = cpuSeconds(srv.proc.pid!);
        }
        if (sched.bound >= PODS) {
          last = now;
          const u = process.cpuUsage();
          cpuSched = (u.user + u.system - cpuSched) / 1e6;
          cpuServer = cpuSeconds(srv.proc.pid!) - cpuServer;
          clearInterval(timer);
          resolve();
        } else if (now - start > 300_000) {
          clearInterval(timer);
          reject(new Error(`only ${sched.bound} of ${PODS} pods bound after 300 s`));
        }
      }, 2);
    });
    const list = await pods.list('default');
    if (list.items.length !== PODS) throw new Error(`expected ${PODS} pods, listed ${list.items.length}`);
    const bound = list.items.filter((p) => p.spec?.nodeName).length;
    if (bound !== PODS) throw new Error(`the server has ${bound} of ${PODS} pods bound`);
    const perNode = new Map<string, number>();
    for (const p of list.items) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
    line(`scheduler_throughput_${NODES}_nodes`, PODS / ((last - first) / 1000), 'pods/s');
    line('scheduler_kube_scheduler_ci_floor (upstream reference, not run here)', KUBE_SCHEDULER_CI_FLOOR, 'pods/s');
    line('scheduler_bind_floor_64_clients (binds alone, no scheduling)', floor, 'binds/s');
    line('scheduler_throughput_vs_bind_floor', PODS / ((last - first) / 1000) / floor, 'ratio');
    line('scheduler_cpu_per_pod (scheduler process)', (cpuSched / PODS) * 1e6, 'µs');
    line('scheduler_apiserver_cpu_per_pod (bind and watch)', (cpuServer / PODS) * 1e6, 'µs');
    line('scheduler_nodes_used', perNode.size, `of ${NODES}`);
    line('scheduler_max_pods_per_node', Math.max(...perNode.values()), 'pods');
    ac.abort();
    await running;
  } finally {
    ac.abort();
    await srv.stop();
    await removeDir(dir);
  }
}
