// What the NetworkPolicies mean for the pods of one node, worked out from the API objects alone:
// which local pods are isolated in each direction, and for each policy selecting any of them the
// peers and ports its rules allow. The nft script is rendered from this (render.ts); keeping the two
// apart lets the semantics be tested without a kernel.
//
// Semantics as the API reference and upstream's e2e suite define them
// (k8s.io/api/networking/v1/types.go, test/e2e/network/netpol/, and kubernetes-sigs/kube-network-policies
// pkg/networkpolicy/networkpolicy.go for an implementation of the same rules):
// - a pod is isolated for ingress (egress) when some policy in its namespace selects it and lists
//   that policyType; policyTypes defaults to Ingress, plus Egress when egress rules are present;
// - isolated traffic passes when some rule of some selecting policy allows it (a union);
// - a rule's empty `from`/`to` allows every peer, empty `ports` every port and protocol;
// - a peer's podSelector alone means pods of the policy's namespace; namespaceSelector alone means
//   every pod of the matching namespaces; both in one peer mean both must hold;
// - ipBlock matches addresses in cidr but not in except;
// - a named port is the number of the container port of that name and protocol on the pod the
//   connection goes to: the selected pod for ingress, the destination pod for egress.
// Host-network pods share the node's address, so they are neither isolated nor matched as peers
// (as upstream's implementations treat them: their traffic is the node's).
import { isIPv4 } from 'node:net';
import type { KubeObject } from '../api/meta.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../api/selectors/labels.ts';
import type { LabelSelector, Pod } from '../api/types/core-v1.ts';
import type {
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicyProtocol,
  NetworkPolicyType,
} from '../api/types/networking-v1-network-policy.ts';

export type Protocol = NetworkPolicyProtocol;

export type PeerMatch =
  | { kind: 'any' }
  /** Pod addresses (sorted). */
  | { kind: 'ips'; ips: string[] }
  | { kind: 'cidr'; cidr: string; except: string[] };

export type PortMatch =
  | { kind: 'any' }
  /** Every port of one protocol. */
  | { kind: 'protocol'; protocol: Protocol }
  | { kind: 'range'; protocol: Protocol; from: number; to: number }
  /** A named port resolved per pod: the destination address with its own number (sorted). */
  | { kind: 'named'; name: string; protocol: Protocol; entries: NamedPortEntry[] };

export interface NamedPortEntry { ip: string; protocol: Protocol; port: number }

/** One rule: traffic matching any peer and any port is allowed. */
export interface RuleModel {
  peers: PeerMatch[];
  ports: PortMatch[];
}

export interface PolicyModel {
  /** namespace/name */
  key: string;
  /** Addresses of this node's pods the policy selects (sorted, never empty). */
  targets: string[];
  /** Present when the policy governs ingress (an empty list allows nothing). */
  ingress?: RuleModel[];
  egress?: RuleModel[];
}

export interface NodePolicyModel {
  /** This node's pod addresses isolated for ingress / egress (sorted). */
  ingressIsolated: string[];
  egressIsolated: string[];
  /** Policies selecting at least one of this node's pods, by key. */
  policies: PolicyModel[];
}

export interface PolicyInputs {
  nodeName: string;
  policies: Iterable<NetworkPolicy>;
  pods: Iterable<Pod>;
  namespaces: Iterable<KubeObject>;
}

/** The address of a pod that takes part in policies, or undefined (host network, no IP yet, finished). */
export function podIPv4(pod: Pod): string | undefined {
  if (pod.spec?.hostNetwork) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return ips.find((ip): ip is string => typeof ip === 'string' && isIPv4(ip));
}

