// `skiff agent`: joins this machine (or a network namespace standing in for one) to a cluster as a
// node: registers the Node, heartbeats, and runs the pods bound to it. Ctrl-C stops the agent and
// leaves the containers running; the next start adopts them.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { parseQuantity } from '../api/validation/quantity.ts';
import type { ClientConfig } from '../client/kubeconfig.ts';
import { DEFAULT_EVICTION_HARD, parseEvictionHard } from '../kubelet/eviction/threshold.ts';
import { createLogger } from './log.ts';
import { addClusterNetworkFlags, addNodeNetworkFlags, nodeNetworkFromFlags, type NodeNetworkFlags } from './network-flags.ts';
import { shutdownSignal } from './signals.ts';

export interface AgentFlags extends NodeNetworkFlags {
  server?: string;
  tokenFile?: string;
  caFile?: string;
  token?: string;
  caCertHash?: string;
  kubeconfig?: string;
  nodeName: string;
  nodeIp?: string;
  dataDir: string;
  engineDataDir?: string;
  allocatableMemory?: string;
  allocatableCpu?: string;
  maxPods?: string;
  podSubnet?: string;
  cgroupRoot?: string;
  bridge?: string;
  port: string;
  logLevel: string;
  evictionHard: string;
}

export function registerAgentCommand(program: Command): void {
  addNodeNetworkFlags(addClusterNetworkFlags(program.command('agent')), { ingressHttpPort: '80', ingressHttpsPort: '443' })
    .description('Run the node agent: register this machine as a node and run the pods bound to it')
    .option('--server <url>', 'the API server, e.g. https://10.0.0.1:6443')
    .option('--token-file <file>', 'file holding the bearer token to authenticate with')
    .option('--ca-file <file>', 'CA certificate of the API server')
    .option('--kubeconfig <file>', 'a kubeconfig instead of --server/--token-file/--ca-file')
    .option('--token <token>', 'join with a bootstrap token (abcdef.0123456789abcdef; `skiff up` prints the line), with --ca-cert-hash')
    .option('--ca-cert-hash <sha256:hex>', 'pin of the cluster CA\'s public key: the server is trusted only if its CA matches')
    .option('--node-name <name>', 'name of the Node object', hostname())
    .option('--node-ip <ip>', 'the node\'s InternalIP (default: the first non-loopback IPv4 address)')
    .option('--data-dir <dir>', 'where the agent and its engine keep their state', process.env.SKIFF_AGENT_DATA_DIR ?? '/var/lib/skiff-agent')
    .option('--engine-data-dir <dir>', 'the engine\'s own directory (default: DATA_DIR/engine)')
    .option('--allocatable-memory <quantity>', 'memory pods may use, e.g. 2Gi (default: all of it)')
    .option('--allocatable-cpu <quantity>', 'CPU pods may use, e.g. 1500m (default: every core)')
    .option('--max-pods <n>', 'pods this node runs at most', '110')
    .option('--pod-subnet <cidr>', 'pod subnet to use instead of the spec.podCIDR the control plane assigns')
    .option('--cgroup-root <path>', 'cgroup under which pods run (default /skiff)')
    .option('--bridge <name>', 'bridge pods attach to (default skiff0)')
    .option('--port <port>', 'port of the kubelet server for logs/exec/port-forward (0: none)', '10250')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .option('--eviction-hard <threshold>', 'evict pods while memory is short, e.g. memory.available<100Mi or memory.available<5% (\'\': never)', DEFAULT_EVICTION_HARD)
    .action(async (flags: AgentFlags) => {
      await runAgent(flags);
    });
}

async function clientConfig(flags: AgentFlags, log: Logger): Promise<ClientConfig> {
  if (flags.token !== undefined || flags.caCertHash !== undefined) {
    if (!flags.server || !flags.token || !flags.caCertHash) throw new Error('skiff agent --token needs --server and --ca-cert-hash (the line `skiff up` prints)');
    const { joinCluster } = await import('./agent-join.ts');
    return joinCluster({ server: flags.server, token: flags.token, caCertHash: flags.caCertHash, nodeName: flags.nodeName, dataDir: resolve(flags.dataDir), log });
  }
  if (flags.kubeconfig) return (await import('../client/kubeconfig.ts')).loadKubeconfig(flags.kubeconfig);
  if (!flags.server) throw new Error('skiff agent needs --server (with --token-file) or --kubeconfig');
  if (!flags.tokenFile) throw new Error('skiff agent needs --token-file with --server');
  const token = (await readFile(flags.tokenFile, 'utf8')).trim();
  if (token === '') throw new Error(`--token-file "${flags.tokenFile}" is empty`);
  const cfg: ClientConfig = { server: flags.server, token, namespace: 'default', userAgent: 'skiff-agent' };
  if (flags.caFile) cfg.caPem = await readFile(flags.caFile, 'utf8');
  else cfg.insecureSkipTLSVerify = true;
  return cfg;
}

