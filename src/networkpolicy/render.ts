// The nft table that enforces a NodePolicyModel. One `ip` table owned by this component:
//
//   forward-egress  hook forward, priority filter      from an egress-isolated local pod
//   forward-ingress hook forward, priority filter + 1  to an ingress-isolated local pod
//   input-egress    hook input,  priority filter       from an egress-isolated local pod to the node
//
// Each base chain accepts replies (ct state established,related: policies govern new connections
// only), sends new traffic of isolated pods through the `egress`/`ingress` chains, which jump to one
// chain per selecting policy; a policy chain accepts what its rules allow, and what none allows is
// dropped (a timeout for the client, as upstream's implementations do, not a reset).
//
// Why these hooks: both run after prerouting's dstnat, where the service proxy's DNAT happens, so
// policies see the pod a Service connection really goes to, and before postrouting's srcnat, so they
// see the real client rather than a masqueraded one. With br_netfilter loaded
// (bridge-nf-call-iptables=1) pod-to-pod traffic on the node's bridge passes the forward hook too.
// kube-network-policies (pkg/dataplane/controller.go) hooks postrouting at srcnat - 5 for the same
// reasons plus IPVS, and input for pod-to-node egress; there is no IPVS here, and at forward the
// node's own traffic to its pods (kubelet probes, host processes) never meets the policy at all:
// NetworkPolicy cannot block a pod's own node (the API reference's "what you can't do" list).
// Egress and ingress live in separate base chains because an accept ends only its own base chain:
// a connection between two local pods must pass the client's egress and the server's ingress.
//
// Pod addresses are in named sets, so a pod coming or going only changes set elements; when the
// chains stay the same, the update is a transaction of set flushes and element additions.
import type { NamedPortEntry, NodePolicyModel, PeerMatch, PolicyModel, PortMatch, RuleModel } from './policy-model.ts';

export interface RenderedTable {
  /** Everything but set elements: table, sets with their types, chains and rules. */
  structure: string;
  /** Elements of every set, by set name (each in nft syntax, sorted). */
  elements: Map<string, string[]>;
}

const IPV4 = 'ipv4_addr';
const NAMED_PORT = 'ipv4_addr . inet_proto . inet_service';
/** Elements per `add element` line, to keep lines of huge sets reasonable. */
const ELEMENTS_PER_LINE = 1000;

export function netpolTableName(nftPrefix: string): string {
  return `${nftPrefix}-netpol`;
}

export function renderTable(table: string, model: NodePolicyModel): RenderedTable {
  const sets: Array<{ name: string; type: string }> = [];
  const elements = new Map<string, string[]>();
  const addSet = (name: string, type: string, elems: string[]): string => {
    sets.push({ name, type });
    elements.set(name, elems);
    return name;
  };
  addSet('ingress-isolated', IPV4, model.ingressIsolated);
  addSet('egress-isolated', IPV4, model.egressIsolated);

  const chains: string[] = [];
  const ingressDispatch: string[] = [];
  const egressDispatch: string[] = [];
  model.policies.forEach((policy, i) => {
    const targets = addSet(`p${i}-targets`, IPV4, policy.targets);
    const comment = `comment ${quote(policy.key)}`;
    if (policy.ingress) {
      ingressDispatch.push(`ip daddr @${targets} jump p${i}-ingress ${comment}`);
      chains.push(chain(`p${i}-ingress`, policyRules(policy, 'ingress', policy.ingress, `p${i}-in`, addSet)));
    }
    if (policy.egress) {
      egressDispatch.push(`ip saddr @${targets} jump p${i}-egress ${comment}`);
      chains.push(chain(`p${i}-egress`, policyRules(policy, 'egress', policy.egress, `p${i}-eg`, addSet)));
    }
  });

  const replies = 'ct state established,related accept';
  const lines = [`table ip ${table} {`];
  for (const s of sets) lines.push(`  set ${s.name} { type ${s.type}; }`);
  lines.push(
    chain('forward-egress', [replies, 'ip saddr @egress-isolated jump egress'], 'type filter hook forward priority filter; policy accept;'),
    chain('forward-ingress', [replies, 'ip daddr @ingress-isolated jump ingress'], 'type filter hook forward priority filter + 1; policy accept;'),
    chain('input-egress', [replies, 'ip saddr @egress-isolated jump egress'], 'type filter hook input priority filter; policy accept;'),
    chain('ingress', [...ingressDispatch, 'drop']),
    chain('egress', [...egressDispatch, 'drop']),
    ...chains,
    '}',
  );
  return { structure: `${lines.join('\n')}\n`, elements };
}

