// Service proxy benchmark (issue 9): requests/s and p99 through a ClusterIP against the same
// requests straight to the pod IP (one `skiff up` cluster, wrk on the host, a busybox httpd pod);
// then, with 1,000 selectorless Services of 10 hand-written endpoints each on an API server, the
// time from an EndpointSlice change to its rule being in the kernel (p50/p99) and the full resync
// time, with a ServiceProxy programming a network namespace the benchmark makes.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Clientset } from '../src/client/clientset.ts';
import { Informer } from '../src/client/informer.ts';
import { netTools } from '../src/runtime/netns/net-tools.ts';
import { runCommand } from '../src/runtime/netns/run-command.ts';
import { cleanupServiceProxy, ServiceProxy, type SyncReport } from '../src/proxy/service-proxy.ts';
import type { EndpointSlice, Service } from '../src/proxy/types.ts';
import { kubectl, removeDir, startServer, tempDir, waitUntil } from '../test/e2e/harness.ts';
import { startUpCluster } from '../test/e2e/up-cluster.ts';
import { percentile } from './http-client.ts';

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox
        command: ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"]
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

function toMs(v: string, unit: string): number {
  return Number(v) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;
}

/** wrk (from the host, or inside network namespace `netns`); requests/s and the p99 latency from its --latency distribution. */
function wrk(url: string, seconds: number, netns?: string): { rps: number; p99: number } {
  const args = ['-t1', '-c8', `-d${seconds}s`, '--latency', url];
  const out = netns === undefined
    ? execFileSync('wrk', args, { encoding: 'utf8' })
    : execFileSync('nsenter', [`--net=/run/netns/${netns}`, 'wrk', ...args], { encoding: 'utf8' });
  if (process.env.BENCH_PROXY_VERBOSE) process.stderr.write(`${url}${netns === undefined ? '' : ` (in ${netns})`}\n${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const m = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  return { rps, p99: m ? toMs(m[1]!, m[2]!) : NaN };
}

async function sh(...args: string[]): Promise<void> {
  const r = await runCommand(args[0]!, args.slice(1));
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

async function throughput(): Promise<void> {
  const hex = randomBytes(3).toString('hex');
  const clientNs = `skifftest${hex}c`;
  const cluster = await startUpCluster({ label: 'bench-proxy', nodeName: `benchproxy-${hex}`, cgroupRoot: `/skiff-bench-proxy-${hex}`, bridge: `skiffx${hex}`, subnetBase: 16 });
  try {
    const k = async (args: string[], input?: string): Promise<string> => {
      const r = await kubectl('1.33', cluster.server, args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await k(['apply', '-f', '-'], APP);
    await k(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    const podIP = (await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].status.podIP}'])).trim();
    const clusterIP = (await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await waitUntil(() => {
      try { return wrk(`http://${clusterIP}:80/`, 1).rps > 0; } catch { return false; }
    }, 30_000, 'the ClusterIP to answer');
    // A client "pod" of the benchmark's own: a namespace on the cluster's bridge with the last
    // address of the pod subnet, so its traffic takes the pods' path (no masquerade), unlike the
    // host's (masqueraded: its source address is outside the cluster CIDR).
    const gw = cluster.subnet.replace(/0\/24$/, '1');
    await sh('ip', 'netns', 'add', clientNs);
    await sh('ip', 'link', 'add', `skfx${hex}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', clientNs);
    await sh('ip', 'link', 'set', `skfx${hex}`, 'master', `skiffx${hex}`, 'up');
    await sh('ip', '-n', clientNs, 'addr', 'add', cluster.subnet.replace(/0\/24$/, '250/24'), 'dev', 'eth0');
    await sh('ip', '-n', clientNs, 'link', 'set', 'eth0', 'up');
    await sh('ip', '-n', clientNs, 'link', 'set', 'lo', 'up');
    await sh('ip', '-n', clientNs, 'route', 'add', 'default', 'via', gw);
    const mean = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
    for (const [where, ns] of [['from a pod', clientNs], ['from the host', undefined]] as const) {
      // Alternate the two so drift on the shared cores hits both alike. Rounds vary a lot here
      // (connection set-up stalls hit both targets alike on a loaded machine): report the median.
      const direct: Array<{ rps: number; p99: number }> = [];
      const viaService: Array<{ rps: number; p99: number }> = [];
      for (let round = 0; round < 5; round++) {
        direct.push(wrk(`http://${podIP}:8080/`, 3, ns));
        viaService.push(wrk(`http://${clusterIP}:80/`, 3, ns));
      }
      const d = mean(direct.map((r) => r.rps));
      const s = mean(viaService.map((r) => r.rps));
      line(`proxy_requests_per_second (${where}, pod IP, peer)`, d, 'req/s');
      line(`proxy_requests_per_second (${where}, ClusterIP)`, s, 'req/s');
      line(`proxy_throughput_cost (${where}, ClusterIP vs pod IP)`, (1 - s / d) * 100, '%');
      line(`proxy_p99_latency (${where}, pod IP, peer)`, mean(direct.map((r) => r.p99)), 'ms');
      line(`proxy_p99_latency (${where}, ClusterIP)`, mean(viaService.map((r) => r.p99)), 'ms');
    }
  } finally {
    await runCommand('ip', ['netns', 'del', clientNs]);
    await cluster.stop();
  }
}

const SERVICES = 1000;
const ENDPOINTS = 10;