function checkQuantity(flag: string, value: string | undefined): void {
  if (value === undefined) return;
  try {
    if (parseQuantity(value) <= 0) throw new Error('not positive');
  } catch {
    throw new Error(`${flag} "${value}": expected a positive quantity, e.g. 2Gi or 1500m`);
  }
}

export async function runAgent(flags: AgentFlags): Promise<void> {
  const log = createLogger(flags.logLevel);
  checkQuantity('--allocatable-memory', flags.allocatableMemory);
  checkQuantity('--allocatable-cpu', flags.allocatableCpu);
  if (flags.evictionHard !== '') parseEvictionHard(flags.evictionHard);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port "${flags.port}": expected a port number`);
  const maxPods = Number(flags.maxPods ?? '110');
  if (!Number.isInteger(maxPods) || maxPods <= 0) throw new Error(`--max-pods "${flags.maxPods}": expected a positive integer`);
  const network = nodeNetworkFromFlags(flags);
  const cfg = await clientConfig(flags, log);
  if (cfg.insecureSkipTLSVerify) log.warn('no --ca-file: the API server\'s certificate is not verified');
  // A token join gives the node network its own identity (system:kube-proxy); with a kubeconfig or
  // a token file it shares the agent's credentials.
  const networkCfg = flags.token !== undefined && flags.server && flags.caCertHash
    ? await (await import('./agent-join.ts')).joinNodeNetwork({ server: flags.server, token: flags.token, caCertHash: flags.caCertHash, dataDir: resolve(flags.dataDir), log })
    : cfg;
  // Loaded when the command runs, so the engine commands start fast.
  const [{ Clientset }, { Kubelet }, { runNodeNetwork }, { defaultNodeIP }] = await Promise.all([
    import('../client/clientset.ts'), import('../kubelet/kubelet.ts'), import('./node-network.ts'), import('../kubelet/node/node-info.ts'),
  ]);
  const clientset = new Clientset(cfg);
  const signal = shutdownSignal((sig) => log.info({ sig }, 'stopping the node agent (containers keep running)'));
  const dataDir = resolve(flags.dataDir);
  const kubelet = new Kubelet({
    clientset,
    nodeName: flags.nodeName,
    dataDir,
    log,
    engineSettings: {
      ...(flags.engineDataDir ? { dataDir: resolve(flags.engineDataDir) } : {}),
      ...(flags.podSubnet ? { subnet: flags.podSubnet } : {}),
      ...(flags.cgroupRoot ? { cgroupRoot: flags.cgroupRoot } : {}),
      ...(flags.bridge ? { bridge: flags.bridge } : {}),
    },
    ...(flags.nodeIp ? { nodeIP: flags.nodeIp } : {}),
    allocatable: {
      ...(flags.allocatableMemory ? { memory: flags.allocatableMemory } : {}),
      ...(flags.allocatableCpu ? { cpu: flags.allocatableCpu } : {}),
    },
    maxPods,
    serverPort: port,
    evictionHard: flags.evictionHard,
    dns: { clusterDNS: [network.clusterDNS], clusterDomain: network.clusterDomain, resolvConf: network.resolvConf },
    ...(cfg.caPem ? { clientCaPem: cfg.caPem } : {}),
  });
  process.stderr.write(`skiff agent: node "${flags.nodeName}" joining ${cfg.server}\n`);
  const nodeNetwork = runNodeNetwork({
    ...network, clientset: new Clientset(networkCfg), nodeName: flags.nodeName, nodeIP: flags.nodeIp ?? defaultNodeIP(),
    bridge: flags.bridge ?? 'skiff0', log: log.child({ component: 'node-network' }),
  }, signal).catch((err: unknown) => {
    if (!signal.aborted) log.error({ err: (err as Error).message }, 'node network stopped');
  });
  try {
    await kubelet.run(signal);
  } catch (err) {
    if (!signal.aborted) throw err;
  }
  await nodeNetwork;
}
