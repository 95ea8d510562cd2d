// Several nodes, one network (issue 9, E2): what the hop to another node costs. Two nodes on one
// machine (node B a `skiff agent` in its own network namespace, joined with the printed line), a
// busybox httpd pod on each, and a client "pod" of the benchmark's own on node A's bridge: wrk
// against the pod on the same node (the peer) and against the pod on the other node, alternated;
// then the time from a new Node object to its route being in the kernel.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Node } from '../src/api/types/core-v1.ts';
import { Clientset } from '../src/client/clientset.ts';
import { listPodRoutes } from '../src/cni/routes.ts';
import { runCommand } from '../src/runtime/netns/run-command.ts';
import { kubectl, waitUntil } from '../test/e2e/harness.ts';
import { startTwoNodeCluster } from '../test/e2e/two-node-cluster.ts';
import { percentile } from './http-client.ts';

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

function toMs(v: string, unit: string): number {
  return Number(v) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;
}

/** wrk inside network namespace `netns`: requests/s and the p99 latency. */
function wrk(url: string, seconds: number, netns: string): { rps: number; p99: number } {
  const out = execFileSync('nsenter', [`--net=/run/netns/${netns}`, 'wrk', '-t1', '-c8', `-d${seconds}s`, '--latency', url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const m = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  return { rps, p99: m ? toMs(m[1]!, m[2]!) : NaN };
}

async function sh(...args: string[]): Promise<void> {
  const r = await runCommand(args[0]!, args.slice(1));
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

const pod = (name: string, node: string): string => `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  nodeSelector: { kubernetes.io/hostname: ${node} }
  terminationGracePeriodSeconds: 0
  containers:
  - name: httpd
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"]
---
`;

export async function benchNetworkNodes(): Promise<void> {
  const hex = randomBytes(3).toString('hex');
  const clientNs = `skifftest${hex}m`;
  const two = await startTwoNodeCluster({ label: 'bn', subnetBase: 48, bridgePrefix: 'skiffm', linkBase: 64 });
  const { cluster } = two;
  let clientMade = false;
  try {
    const k = async (args: string[], input?: string): Promise<string> => {
      const r = await kubectl('1.33', cluster.server, args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await k(['apply', '-f', '-'], pod('near', two.nodeA) + pod('far', two.nodeB));
    await k(['wait', '--for=condition=Ready', 'pod/near', 'pod/far', '--timeout=90s']);
    const near = (await k(['get', 'pod', 'near', '-o', 'jsonpath={.status.podIP}'])).trim();
    const far = (await k(['get', 'pod', 'far', '-o', 'jsonpath={.status.podIP}'])).trim();
    // The client: a namespace on node A's bridge with the last address of its pod subnet.
    await sh('ip', 'netns', 'add', clientNs);
    clientMade = true;
    await sh('ip', 'link', 'add', `skbm${hex}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', clientNs);
    await sh('ip', 'link', 'set', `skbm${hex}`, 'master', two.bridgeA, 'up');
    await sh('ip', '-n', clientNs, 'addr', 'add', cluster.subnet.replace(/0\/24$/, '250/24'), 'dev', 'eth0');
    await sh('ip', '-n', clientNs, 'link', 'set', 'eth0', 'up');
    await sh('ip', '-n', clientNs, 'link', 'set', 'lo', 'up');
    await sh('ip', '-n', clientNs, 'route', 'add', 'default', 'via', cluster.subnet.replace(/0\/24$/, '1'));
    await waitUntil(() => {
      try { return wrk(`http://${far}:8080/`, 1, clientNs).rps > 0; } catch { return false; }
    }, 30_000, 'the pod on node B to answer');
    const same: Array<{ rps: number; p99: number }> = [];
    const other: Array<{ rps: number; p99: number }> = [];
    // Alternated, so drift on the shared cores hits both alike; the median of 5 rounds.
    for (let round = 0; round < 5; round++) {
      same.push(wrk(`http://${near}:8080/`, 3, clientNs));
      other.push(wrk(`http://${far}:8080/`, 3, clientNs));
    }
    const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
    const s = median(same.map((r) => r.rps));
    const o = median(other.map((r) => r.rps));
    line('nodes_pod_requests_per_second (same node, peer)', s, 'req/s');
    line('nodes_pod_requests_per_second (other node)', o, 'req/s');
    line('nodes_pod_throughput_cost (other node vs same node)', (1 - o / s) * 100, '%');
    line('nodes_pod_p99_latency (same node, peer)', median(same.map((r) => r.p99)), 'ms');
    line('nodes_pod_p99_latency (other node)', median(other.map((r) => r.p99)), 'ms');

    // A Node appearing (a new machine) to its route on node A: 20 times, p50/p99.
    const nodes = (await Clientset.fromKubeconfig(cluster.server.kubeconfig, 'bench-nodes')).resource<Node>('v1', 'nodes');
    const times: number[] = [];
    const spare = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63].map((x) => `10.42.${x}.0/24`)
      .find((c) => c !== cluster.subnet && c !== two.subnetB)!;
    for (let i = 0; i < 20; i++) {
      const name = `bn-ghost-${hex}-${i}`;
      const t0 = performance.now();
      await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR: spare }, status: { addresses: [{ type: 'InternalIP', address: two.nodeIP }] } });
      // Polled as fast as `ip route` answers (a few ms), not at waitUntil's 50 ms.
      while (!(await listPodRoutes('10.42.0.0/16')).some((r) => r.dst === spare)) {
        if (performance.now() - t0 > 30_000) throw new Error(`no route to ${spare} 30 s after its Node was created`);
      }
      times.push(performance.now() - t0);
      await nodes.delete(undefined, name);
      await waitUntil(async () => !(await listPodRoutes('10.42.0.0/16')).some((r) => r.dst === spare), 30_000, 'the route gone');
    }
    times.sort((a, b) => a - b);
    line('nodes_route_after_node_created_p50', percentile(times, 50), 'ms');
    line('nodes_route_after_node_created_p99', percentile(times, 99), 'ms');
  } finally {
    if (clientMade) await runCommand('ip', ['netns', 'del', clientNs]);
    await kubectl('1.33', cluster.server, ['delete', 'pods', '--all', '--force', '--grace-period=0']).catch(() => undefined);
    const left = await two.stop();
    if (left.length > 0) console.error(`bench network/nodes left behind: ${left.join(', ')}`);
  }
}
