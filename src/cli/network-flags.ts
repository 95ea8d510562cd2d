// Flags of the cluster network: ranges the control plane hands out from (`skiff server`, `skiff up`)
// and what a node needs to know to join the network (`skiff up`, `skiff agent`). Names follow
// k3s (--cluster-cidr, --service-cidr, --cluster-dns, --cluster-domain, --disable) and the
// kubelet (--resolv-conf).
import { Option, type Command } from 'commander';
import { parseIpv4Cidr } from '../cni/config-list.ts';
import { NODE_NETWORK_COMPONENTS, parseDisable, type NodeNetworkComponent } from './node-network.ts';

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';

export interface ClusterNetworkFlags {
  clusterCidr: string;
  serviceCidr: string;
  clusterDns?: string;
}

export interface NodeNetworkFlags extends ClusterNetworkFlags {
  clusterDomain: string;
  resolvConf: string;
  disable?: string;
  nftPrefix: string;
  ingressHttpPort: string;
  ingressHttpsPort: string;
}

/** --service-cidr and --cluster-cidr: what the control plane hands out; --cluster-dns: kube-dns's address. */
export function addClusterNetworkFlags(cmd: Command): Command {
  return cmd
    .option('--cluster-cidr <cidr>', 'the pods\' addresses: each node gets a /24 of it', DEFAULT_CLUSTER_CIDR)
    .option('--service-cidr <cidr>', 'the Services\' ClusterIPs (the kubernetes Service gets the first)', DEFAULT_SERVICE_CIDR)
    .option('--cluster-dns <ip>', 'the cluster DNS Service\'s address (default: the tenth address of --service-cidr, 10.43.0.10)');
}

/** What a node agent needs besides the control plane's flags. */
export function addNodeNetworkFlags(cmd: Command, defaults: { ingressHttpPort: string; ingressHttpsPort: string }): Command {
  return cmd
    .option('--cluster-domain <domain>', 'the cluster\'s DNS domain', 'cluster.local')
    .option('--resolv-conf <file>', 'resolv.conf whose nameservers the cluster DNS forwards other names to, and that dnsPolicy: Default pods get', '/etc/resolv.conf')
    .option('--disable <list>', `node network components not to run: ${NODE_NETWORK_COMPONENTS.join(', ')}`)
    .option('--ingress-http-port <port>', 'port the Ingress controller serves HTTP on, on the node\'s address (0: none)', defaults.ingressHttpPort)
    .option('--ingress-https-port <port>', 'port the Ingress controller serves HTTPS on, on the node\'s address (0: none)', defaults.ingressHttpsPort)
    .addOption(new Option('--nft-prefix <name>', 'prefix of the nft tables this node owns (tests run several clusters on one host)').default('skiff').hideHelp());
}

/** The kube-dns address: --cluster-dns, or the tenth address of the service CIDR. */
export function clusterDnsFromFlags(flags: ClusterNetworkFlags): string {
  checkCidr('--service-cidr', flags.serviceCidr);
  if (flags.clusterDns !== undefined) {
    if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(flags.clusterDns) || flags.clusterDns.split('.').some((o) => Number(o) > 255)) {
      throw new Error(`--cluster-dns "${flags.clusterDns}": expected an IPv4 address such as 10.43.0.10`);
    }
    return flags.clusterDns;
  }
  const { network } = parseIpv4Cidr(flags.serviceCidr);
  const v = network + 10;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

export function checkCidr(flag: string, value: string): void {
  try {
    parseIpv4Cidr(value);
  } catch (err) {
    throw new Error(`${flag} "${value}": ${(err as Error).message.replace(/^Cannot parse subnet "[^"]*": /, '')}`);
  }
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new Error(`${flag} "${value}": expected a port number from 0 to 65535`);
  return n;
}

/** The node network's settings from the flags (everything but the clientset, node and log). */
export function nodeNetworkFromFlags(flags: NodeNetworkFlags): {
  clusterCIDR: string; serviceCIDR: string; clusterDNS: string; clusterDomain: string; resolvConf: string;
  nftPrefix: string; disable: Set<NodeNetworkComponent>; ingressHttpPort: number; ingressHttpsPort: number;
} {
  checkCidr('--cluster-cidr', flags.clusterCidr);
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(flags.nftPrefix)) throw new Error(`--nft-prefix "${flags.nftPrefix}": expected lower-case letters, digits and dashes`);
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(flags.clusterDomain)) throw new Error(`--cluster-domain "${flags.clusterDomain}": expected a DNS domain such as cluster.local`);
  return {
    clusterCIDR: flags.clusterCidr,
    serviceCIDR: flags.serviceCidr,
    clusterDNS: clusterDnsFromFlags(flags),
    clusterDomain: flags.clusterDomain,
    resolvConf: flags.resolvConf,
    nftPrefix: flags.nftPrefix,
    disable: parseDisable(flags.disable),
    ingressHttpPort: port('--ingress-http-port', flags.ingressHttpPort),
    ingressHttpsPort: port('--ingress-https-port', flags.ingressHttpsPort),
  };
}
