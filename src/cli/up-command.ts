// `skiff up`: a single-node cluster in one process — the control plane (API server, controllers,
// scheduler) and a node agent for this machine — with progress on the terminal while it starts and
// a ready-to-paste kubectl line once the node is Ready. Ctrl-C stops everything; pods' containers
// keep running (like k3s), and the next `skiff up` on the same data dir adopts them.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Node } from '../api/types/core-v1.ts';
import type { Clientset } from '../client/clientset.ts';
import { DEFAULT_EVICTION_HARD, parseEvictionHard } from '../kubelet/eviction/threshold.ts';
import { parseListen, parseSeconds } from './flag-values.ts';
import { createLogger } from './log.ts';
import { podGCFromFlags } from './podgc-flags.ts';
import { addNodeNetworkFlags, nodeNetworkFromFlags, type NodeNetworkFlags } from './network-flags.ts';
import { addControlPlaneFlags, hpaFromFlags, localPathFromFlags, nodeLifecycleFromFlags, servingLimitsFromFlags, type ServerFlags } from './server-command.ts';
import { shutdownSignal } from './signals.ts';

export interface UpFlags extends NodeNetworkFlags, Pick<ServerFlags, 'nodeMonitorGracePeriod' | 'nodeStartupGracePeriod' | 'horizontalPodAutoscalerSyncPeriod' | 'horizontalPodAutoscalerDownscaleStabilization' | 'maxRequestsInflight' | 'maxMutatingRequestsInflight' | 'maxConnectionsPerClient' | 'headersTimeout' | 'requestReadTimeout' | 'tlsHandshakeTimeout' | 'defaultLocalStoragePath'> {
  dataDir: string;
  listen: string;
  tokenFile?: string;
  logLevel: string;
  historyRetention: string;
  eventTtl: string;
  controllers: string;
  nodeName: string;
  nodeIp: string;
  kubeletPort: string;
  podSubnet?: string;
  bridge?: string;
  cgroupRoot?: string;
  evictionHard: string;
  terminatedPodGcThreshold: string;
  podGcOrphanQuarantine?: string;
}

export function registerUpCommand(program: Command): void {
  addNodeNetworkFlags(addControlPlaneFlags(program.command('up')
    .description('Run a single-node cluster: API server, controllers, scheduler and a node agent for this machine')), { ingressHttpPort: '80', ingressHttpsPort: '443' })
    .option('--node-name <name>', 'name of this machine\'s Node', hostname())
    .option('--node-ip <ip>', 'the node\'s InternalIP; the API server reaches the node agent there', '127.0.0.1')
    .option('--kubelet-port <port>', 'port of the node agent\'s server (logs, exec, port-forward)', '10250')
    .option('--pod-subnet <cidr>', 'pod subnet instead of the /24 the control plane assigns from 10.42.0.0/16')
    .option('--bridge <name>', 'bridge pods attach to (default skiff0)')
    .option('--cgroup-root <path>', 'cgroup under which pods run (default /skiff)')
    .option('--eviction-hard <threshold>', 'evict pods while memory is short, e.g. memory.available<100Mi or memory.available<5% (\'\': never)', DEFAULT_EVICTION_HARD)
    .action(async (flags: UpFlags) => {
      await runUp(flags);
    });
}

