// Skiff's pod network as a CNI configuration list: loopback, then a bridge acting as the pods'
// gateway with host-local IPAM over the node's pod subnet, then portmap when the pod asks for host
// ports. The shape follows containerd's CRI plugin defaults (10-containerd-net.conflist).
import { InvalidNetworkConfig } from './errors.ts';
import type { NetworkConfigList, PluginConfig } from './types.ts';

export const CNI_VERSION = '1.0.0';
export const DEFAULT_NETWORK_NAME = 'skiff';
export const DEFAULT_BRIDGE = 'skiff0';

export interface SkiffNetworkOptions {
  /** The node's pod subnet, e.g. 10.42.0.0/24. */
  subnet: string;
  /** host-local's lease directory (leases land in <leaseDir>/<name>/). */
  leaseDir: string;
  name?: string;
  bridge?: string;
  /** Masquerade traffic from pods leaving the subnet (needs iptables). */
  ipMasq?: boolean;
  mtu?: number;
  /** Append portmap (needs iptables); the pod's mappings go in as runtimeConfig. */
  portMap?: boolean;
}

export function skiffNetworkConfigList(options: SkiffNetworkOptions): NetworkConfigList {
  const name = options.name ?? DEFAULT_NETWORK_NAME;
  const bridge = options.bridge ?? DEFAULT_BRIDGE;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw new InvalidNetworkConfig(`Cannot configure network "${name}": name must match [A-Za-z0-9][A-Za-z0-9_-]*`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(bridge)) {
    throw new InvalidNetworkConfig(`Cannot configure network "${name}": bridge "${bridge}" is not a valid interface name (at most 15 characters)`);
  }
  const subnet = parseIpv4Cidr(options.subnet);
  if (subnet.prefix > 30) {
    throw new InvalidNetworkConfig(`Cannot configure network "${name}": subnet ${options.subnet} is too small for a gateway and a pod`);
  }
  if (options.mtu !== undefined && (!Number.isInteger(options.mtu) || options.mtu < 576 || options.mtu > 65535)) {
    throw new InvalidNetworkConfig(`Cannot configure network "${name}": mtu must be an integer in [576, 65535]`);
  }
  const bridgePlugin: PluginConfig = {
    type: 'bridge',
    bridge,
    isGateway: true,
    ipMasq: options.ipMasq ?? false,
    hairpinMode: true,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: options.subnet }]],
      routes: [{ dst: '0.0.0.0/0' }],
      dataDir: options.leaseDir,
    },
  };
  if (options.mtu !== undefined) bridgePlugin.mtu = options.mtu;
  const plugins: PluginConfig[] = [{ type: 'loopback' }, bridgePlugin];
  if (options.portMap) plugins.push({ type: 'portmap', capabilities: { portMappings: true }, snat: true });
  return { cniVersion: CNI_VERSION, name, plugins };
}

export interface Ipv4Cidr {
  address: string;
  prefix: number;
  /** First address of the subnet as an unsigned 32-bit number. */
  network: number;
}

export function parseIpv4Cidr(cidr: string): Ipv4Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || prefix > 32) {
    throw new InvalidNetworkConfig(`Cannot parse subnet "${cidr}": expected an IPv4 CIDR such as 10.42.0.0/24`);
  }
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (value % size !== 0) {
    throw new InvalidNetworkConfig(`Cannot parse subnet "${cidr}": host bits are set (did you mean ${formatIpv4(value - (value % size))}/${prefix}?)`);
  }
  return { address: octets.join('.'), prefix, network: value };
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** The first usable address of a subnet: the gateway the bridge plugin gives pods. */
export function firstHost(cidr: string): string {
  return formatIpv4(parseIpv4Cidr(cidr).network + 1);
}