async function scale(): Promise<void> {
  const hex = randomBytes(3).toString('hex');
  const netns = `skifftest${hex}`;
  const table = `skifftest${hex}`;
  const dataDir = await tempDir('bench-proxy-scale');
  const server = await startServer({ command: 'server', dataDir });
  await runCommand('ip', ['netns', 'add', netns]);
  const ac = new AbortController();
  try {
    const cs = await Clientset.fromKubeconfig(server.kubeconfig, 'bench-proxy');
    const services = cs.resource<Service>('v1', 'services');
    const slices = cs.resource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices');
    const sliceOf = (i: number, generation: number): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { namespace: 'default', name: `s${i}-1`, labels: { 'kubernetes.io/service-name': `s${i}` } },
      addressType: 'IPv4',
      // Ten endpoints; a change flips the first one's readiness.
      ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
      endpoints: Array.from({ length: ENDPOINTS }, (_, j) => ({
        addresses: [`10.42.${100 + j * 4 + Math.floor(i / 250)}.${(i % 250) + 1}`],
        conditions: { ready: j !== 0 || generation % 2 === 0 },
        nodeName: `n${j}`,
      })),
    });
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = next++; i < SERVICES; i = next++) {
        await services.create('default', { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8000 }] } });
        await slices.create('default', sliceOf(i, 0));
      }
    }));
    line('proxy_scale_objects_created', SERVICES * 2, `objects in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const reports: SyncReport[] = [];
    let onReport: ((r: SyncReport) => void) | undefined;
    const proxy = new ServiceProxy({
      clientset: cs, hostname: 'n0', table, clusterCIDR: '10.42.0.0/16', serviceCIDR: '10.43.0.0/16',
      nodeIPs: ['10.99.0.1'], tools: netTools(netns),
      onSync: (r) => { reports.push(r); onReport?.(r); },
    });
    const running = proxy.run(ac.signal);
    await waitUntil(() => reports.some((r) => r.full), 120_000, 'the first full sync');
    line('proxy_full_sync_ms (first, 1,000 Services x 10 endpoints)', reports.find((r) => r.full)!.durationMs, 'ms');
    const fulls: number[] = [];
    for (let n = 0; n < 3; n++) {
      await proxy.flush();
      fulls.push(reports.filter((r) => r.full).at(-1)!.durationMs);
    }
    line('proxy_full_resync_ms (over the live table, median of 3)', percentile([...fulls].sort((a, b) => a - b), 50), 'ms');

    // One endpoint change at a time: from the API write to the sync that carried it having been
    // committed by the kernel.
    const latencies: number[] = [];
    const proxyShare: number[] = [];
    const statements: number[] = [];
    // A watcher of its own tells how much of the latency is the API server's watch delivering
    // the change, and how much the proxy's sync.
    const seenAt = new Map<string, number>();
    const watcher = new Informer<EndpointSlice>(slices);
    watcher.addHandlers({ update: (_o, s) => { seenAt.set(`${s.metadata.namespace}/${s.metadata.labels?.['kubernetes.io/service-name']}`, performance.now()); } });
    const watching = watcher.run(ac.signal);
    await watcher.waitForSync();
    for (let n = 0; n < 60; n++) {
      const i = Math.floor(Math.random() * SERVICES);
      const key = `default/s${i}`;
      const current = await slices.get('default', `s${i}-1`);
      const flipped = sliceOf(i, (current.endpoints[0]?.conditions?.ready ?? true) ? 1 : 0);
      const done = new Promise<SyncReport>((resolve) => { onReport = (r): void => { if (r.services.includes(key)) resolve(r); }; });
      const start = performance.now();
      await slices.update('default', flipped);
      const r = await done;
      const end = performance.now();
      latencies.push(end - start);
      proxyShare.push(end - (seenAt.get(key) ?? start));
      statements.push(r.statements);
      await new Promise((res) => setTimeout(res, 50));
    }
    line('proxy_endpoint_change_to_rule_p50_ms (1,000 Services)', percentile([...latencies].sort((a, b) => a - b), 50), 'ms');
    line('proxy_endpoint_change_to_rule_p99_ms (1,000 Services)', percentile([...latencies].sort((a, b) => a - b), 99), 'ms');
    line('proxy_endpoint_change_sync_share_p50_ms (watch event to rule)', percentile([...proxyShare].sort((a, b) => a - b), 50), 'ms');
    line('proxy_endpoint_change_sync_share_p99_ms (watch event to rule)', percentile([...proxyShare].sort((a, b) => a - b), 99), 'ms');
    line('proxy_partial_sync_statements (median)', percentile([...statements].sort((a, b) => a - b), 50), 'statements');
    line('proxy_min_sync_period (kube-proxy default 1000 ms, peer)', 100, 'ms');
    ac.abort();
    await running;
    await watching;
    await cleanupServiceProxy(table, netTools(netns));
  } finally {
    ac.abort();
    await runCommand('ip', ['netns', 'del', netns]);
    await server.stop();
    await removeDir(dataDir);
  }
}

export async function benchNetworkProxy(): Promise<void> {
  const parts = (process.env.BENCH_PROXY ?? 'throughput,scale').split(',');
  if (parts.includes('throughput')) await throughput();
  if (parts.includes('scale')) await scale();
}

if (import.meta.url === `file://${process.argv[1]}`) await benchNetworkProxy();