function step(text: string): { done: (detail?: string) => void } {
  const t0 = performance.now();
  process.stderr.write(`  … ${text}\n`);
  return {
    done(detail) {
      process.stderr.write(`  ✓ ${text}${detail ? `: ${detail}` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    },
  };
}

export async function runUp(flags: UpFlags): Promise<void> {
  const log = createLogger(flags.logLevel);
  const { host, port } = parseListen(flags.listen);
  const kubeletPort = Number(flags.kubeletPort);
  if (!Number.isInteger(kubeletPort) || kubeletPort < 1 || kubeletPort > 65535) throw new Error(`--kubelet-port "${flags.kubeletPort}": expected a port number from 1 to 65535`);
  const historyRetentionSeconds = parseSeconds('--history-retention', flags.historyRetention);
  const eventTtlSeconds = parseSeconds('--event-ttl', flags.eventTtl);
  if (flags.evictionHard !== '') parseEvictionHard(flags.evictionHard);
  const nodeLifecycle = nodeLifecycleFromFlags(flags);
  const hpa = hpaFromFlags(flags);
  const network = nodeNetworkFromFlags(flags);
  (await import('../controllers/manager.ts')).controllerSelection(flags.controllers);
  const t0 = performance.now();
  process.stderr.write(`skiff up: a single-node cluster in ${flags.dataDir}\n`);
  // The components are loaded when the command runs, so the engine commands start fast.
  const [{ startControlPlane }, { Clientset }, { Kubelet }, { ensureBaseImages, ImageStore }, { runNodeNetwork }] = await Promise.all([
    import('./control-plane.ts'), import('../client/clientset.ts'), import('../kubelet/kubelet.ts'), import('../runtime/images/index.ts'), import('./node-network.ts'),
  ]);

  let s = step('certificates, store and API server');
  const cp = await startControlPlane({
    dataDir: flags.dataDir, host, port, log, historyRetentionSeconds, eventTtlSeconds,
    controllers: true, controllerSelection: flags.controllers, scheduler: true, servingLimits: servingLimitsFromFlags(flags),
    controllerOptions: { nodeLifecycle, hpa, podGC: podGCFromFlags(flags), nodeIpam: { clusterCidr: network.clusterCIDR }, ...localPathFromFlags(flags) },
    serviceCIDR: network.serviceCIDR, clusterDNS: network.clusterDNS,
    ...(flags.tokenFile ? { tokenFile: flags.tokenFile } : {}),
  });
  s.done(cp.url);
  const signal = shutdownSignal((sig) => log.info({ sig }, 'shutting down (containers keep running)'));
  const controlPlane = cp.run(signal);

  const nodeDir = join(cp.dataDir, 'node');
  s = step('base images busybox:latest and pause:3.10');
  await ensureBaseImages(await ImageStore.open(join(nodeDir, 'engine', 'images')));
  s.done();

  s = step(`node ${flags.nodeName}: registration, pod network and Ready`);
  const nodeClient = new Clientset(await cp.clientConfig(`system:node:${flags.nodeName}`, ['system:nodes'], 'skiff-kubelet'));
  const kubelet = new Kubelet({
    clientset: nodeClient,
    nodeName: flags.nodeName,
    nodeIP: flags.nodeIp,
    dataDir: nodeDir,
    log,
    serverHost: flags.nodeIp,
    serverPort: kubeletPort,
    clientCaPem: cp.pki.caCertPem,
    evictionHard: flags.evictionHard,
    dns: { clusterDNS: [network.clusterDNS], clusterDomain: network.clusterDomain, resolvConf: network.resolvConf },
    engineSettings: {
      ...(flags.podSubnet ? { subnet: flags.podSubnet } : {}),
      ...(flags.bridge ? { bridge: flags.bridge } : {}),
      ...(flags.cgroupRoot ? { cgroupRoot: flags.cgroupRoot } : {}),
    },
  });
  const agent = kubelet.run(signal).catch((err: unknown) => {
    if (!signal.aborted) log.error({ err: (err as Error).message }, 'node agent stopped');
  });
  // The service proxy, DNS and the rest of the node's network, with their own client identity
  // (system:kube-proxy, as kube-proxy's; the node's own credentials would not reach other nodes' objects).
  const networkClient = new Clientset(await cp.clientConfig('system:kube-proxy', [], 'skiff-node-network'));
  const nodeNetwork = runNodeNetwork({
    ...network, clientset: networkClient, nodeName: flags.nodeName, nodeIP: flags.nodeIp,
    bridge: flags.bridge ?? 'skiff0', log: log.child({ component: 'node-network' }),
  }, signal).catch((err: unknown) => {
    if (!signal.aborted) log.error({ err: (err as Error).message }, 'node network stopped');
  });
  // The join token and the line that adds another machine (kubeadm init's closing `kubeadm join` line).
  const { ensureNodeToken, joinCommand } = await import('./node-token.ts');
  const adminClient = new Clientset(await cp.clientConfig('system:skiff-up', ['system:masters'], 'skiff-up'));
  const joinUrl = host === '0.0.0.0' || host === '::' ? cp.url.replace(/\/\/[^/]*:(\d+)$/, `//${flags.nodeIp}:$1`) : cp.url;
  const [token] = await Promise.all([
    ensureNodeToken(adminClient, cp.dataDir),
    // The RuntimeClasses of the handlers this node offers (those whose runtime is installed).
    import('./runtime-classes.ts').then(async ({ ensureRuntimeClasses }) => {
      const { availableRuntimeHandlers } = await import('../runtime/runtime-handlers.ts');
      await ensureRuntimeClasses(adminClient, availableRuntimeHandlers().map((h) => h.name));
    }),
  ]).finally(() => adminClient.rest.close());
  const joinLine = joinCommand(joinUrl, token, cp.pki.caCertPem);
  const ready = await Promise.race([
    waitNodeReady(nodeClient, flags.nodeName, signal).then(() => true),
    agent.then(() => false),
  ]);
  if (ready) {
    s.done();
    process.stderr.write(`skiff API server listening on ${cp.url} — node ${flags.nodeName} is Ready (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`
      + `  export KUBECONFIG=${cp.kubeconfig}\n  kubectl get nodes\n  kubectl run hello --image=busybox -- sleep 3600\n`
      + `join another machine as a node with:\n  ${joinLine}\n`);
  }
  await Promise.all([controlPlane, agent, nodeNetwork]);
}

async function waitNodeReady(cs: Clientset, name: string, signal: AbortSignal): Promise<void> {
  const nodes = cs.resource<Node>('v1', 'nodes');
  while (!signal.aborted) {
    const node = await nodes.get(undefined, name).catch(() => undefined);
    if (node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('stopped before the node was Ready');
}
