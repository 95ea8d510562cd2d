// The proxy's nft table, laid out as kube-proxy's nftables mode lays out its own
// (pkg/proxy/nftables/proxier.go): base chains on the netfilter hooks, a `services` chain
// dispatching through the `service-ips` and `service-nodeports` verdict maps to a chain per
// service port, which picks an endpoint chain with `numgen random mod N vmap`; the endpoint chain
// DNATs. Services without endpoints are rejected through `no-endpoint-*` maps in filter chains
// that run before DNAT, and packets still addressed to a ClusterIP after DNAT (a port the Service
// does not have) or to an unallocated address of the service CIDR are rejected or dropped.
//
// Everything a Service contributes (its chains, its map elements, its affinity sets) is rendered
// as one Fragment, so a sync rewrites only the fragments of the Services that changed.
import { categorizeEndpoints, type EndpointInfo, type ServicePortEndpoints, type ServicePortInfo } from './service-model.ts';

export interface ProxyLayout {
  /** The table, family ip. */
  table: string;
  /** All pods, e.g. 10.42.0.0/16: traffic to a ClusterIP from elsewhere is masqueraded. */
  clusterCIDR: string;
  /** ClusterIPs come from here; unallocated addresses of it are dropped. */
  serviceCIDR: string;
  /** Addresses NodePorts answer on (the node's IPs, 127.0.0.1 for localhost NodePorts). */
  nodeIPs: readonly string[];
  /** The packet mark bit asking the masquerading chain to SNAT (kube-proxy: 0x4000). */
  masqueradeMark: number;
}

// Chain, map and set names of the fixed part of the table (upstream's names).
export const SERVICES_CHAIN = 'services';
export const SERVICE_IPS_MAP = 'service-ips';
export const SERVICE_NODEPORTS_MAP = 'service-nodeports';
export const NODEPORT_IPS_SET = 'nodeport-ips';
export const CLUSTER_IPS_SET = 'cluster-ips';
export const NO_ENDPOINT_SERVICES_MAP = 'no-endpoint-services';
export const NO_ENDPOINT_NODEPORTS_MAP = 'no-endpoint-nodeports';
export const SERVICE_ENDPOINTS_CHECK = 'service-endpoints-check';
export const NODEPORT_ENDPOINTS_CHECK = 'nodeport-endpoints-check';
export const CLUSTER_IPS_CHECK = 'cluster-ips-check';
export const REJECT_CHAIN = 'reject-chain';
export const MARK_MASQ_CHAIN = 'mark-for-masquerade';
export const MASQUERADING_CHAIN = 'masquerading';

/** The maps and sets whose elements come from Services (flushed and refilled by a full sync). */
export const ELEMENT_CONTAINERS = [
  SERVICE_IPS_MAP, SERVICE_NODEPORTS_MAP, CLUSTER_IPS_SET, NO_ENDPOINT_SERVICES_MAP, NO_ENDPOINT_NODEPORTS_MAP,
] as const;

interface BaseChain { name: string; type: 'filter' | 'nat'; hook: string; priority: string }

// Filter chains run before DNAT (dstnat - 10) so they see the Service address, except the
// post-DNAT output check, which must see where DNAT sent the packet. Priorities are numbers
// (dstnat is -100, srcnat 100): nft 1.0.6 accepts the names only on some hooks.
const BASE_CHAINS: BaseChain[] = [
  { name: 'filter-input', type: 'filter', hook: 'input', priority: '-110' },
  { name: 'filter-forward', type: 'filter', hook: 'forward', priority: '-110' },
  { name: 'filter-output', type: 'filter', hook: 'output', priority: '-110' },
  { name: 'filter-output-post-dnat', type: 'filter', hook: 'output', priority: '-90' },
  { name: 'nat-prerouting', type: 'nat', hook: 'prerouting', priority: '-100' },
  { name: 'nat-output', type: 'nat', hook: 'output', priority: '-100' },
  { name: 'nat-postrouting', type: 'nat', hook: 'postrouting', priority: '100' },
];

export interface Element {
  /** Map or set name. */
  container: string;
  key: string;
  /** A verdict for maps; undefined for set elements. */
  value?: string;
}