/** A script that replaces whatever table of that name exists with `next`, in one transaction. */
export function fullScript(table: string, next: RenderedTable): string {
  // Declaring the table first makes the delete valid when there is none yet.
  let out = `table ip ${table}\ndelete table ip ${table}\n${next.structure}`;
  for (const [name, elems] of next.elements) out += addElements(table, name, elems);
  return out;
}

/**
 * The set updates that turn `prev` into `next`, or undefined when the chains differ and the table
 * has to be rendered in full. An empty string means nothing changed.
 */
export function incrementalScript(table: string, prev: RenderedTable, next: RenderedTable): string | undefined {
  if (prev.structure !== next.structure) return undefined;
  let out = '';
  for (const [name, elems] of next.elements) {
    const old = prev.elements.get(name);
    if (old && sameList(old, elems)) continue;
    out += `flush set ip ${table} ${name}\n${addElements(table, name, elems)}`;
  }
  return out;
}

function addElements(table: string, set: string, elems: string[]): string {
  let out = '';
  for (let i = 0; i < elems.length; i += ELEMENTS_PER_LINE) {
    out += `add element ip ${table} ${set} { ${elems.slice(i, i + ELEMENTS_PER_LINE).join(', ')} }\n`;
  }
  return out;
}

type AddSet = (name: string, type: string, elems: string[]) => string;

/** One accept rule per (peer, port) pair of every rule: a rule allows any of its peers on any of its ports. */
function policyRules(_policy: PolicyModel, dir: 'ingress' | 'egress', rules: RuleModel[], prefix: string, addSet: AddSet): string[] {
  // For ingress the peer is the source; for egress the destination.
  const peerField = dir === 'ingress' ? 'saddr' : 'daddr';
  const out: string[] = [];
  rules.forEach((rule, r) => {
    const peers = rule.peers.map((peer, k) => peerExpr(peer, peerField, `${prefix}${r}-peer${k}`, addSet));
    const ports = rule.ports.map((port, k) => portExpr(port, `${prefix}${r}-port${k}`, addSet));
    for (const p of peers) {
      if (p === undefined) continue;
      for (const q of ports) out.push([p, q, 'accept'].filter((s) => s !== '').join(' '));
    }
  });
  return out;
}

/** The match for one peer; undefined when it can match nothing. */
function peerExpr(peer: PeerMatch, field: 'saddr' | 'daddr', setName: string, addSet: AddSet): string | undefined {
  switch (peer.kind) {
    case 'any':
      return '';
    case 'ips':
      return `ip ${field} @${addSet(setName, IPV4, peer.ips)}`;
    case 'cidr': {
      const except = disjoint(peer.except);
      const base = `ip ${field} ${peer.cidr}`;
      return except.length === 0 ? base : `${base} ip ${field} != { ${except.join(', ')} }`;
    }
  }
}

function portExpr(port: PortMatch, setName: string, addSet: AddSet): string {
  switch (port.kind) {
    case 'any':
      return '';
    case 'protocol':
      return `meta l4proto ${proto(port.protocol)}`;
    case 'range':
      return `meta l4proto ${proto(port.protocol)} th dport ${port.from === port.to ? port.from : `${port.from}-${port.to}`}`;
    case 'named':
      // The destination address and port together: each pod's own number for the name.
      return `ip daddr . meta l4proto . th dport @${addSet(setName, NAMED_PORT, port.entries.map(namedEntry))}`;
  }
}

function namedEntry(e: NamedPortEntry): string {
  return `${e.ip} . ${proto(e.protocol)} . ${e.port}`;
}

function proto(p: string): string {
  return p.toLowerCase();
}

function chain(name: string, rules: string[], header?: string): string {
  const body = [...(header ? [header] : []), ...rules].map((l) => `    ${l}`).join('\n');
  return `  chain ${name} {\n${body}\n  }`;
}

/** nft refuses overlapping intervals in one set; CIDRs either nest or are apart, so drop the nested. */
function disjoint(cidrs: string[]): string[] {
  const uniq = [...new Set(cidrs)];
  return uniq.filter((c) => !uniq.some((o) => o !== c && contains(o, c)));
}

function contains(outer: string, inner: string): boolean {
  const [oa, ob] = outer.split('/');
  const [ia, ib] = inner.split('/');
  const obits = Number(ob);
  if (Number(ib) < obits) return false;
  const mask = obits === 0 ? 0 : (0xffffffff << (32 - obits)) >>> 0;
  return ((toInt(ia ?? '') & mask) >>> 0) === ((toInt(oa ?? '') & mask) >>> 0);
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function quote(text: string): string {
  return `"${text.replace(/[^A-Za-z0-9./_-]/g, '_').slice(0, 120)}"`;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
