// The node's share of the cluster network, run beside the node agent by `skiff up` and
// `skiff agent`: the service proxy, the node's cluster DNS server, routes to the other nodes' pod
// CIDRs, NetworkPolicy enforcement and the Ingress controller. Each is a component with
// run(signal) in its own folder; this file only decides which run and what they are told.
import type { Logger } from 'pino';
import type { Node } from '../api/types/core-v1.ts';
import type { Clientset } from '../client/clientset.ts';
import { ensureBridge } from '../cni/bridge.ts';
import { firstHost } from '../cni/config-list.ts';
import { nftDeleteTable, nftTables } from '../runtime/netns/nft.ts';
import { runProcess } from '../runtime/spawner/run-process.ts';

export const NODE_NETWORK_COMPONENTS = ['proxy', 'dns', 'routes', 'network-policy', 'ingress'] as const;
export type NodeNetworkComponent = (typeof NODE_NETWORK_COMPONENTS)[number];

export interface NodeNetworkConfig {
  clientset: Clientset;
  nodeName: string;
  /** The node's InternalIP (NodePorts, Ingress and other nodes' routes use it). */
  nodeIP: string;
  /** The bridge pods attach to; it carries the pod subnet's gateway address. */
  bridge: string;
  /** All pods of the cluster, e.g. 10.42.0.0/16. */
  clusterCIDR: string;
  /** ClusterIPs, e.g. 10.43.0.0/16. */
  serviceCIDR: string;
  /** The kube-dns Service's ClusterIP, e.g. 10.43.0.10. */
  clusterDNS: string;
  clusterDomain: string;
  /** Prefix of the nft tables this node's components own (`PREFIX-proxy`, `PREFIX-netpol`). */
  nftPrefix: string;
  /** resolv.conf whose nameservers the cluster DNS forwards other names to. */
  resolvConf: string;
  /** Ports the Ingress controller serves on the node's address (`--ingress-http-port`, `--ingress-https-port`). */
  ingressHttpPort: number;
  ingressHttpsPort: number;
  /** Components not to run (`--disable`). */
  disable: ReadonlySet<NodeNetworkComponent>;
  log: Logger;
}

/** What every component is given once the node's pod subnet is known. */
export interface NodeNetworkContext extends NodeNetworkConfig {
  /** This node's pod subnet (spec.podCIDR), e.g. 10.42.3.0/24. */
  podCIDR: string;
  /** The first address of the pod subnet, on the bridge: the pods' gateway and the node's DNS address. */
  gatewayIP: string;
}

type Runner = (ctx: NodeNetworkContext, signal: AbortSignal) => Promise<void>;

// Each component's entry point, loaded only when it runs.
const RUNNERS: Record<NodeNetworkComponent, Runner | undefined> = {
  proxy: async (ctx, signal) => (await import('../proxy/service-proxy.ts')).runServiceProxy(ctx, signal),
  dns: async (ctx, signal) => (await import('../proxy/dns/cluster-dns.ts')).runClusterDns(ctx, signal),
  routes: async (ctx, signal) => (await import('../kubelet/network/route-sync.ts')).runNodeRoutes(ctx, signal),
  'network-policy': async (ctx, signal) => (await import('../networkpolicy/network-policy.ts')).runNetworkPolicy(ctx, signal),
  ingress: async (ctx, signal) => (await import('../ingress/controller.ts')).runIngress(ctx, signal),
};

/** Parses --disable: a comma-separated list of NODE_NETWORK_COMPONENTS. */
export function parseDisable(value: string | undefined): Set<NodeNetworkComponent> {
  const out = new Set<NodeNetworkComponent>();
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(NODE_NETWORK_COMPONENTS as readonly string[]).includes(name)) {
      throw new Error(`--disable "${name}": expected one of ${NODE_NETWORK_COMPONENTS.join(', ')}`);
    }
    out.add(name as NodeNetworkComponent);
  }
  return out;
}

export async function runNodeNetwork(config: NodeNetworkConfig, signal: AbortSignal): Promise<void> {
  const podCIDR = await waitForPodCIDR(config, signal);
  if (podCIDR === undefined) return;
  const gatewayIP = firstHost(podCIDR);
  // The bridge exists before the first pod so the DNS server can bind the gateway address and
  // routes have somewhere to lead; the CNI bridge plugin adopts it as it finds it.
  await ensureBridge(config.bridge, `${gatewayIP}/${podCIDR.split('/')[1]}`);
  const ctx: NodeNetworkContext = { ...config, podCIDR, gatewayIP };
  const running: Promise<void>[] = [];
  for (const name of NODE_NETWORK_COMPONENTS) {
    const run = RUNNERS[name];
    if (run === undefined || config.disable.has(name)) continue;
    running.push(run(ctx, signal).catch((err: unknown) => {
      if (!signal.aborted) config.log.error({ component: name, err: (err as Error).message }, 'node network component stopped');
    }));
  }
  await Promise.all(running);
}

async function waitForPodCIDR(config: NodeNetworkConfig, signal: AbortSignal): Promise<string | undefined> {
  const nodes = config.clientset.resource<Node>('v1', 'nodes');
  while (!signal.aborted) {
    const node = await nodes.get(undefined, config.nodeName).catch(() => undefined);
    const cidr = node?.spec?.podCIDR;
    if (cidr) return cidr;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

/**
 * Removes what the node's network components left in the kernel (`skiff down`, tests): every nft
 * table named PREFIX-…, and the connection-tracking entries of flows to or from `cidrs` (the
 * node's pod subnet and the service CIDR). Returns what went. The bridge goes with the engine's
 * network; routes with the routes component's cleanup.
 */
export async function cleanupNodeNetwork(options: { nftPrefix: string; conntrackCIDRs?: readonly string[] }): Promise<string[]> {
  const removed: string[] = [];
  for (const table of await nftTables('ip')) {
    if (table.startsWith(`${options.nftPrefix}-`) && await nftDeleteTable('ip', table)) removed.push(`nft table ip ${table}`);
  }
  for (const cidr of options.conntrackCIDRs ?? []) {
    for (const side of ['--orig-src', '--orig-dst']) {
      const n = await conntrackDeleteAll(side, cidr);
      if (n > 0) removed.push(`${n} conntrack entries ${side} ${cidr}`);
    }
  }
  return removed;
}

/** `conntrack -D SIDE CIDR`: the number of entries deleted (conntrack exits 1 when none matched). */
async function conntrackDeleteAll(side: string, cidr: string): Promise<number> {
  const r = await runProcess(process.env.SKIFF_CONNTRACK ?? 'conntrack', ['-D', side, cidr], { timeoutMs: 30_000 });
  const n = Number(/(\d+) flow entries have been deleted/.exec(r.stderr.toString())?.[1] ?? NaN);
  if (r.code === 0 || (r.code === 1 && n === 0)) return Number.isNaN(n) ? 0 : n;
  throw new Error(`conntrack -D ${side} ${cidr} failed: ${r.stderr.toString().trim() || `exit ${r.code}`}`);
}

/** Connection-tracking entries of flows to or from `cidr` (tests check none is left). */
export async function conntrackEntries(cidr: string): Promise<number> {
  let total = 0;
  for (const side of ['--orig-src', '--orig-dst']) {
    const r = await runProcess(process.env.SKIFF_CONNTRACK ?? 'conntrack', ['-L', side, cidr], { timeoutMs: 30_000 });
    total += r.stdout.toString().split('\n').filter((l) => l.trim() !== '').length;
  }
  return total;
}
