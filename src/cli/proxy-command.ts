// `skiff proxy`: the service proxy on its own, as `kube-proxy --proxy-mode nftables` runs (flags
// keep kube-proxy's names where it has them: --kubeconfig, --hostname-override, --cleanup,
// --cluster-cidr, --masquerade-bit, --min-sync-period, --nodeport-addresses). `skiff up` and
// `skiff agent` run the same proxy inside the node network; this command is for a proxy in its
// own process and for `--cleanup`, which removes the proxy's table and exits.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { checkCidr, DEFAULT_CLUSTER_CIDR, DEFAULT_SERVICE_CIDR } from './network-flags.ts';
import { parseDurationFlag } from './duration-flag.ts';
import { createLogger } from './log.ts';
import { shutdownSignal } from './signals.ts';

interface ProxyFlags {
  kubeconfig?: string;
  hostnameOverride: string;
  cleanup?: boolean;
  nftTable: string;
  clusterCidr: string;
  serviceCidr: string;
  nodeIp?: string;
  nodeportAddresses?: string;
  masqueradeBit: string;
  minSyncPeriod: string;
  logLevel: string;
}

export function registerProxyCommand(program: Command): void {
  program.command('proxy')
    .description('Run the service proxy: program this node\'s kernel (an nft table) so Service addresses reach their endpoints')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster (required unless --cleanup)')
    .option('--hostname-override <name>', 'this node\'s name: endpoints on it count as local', hostname())
    .option('--cleanup', 'remove the proxy\'s nft table and exit')
    .option('--nft-table <name>', 'the nft table (family ip) the proxy owns', 'skiff-proxy')
    .option('--cluster-cidr <cidr>', 'the pods\' addresses; traffic to a ClusterIP from elsewhere is masqueraded', DEFAULT_CLUSTER_CIDR)
    .option('--service-cidr <cidr>', 'the Services\' ClusterIPs; unallocated ones are dropped', DEFAULT_SERVICE_CIDR)
    .option('--node-ip <ip>', 'the node\'s address NodePorts answer on (default: the first non-loopback IPv4 address)')
    .option('--nodeport-addresses <ips>', 'comma-separated addresses NodePorts answer on (default: the node IP and 127.0.0.1)')
    .option('--masquerade-bit <n>', 'bit of the packet mark asking for masquerade', '14')
    .option('--min-sync-period <duration>', 'least time between two syncs of the rules', '100ms')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .action(async (flags: ProxyFlags) => {
      await runProxyCommand(flags);
    });
}

async function runProxyCommand(flags: ProxyFlags): Promise<void> {
  const log = createLogger(flags.logLevel);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(flags.nftTable)) throw new Error(`--nft-table "${flags.nftTable}": expected letters, digits, dashes and underscores`);
  const { ServiceProxy, cleanupServiceProxy } = await import('../proxy/service-proxy.ts');
  if (flags.cleanup) {
    const removed = await cleanupServiceProxy(flags.nftTable);
    log.info({ table: flags.nftTable, removed }, 'service proxy rules removed');
    return;
  }
  if (flags.kubeconfig === undefined) throw new Error('--kubeconfig is required (or --cleanup)');
  checkCidr('--cluster-cidr', flags.clusterCidr);
  checkCidr('--service-cidr', flags.serviceCidr);
  const bit = Number(flags.masqueradeBit);
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new Error(`--masquerade-bit "${flags.masqueradeBit}": expected 0 to 31`);
  const minSyncPeriodMs = parseDurationFlag('--min-sync-period', flags.minSyncPeriod);
  const [{ Clientset }, { defaultNodeIP }] = await Promise.all([import('../client/clientset.ts'), import('../kubelet/node/node-info.ts')]);
  const nodeIPs = flags.nodeportAddresses !== undefined
    ? flags.nodeportAddresses.split(',').map((s) => s.trim()).filter((s) => s !== '')
    : [flags.nodeIp ?? defaultNodeIP(), '127.0.0.1'];
  const clientset = await Clientset.fromKubeconfig(flags.kubeconfig, 'skiff-proxy');
  const signal = shutdownSignal((sig) => log.info({ sig }, 'stopping the service proxy (its rules stay; --cleanup removes them)'));
  const proxy = new ServiceProxy({
    clientset, hostname: flags.hostnameOverride, table: flags.nftTable,
    clusterCIDR: flags.clusterCidr, serviceCIDR: flags.serviceCidr, nodeIPs,
    masqueradeMark: 2 ** bit, minSyncPeriodMs, log: log.child({ component: 'proxy' }),
  });
  log.info({ table: flags.nftTable, nodeIPs }, 'service proxy starting');
  await proxy.run(signal);
}