export interface Fragment {
  /** Chain name → its rules, in order. */
  chains: Map<string, string[]>;
  /** `container key` → element. */
  elements: Map<string, Element>;
  /** Affinity set name → timeout in seconds. */
  affinitySets: Map<string, number>;
}

export function emptyFragment(): Fragment {
  return { chains: new Map(), elements: new Map(), affinitySets: new Map() };
}

export function elementId(e: Element): string {
  return `${e.container} ${e.key}`;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * The fixed part of the table: declarations and rules that depend only on the layout. Every
 * statement is idempotent (`add`) or preceded by a flush, so it can open any sync transaction.
 */
export function renderBase(l: ProxyLayout): string[] {
  const t = `ip ${l.table}`;
  const out: string[] = [`add table ${t}`];
  const chain = (name: string, rules: string[]): void => {
    out.push(`add chain ${t} ${name}`, `flush chain ${t} ${name}`);
    for (const r of rules) out.push(`add rule ${t} ${name} ${r}`);
  };
  out.push(
    `add set ${t} ${CLUSTER_IPS_SET} { type ipv4_addr; comment "active ClusterIPs"; }`,
    `add set ${t} ${NODEPORT_IPS_SET} { type ipv4_addr; comment "addresses NodePorts answer on"; }`,
    `flush set ${t} ${NODEPORT_IPS_SET}`,
    `add map ${t} ${SERVICE_IPS_MAP} { type ipv4_addr . inet_proto . inet_service : verdict; comment "ClusterIP, external and load-balancer IP traffic"; }`,
    `add map ${t} ${SERVICE_NODEPORTS_MAP} { type inet_proto . inet_service : verdict; comment "NodePort traffic"; }`,
    `add map ${t} ${NO_ENDPOINT_SERVICES_MAP} { type ipv4_addr . inet_proto . inet_service : verdict; comment "Services without endpoints"; }`,
    `add map ${t} ${NO_ENDPOINT_NODEPORTS_MAP} { type inet_proto . inet_service : verdict; comment "NodePorts without endpoints"; }`,
  );
  if (l.nodeIPs.length > 0) out.push(`add element ${t} ${NODEPORT_IPS_SET} { ${l.nodeIPs.join(', ')} }`);
  for (const bc of BASE_CHAINS) {
    out.push(`add chain ${t} ${bc.name} { type ${bc.type} hook ${bc.hook} priority ${bc.priority}; policy accept; }`, `flush chain ${t} ${bc.name}`);
  }
  const mark = hex(l.masqueradeMark);
  chain(MARK_MASQ_CHAIN, [`mark set mark or ${mark}`]);
  chain(MASQUERADING_CHAIN, [`mark and ${mark} == 0 return`, `mark set mark xor ${mark}`, 'masquerade fully-random']);
  // TCP gets a reset rather than upstream's ICMP port-unreachable: the kernel rate-limits ICMP
  // per destination (and a new peer's first error may be held back), which left clients waiting
  // for SYN retries instead of seeing "connection refused" at once. Other protocols get ICMP.
  chain(REJECT_CHAIN, ['meta l4proto tcp reject with tcp reset', 'reject']);
  chain(SERVICES_CHAIN, [
    `ip daddr . meta l4proto . th dport vmap @${SERVICE_IPS_MAP}`,
    `ip daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`,
  ]);
  chain(SERVICE_ENDPOINTS_CHECK, [`ip daddr . meta l4proto . th dport vmap @${NO_ENDPOINT_SERVICES_MAP}`]);
  chain(NODEPORT_ENDPOINTS_CHECK, [`ip daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`]);
  chain(CLUSTER_IPS_CHECK, [`ip daddr @${CLUSTER_IPS_SET} goto ${REJECT_CHAIN}`, `ip daddr ${l.serviceCIDR} drop`]);
  const jump = (from: string, rule: string): void => { out.push(`add rule ${t} ${from} ${rule}`); };
  jump('filter-input', `ct state new jump ${NODEPORT_ENDPOINTS_CHECK}`);
  jump('filter-input', `ct state new jump ${SERVICE_ENDPOINTS_CHECK}`);
  if (l.nodeIPs.some((ip) => ip.startsWith('127.'))) {
    // Localhost NodePorts need route_localnet, which would also let other hosts reach services
    // bound to 127.0.0.1 from outside; drop such packets unless DNAT made them (the guard
    // kube-proxy's iptables mode adds for CVE-2020-8558).
    jump('filter-input', 'iifname != "lo" ip daddr 127.0.0.0/8 ct state != { established, related } ct status & dnat == 0 drop');
  }
  jump('filter-forward', `ct state new jump ${SERVICE_ENDPOINTS_CHECK}`);
  jump('filter-forward', `ct state new jump ${CLUSTER_IPS_CHECK}`);
  jump('filter-output', `ct state new jump ${SERVICE_ENDPOINTS_CHECK}`);
  jump('filter-output-post-dnat', `ct state new jump ${CLUSTER_IPS_CHECK}`);
  jump('nat-prerouting', `jump ${SERVICES_CHAIN}`);
  jump('nat-output', `jump ${SERVICES_CHAIN}`);
  jump('nat-postrouting', `jump ${MASQUERADING_CHAIN}`);
  return out;
}

/** Fixed chains (never deleted by a sync). */
export function baseChainNames(): Set<string> {
  return new Set([
    ...BASE_CHAINS.map((c) => c.name), MARK_MASQ_CHAIN, MASQUERADING_CHAIN, REJECT_CHAIN, SERVICES_CHAIN,
    SERVICE_ENDPOINTS_CHECK, NODEPORT_ENDPOINTS_CHECK, CLUSTER_IPS_CHECK,
  ]);
}

/** Fixed sets and maps. */
export function baseSetNames(): Set<string> {
  return new Set([...ELEMENT_CONTAINERS, NODEPORT_IPS_SET]);
}

// Names of a service port's chains: `ns/name/proto/port` cannot clash (none of its parts may
// contain '/'); the single unnamed port of a Service is written `_`, which no port name contains.
function portBase(i: ServicePortInfo): string {
  return `${i.namespace}/${i.name}/${i.protocol}/${i.portName || '_'}`;
}
export const clusterChainName = (i: ServicePortInfo): string => `service-${portBase(i)}`;
export const localChainName = (i: ServicePortInfo): string => `local-${portBase(i)}`;
export const externalChainName = (i: ServicePortInfo): string => `external-${portBase(i)}`;
export const endpointChainName = (i: ServicePortInfo, e: EndpointInfo): string => `endpoint-${portBase(i)}__${e.ip}/${e.port}`;
// The timeout is part of an affinity set's name: a set's timeout cannot be changed in place,
// and a new name lets a sync add the new set before it drops the old.
export const affinitySetName = (i: ServicePortInfo, e: EndpointInfo): string => `affinity-${i.affinitySeconds}-${portBase(i)}__${e.ip}/${e.port}`;

/** Everything one Service puts in the table, from its ports and their endpoints. */
export function renderService(ports: readonly ServicePortEndpoints[], l: ProxyLayout): Fragment {
  const f = emptyFragment();
  const el = (container: string, key: string, value?: string): void => {
    const e: Element = value === undefined ? { container, key } : { container, key, value };
    f.elements.set(elementId(e), e);
  };
  for (const { info, endpoints } of ports) {
    const proto = info.protocol;
    const { cluster, local, hasAny } = categorizeEndpoints(info, endpoints);
    const clusterChain = clusterChainName(info);
    const localChain = localChainName(info);
    const externalChain = externalChainName(info);
    const externallyAccessible = info.nodePort !== 0 || info.loadBalancerIPs.length > 0 || info.externalIPs.length > 0;

    const internalChain = info.internalPolicyLocal ? localChain : clusterChain;
    const hasInternal = info.internalPolicyLocal ? local.length > 0 : hasAny;
    const externalPolicyChain = info.externalPolicyLocal ? localChain : clusterChain;
    const hasExternal = info.externalPolicyLocal ? local.length > 0 : hasAny;
    const usesExternalChain = hasAny && externallyAccessible;
    // No endpoint anywhere: reject (the client sees "connection refused"); endpoints elsewhere
    // but none here for a Local policy: drop, as upstream does.
    const noInternalVerdict = hasAny ? 'drop' : `goto ${REJECT_CHAIN}`;
    const noExternalVerdict = hasAny ? 'drop' : `goto ${REJECT_CHAIN}`;

    const svcKey = `${info.clusterIP} . ${proto} . ${info.port}`;
    el(CLUSTER_IPS_SET, info.clusterIP);
    if (hasInternal) el(SERVICE_IPS_MAP, svcKey, `goto ${internalChain}`);
    else el(NO_ENDPOINT_SERVICES_MAP, svcKey, noInternalVerdict);

    for (const ip of [...info.externalIPs, ...info.loadBalancerIPs]) {
      const key = `${ip} . ${proto} . ${info.port}`;
      if (usesExternalChain) el(SERVICE_IPS_MAP, key, `goto ${externalChain}`);
      if (!hasExternal) el(NO_ENDPOINT_SERVICES_MAP, key, noExternalVerdict);
    }
    if (info.nodePort !== 0) {
      const key = `${proto} . ${info.nodePort}`;
      if (usesExternalChain) el(SERVICE_NODEPORTS_MAP, key, `goto ${externalChain}`);
      if (!hasExternal) el(NO_ENDPOINT_NODEPORTS_MAP, key, noExternalVerdict);
    }

    const usesClusterChain = cluster.length > 0;
    const usesLocalChain = local.length > 0;
    const policyRules = (chainName: string, eps: EndpointInfo[]): string[] => {
      const rules: string[] = [];
      if (chainName === internalChain) {
        // Traffic to the ClusterIP from outside the pod network (the node itself, another host
        // routing the service CIDR here) is masqueraded so replies come back through this node.
        rules.push(`ip daddr ${info.clusterIP} ${proto} dport ${info.port} ip saddr != ${l.clusterCIDR} jump ${MARK_MASQ_CHAIN}`);
      }
      if (info.affinitySeconds > 0) {
        for (const e of eps) rules.push(`ip saddr @${affinitySetName(info, e)} goto ${endpointChainName(info, e)}`);
      }
      const arms = eps.map((e, n) => `${n} : goto ${endpointChainName(info, e)}`);
      rules.push(`numgen random mod ${eps.length} vmap { ${arms.join(', ')} }`);
      return rules;
    };
    if (usesClusterChain) f.chains.set(clusterChain, policyRules(clusterChain, cluster));
    if (usesLocalChain) f.chains.set(localChain, policyRules(localChain, local));

    if (usesExternalChain) {
      const rules: string[] = [];
      if (!info.externalPolicyLocal) {
        // The endpoint may be on another node: masquerade so the reply returns through here.
        rules.push(`jump ${MARK_MASQ_CHAIN}`);
      } else {
        // Pods going out to a NodePort or LB address get the cluster-wide endpoints, as if
        // they had gone out to a load balancer and come back; the node itself too, masqueraded
        // because its source address is one of its own (upstream's short-circuit rules).
        rules.push(`ip saddr ${l.clusterCIDR} goto ${clusterChain}`);
        rules.push(`fib saddr type local jump ${MARK_MASQ_CHAIN}`);
        rules.push(`fib saddr type local goto ${clusterChain}`);
      }
      if (hasExternal) rules.push(`goto ${externalPolicyChain}`);
      f.chains.set(externalChain, rules);
      if (info.externalPolicyLocal && cluster.length === 0) {
        // The short-circuit rules need the cluster chain even though no policy of the port uses it.
        const all = categorizeEndpoints({ ...info, internalPolicyLocal: false, externalPolicyLocal: false }, endpoints).cluster;
        f.chains.set(clusterChain, policyRules(clusterChain, all));
        for (const e of all) addEndpoint(f, info, e);
      }
    }

    for (const e of new Set([...cluster, ...local])) addEndpoint(f, info, e);
  }
  return f;
}

function addEndpoint(f: Fragment, info: ServicePortInfo, e: EndpointInfo): void {
  const name = endpointChainName(info, e);
  if (f.chains.has(name)) return;
  const rules = [`ip saddr ${e.ip} jump ${MARK_MASQ_CHAIN}`];
  if (info.affinitySeconds > 0) {
    const set = affinitySetName(info, e);
    f.affinitySets.set(set, info.affinitySeconds);
    rules.push(`update @${set} { ip saddr }`);
  }
  rules.push(`meta l4proto ${info.protocol} dnat to ${e.ip}:${e.port}`);
  f.chains.set(name, rules);
}