/** policyTypes as the API server defaults it (pkg/apis/networking/v1/defaults.go). */
export function policyTypesOf(policy: NetworkPolicy): NetworkPolicyType[] {
  const given = policy.spec?.policyTypes;
  if (given && given.length > 0) return given;
  return (policy.spec?.egress?.length ?? 0) > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

interface PodInfo { pod: Pod; ip: string; namespace: string; labels: Record<string, string> }

export function buildNodePolicyModel(inputs: PolicyInputs): NodePolicyModel {
  const pods: PodInfo[] = [];
  for (const pod of inputs.pods) {
    const ip = podIPv4(pod);
    if (ip === undefined) continue;
    pods.push({ pod, ip, namespace: pod.metadata.namespace ?? 'default', labels: pod.metadata.labels ?? {} });
  }
  const local = pods.filter((p) => p.pod.spec?.nodeName === inputs.nodeName);
  const nsLabels = new Map<string, Record<string, string>>();
  for (const ns of inputs.namespaces) {
    const name = ns.metadata.name;
    if (name) nsLabels.set(name, ns.metadata.labels ?? {});
  }
  // A pod seen before its namespace still carries the name label every namespace gets.
  const labelsOfNamespace = (name: string): Record<string, string> =>
    nsLabels.get(name) ?? { 'kubernetes.io/metadata.name': name };

  const ingressIsolated = new Set<string>();
  const egressIsolated = new Set<string>();
  const policies: PolicyModel[] = [];
  const sorted = [...inputs.policies].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  for (const policy of sorted) {
    const namespace = policy.metadata.namespace ?? 'default';
    const selector = selectorOrUndefined(policy.spec?.podSelector ?? {});
    if (!selector) continue;
    const targets = local.filter((p) => p.namespace === namespace && matchesLabels(selector, p.labels));
    if (targets.length === 0) continue;
    const types = policyTypesOf(policy);
    const model: PolicyModel = { key: keyOf(policy), targets: sortedIPs(targets.map((t) => t.ip)) };
    const ctx: RuleContext = { namespace, pods, labelsOfNamespace };
    if (types.includes('Ingress')) {
      for (const t of targets) ingressIsolated.add(t.ip);
      model.ingress = (policy.spec?.ingress ?? []).map((r) => ruleModel(ctx, r.from, r.ports, targets));
    }
    if (types.includes('Egress')) {
      for (const t of targets) egressIsolated.add(t.ip);
      model.egress = (policy.spec?.egress ?? []).map((r) => ruleModel(ctx, r.to, r.ports, pods));
    }
    policies.push(model);
  }
  return { ingressIsolated: sortedIPs(ingressIsolated), egressIsolated: sortedIPs(egressIsolated), policies };
}

interface RuleContext {
  namespace: string;
  pods: PodInfo[];
  labelsOfNamespace: (name: string) => Record<string, string>;
}

/**
 * @param portPods the pods a named port is looked up on: the policy's targets for ingress, every
 *   pod for egress (the rule's peers narrow it further in the same nft rule).
 */
function ruleModel(ctx: RuleContext, peers: NetworkPolicyPeer[] | undefined, ports: NetworkPolicyPort[] | undefined, portPods: PodInfo[]): RuleModel {
  return {
    peers: peers && peers.length > 0 ? peers.map((p) => peerMatch(ctx, p)) : [{ kind: 'any' }],
    ports: ports && ports.length > 0 ? ports.map((p) => portMatch(p, portPods)) : [{ kind: 'any' }],
  };
}

function peerMatch(ctx: RuleContext, peer: NetworkPolicyPeer): PeerMatch {
  if (peer.ipBlock) {
    const cidr = normalizeCidr(peer.ipBlock.cidr);
    // An IPv6 or malformed block matches nothing in this IPv4 table.
    if (cidr === undefined) return { kind: 'ips', ips: [] };
    const except = (peer.ipBlock.except ?? []).map(normalizeCidr).filter((c): c is string => c !== undefined);
    return { kind: 'cidr', cidr, except };
  }
  if (!peer.podSelector && !peer.namespaceSelector) return { kind: 'ips', ips: [] };
  const podSel = peer.podSelector ? selectorOrUndefined(peer.podSelector) : undefined;
  const nsSel = peer.namespaceSelector ? selectorOrUndefined(peer.namespaceSelector) : undefined;
  if ((peer.podSelector && !podSel) || (peer.namespaceSelector && !nsSel)) return { kind: 'ips', ips: [] };
  const ips = ctx.pods.filter((p) => {
    if (nsSel) {
      if (!matchesLabels(nsSel, ctx.labelsOfNamespace(p.namespace))) return false;
    } else if (p.namespace !== ctx.namespace) {
      return false;
    }
    return podSel ? matchesLabels(podSel, p.labels) : true;
  }).map((p) => p.ip);
  return { kind: 'ips', ips: sortedIPs(ips) };
}

function portMatch(port: NetworkPolicyPort, portPods: PodInfo[]): PortMatch {
  const protocol: Protocol = port.protocol ?? 'TCP';
  if (port.port === undefined || port.port === null) return { kind: 'protocol', protocol };
  if (typeof port.port === 'number') {
    const from = port.port;
    const to = port.endPort !== undefined && port.endPort >= from ? port.endPort : from;
    return { kind: 'range', protocol, from, to };
  }
  const name = port.port;
  const entries: NamedPortEntry[] = [];
  for (const p of portPods) {
    for (const c of p.pod.spec?.containers ?? []) {
      for (const cp of c.ports ?? []) {
        if (cp.name === name && (cp.protocol ?? 'TCP') === protocol && validPort(cp.containerPort)) {
          entries.push({ ip: p.ip, protocol, port: cp.containerPort });
        }
      }
    }
  }
  entries.sort((a, b) => compareIPs(a.ip, b.ip) || a.port - b.port);
  return { kind: 'named', name, protocol, entries: dedupe(entries) };
}

function selectorOrUndefined(sel: LabelSelector): LabelSelectorExpr | undefined {
  try {
    return labelSelectorFromMeta(sel);
  } catch {
    // Validation rejects such selectors; one that slipped through selects nothing.
    return undefined;
  }
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

function validPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function compareIPs(a: string, b: string): number {
  return ipToInt(a) - ipToInt(b);
}

function sortedIPs(ips: Iterable<string>): string[] {
  return [...new Set(ips)].sort(compareIPs);
}

function dedupe(entries: NamedPortEntry[]): NamedPortEntry[] {
  return entries.filter((e, i) => i === 0 || e.ip !== entries[i - 1]!.ip || e.port !== entries[i - 1]!.port);
}

/** "10.1.2.3/8" → "10.0.0.0/8"; a bare address is a /32; undefined when not an IPv4 CIDR. */
export function normalizeCidr(cidr: string): string | undefined {
  const [addr, bitsText] = cidr.split('/');
  if (addr === undefined || !isIPv4(addr)) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32 || (bitsText !== undefined && !/^\d+$/.test(bitsText))) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const n = (ipToInt(addr) & mask) >>> 0;
  return `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}/${bits}`;
}
