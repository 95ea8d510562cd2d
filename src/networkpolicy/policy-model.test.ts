import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/meta.ts';
import type { ContainerPort, Pod } from '../api/types/core-v1.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../api/types/networking-v1-network-policy.ts';
import { buildNodePolicyModel, normalizeCidr, policyTypesOf, type PolicyInputs } from './policy-model.ts';

function pod(name: string, ns: string, ip: string, labels: Record<string, string>, opts: { node?: string; ports?: ContainerPort[]; hostNetwork?: boolean; phase?: 'Running' | 'Succeeded' } = {}): Pod {
  return {
    metadata: { name, namespace: ns, labels },
    spec: { nodeName: opts.node ?? 'n1', containers: [{ name: 'c', image: 'busybox', ports: opts.ports ?? [] }], ...(opts.hostNetwork ? { hostNetwork: true } : {}) },
    status: { phase: opts.phase ?? 'Running', podIP: ip },
  };
}

function ns(name: string, labels: Record<string, string> = {}): KubeObject {
  return { metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

function policy(name: string, namespace: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { metadata: { name, namespace }, spec };
}

const PODS: Pod[] = [
  pod('server', 'app', '10.42.0.10', { role: 'server' }, { ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] }),
  pod('client', 'app', '10.42.0.11', { role: 'client' }),
  pod('other', 'app', '10.42.0.12', { role: 'other' }),
  pod('remote-client', 'app', '10.42.1.11', { role: 'client' }, { node: 'n2' }),
  pod('remote-server', 'app', '10.42.1.10', { role: 'server' }, { node: 'n2', ports: [{ name: 'http', containerPort: 9090 }] }),
  pod('mon', 'monitoring', '10.42.1.20', { role: 'client' }, { node: 'n2' }),
  pod('mon-x', 'monitoring', '10.42.1.21', { role: 'x' }, { node: 'n2' }),
  pod('hostnet', 'app', '192.0.2.99', { role: 'client' }, { hostNetwork: true }),
  pod('done', 'app', '10.42.0.99', { role: 'client' }, { phase: 'Succeeded' }),
];
const NAMESPACES = [ns('app'), ns('monitoring', { team: 'ops' })];

function model(policies: NetworkPolicy[], pods = PODS): ReturnType<typeof buildNodePolicyModel> {
  const inputs: PolicyInputs = { nodeName: 'n1', policies, pods, namespaces: NAMESPACES };
  return buildNodePolicyModel(inputs);
}

test('policyTypes default to Ingress, plus Egress when egress rules are given', () => {
  assert.deepEqual(policyTypesOf(policy('a', 'x', {})), ['Ingress']);
  assert.deepEqual(policyTypesOf(policy('a', 'x', { egress: [{}] })), ['Ingress', 'Egress']);
  assert.deepEqual(policyTypesOf(policy('a', 'x', { egress: [{}], policyTypes: ['Egress'] })), ['Egress']);
});

test('default deny ingress isolates every local pod of the namespace, none elsewhere', () => {
  const m = model([policy('deny', 'app', { podSelector: {}, policyTypes: ['Ingress'] })]);
  // Only this node's pods with a pod address; host-network and finished pods are not isolated.
  assert.deepEqual(m.ingressIsolated, ['10.42.0.10', '10.42.0.11', '10.42.0.12']);
  assert.deepEqual(m.egressIsolated, []);
  assert.equal(m.policies.length, 1);
  assert.deepEqual(m.policies[0]!.ingress, []);
  assert.equal(m.policies[0]!.egress, undefined);
});

test('a policy selecting no pod of this node is left out', () => {
  const m = model([policy('p', 'monitoring', { podSelector: {} })]);
  assert.deepEqual(m, { ingressIsolated: [], egressIsolated: [], policies: [] });
});

test('podSelector peers are pods of the policy namespace, on any node', () => {
  const m = model([policy('allow', 'app', { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] })]);
  assert.deepEqual(m.policies[0]!.targets, ['10.42.0.10']);
  assert.deepEqual(m.policies[0]!.ingress, [{ peers: [{ kind: 'ips', ips: ['10.42.0.11', '10.42.1.11'] }], ports: [{ kind: 'any' }] }]);
});

test('namespaceSelector alone: every pod of the matching namespaces', () => {
  const m = model([policy('allow', 'app', { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }] })]);
  assert.deepEqual(m.policies[0]!.ingress![0]!.peers, [{ kind: 'ips', ips: ['10.42.1.20', '10.42.1.21'] }]);
});

test('podSelector and namespaceSelector in one peer must both hold; in two peers either', () => {
  const both = model([policy('p', 'app', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { role: 'client' } } }] }] })]);
  assert.deepEqual(both.policies[0]!.ingress![0]!.peers, [{ kind: 'ips', ips: ['10.42.1.20'] }]);
  const either = model([policy('p', 'app', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] })]);
  assert.deepEqual(either.policies[0]!.ingress![0]!.peers, [{ kind: 'ips', ips: ['10.42.1.20', '10.42.1.21'] }, { kind: 'ips', ips: ['10.42.0.11', '10.42.1.11'] }]);
  // An empty namespaceSelector is every namespace.
  const all = model([policy('p', 'app', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'client' } } }] }] })]);
  assert.deepEqual(all.policies[0]!.ingress![0]!.peers, [{ kind: 'ips', ips: ['10.42.0.11', '10.42.1.11', '10.42.1.20'] }]);
});

test('matchExpressions select as label selectors do', () => {
  const m = model([policy('p', 'app', { podSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['server', 'other'] }] }, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['server', 'client'] }] } }] }] })]);
  assert.deepEqual(m.policies[0]!.targets, ['10.42.0.10', '10.42.0.12']);
  assert.deepEqual(m.policies[0]!.ingress![0]!.peers, [{ kind: 'ips', ips: ['10.42.0.12'] }]);
});

test('empty from and empty ports allow everything; a rule with neither is allow-all', () => {
  const m = model([policy('p', 'app', { podSelector: {}, ingress: [{}] })]);
  assert.deepEqual(m.policies[0]!.ingress, [{ peers: [{ kind: 'any' }], ports: [{ kind: 'any' }] }]);
});

test('ipBlock: cidr normalised, except kept', () => {
  const m = model([policy('p', 'app', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.42.1.7/16', except: ['10.42.1.0/24'] } }, { ipBlock: { cidr: 'fd00::/8' } }] }] })]);
  assert.deepEqual(m.policies[0]!.egress![0]!.peers, [{ kind: 'cidr', cidr: '10.42.0.0/16', except: ['10.42.1.0/24'] }, { kind: 'ips', ips: [] }]);
  assert.equal(m.policies[0]!.ingress, undefined);
  assert.deepEqual(m.egressIsolated, ['10.42.0.10', '10.42.0.11', '10.42.0.12']);
  assert.equal(normalizeCidr('10.1.2.3'), '10.1.2.3/32');
  assert.equal(normalizeCidr('0.0.0.0/0'), '0.0.0.0/0');
  assert.equal(normalizeCidr('10.0.0.0/33'), undefined);
});

test('numbered ports, ranges and protocols', () => {
  const m = model([policy('p', 'app', { podSelector: {}, ingress: [{ ports: [{ port: 80 }, { protocol: 'UDP', port: 1000, endPort: 2000 }, { protocol: 'SCTP' }] }] })]);
  assert.deepEqual(m.policies[0]!.ingress![0]!.ports, [
    { kind: 'range', protocol: 'TCP', from: 80, to: 80 },
    { kind: 'range', protocol: 'UDP', from: 1000, to: 2000 },
    { kind: 'protocol', protocol: 'SCTP' },
  ]);
});

test('named ports: the selected pod\'s number for ingress, the destination pod\'s for egress', () => {
  const m = model([policy('p', 'app', {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }, { port: 'dns' }] }],
    egress: [{ ports: [{ port: 'http' }] }],
  })]);
  const [http, dns, dnsTcp] = m.policies[0]!.ingress![0]!.ports;
  // Ingress: only the policy's own (local) targets carry the name.
  assert.deepEqual(http, { kind: 'named', name: 'http', protocol: 'TCP', entries: [{ ip: '10.42.0.10', protocol: 'TCP', port: 8080 }] });
  assert.deepEqual(dns, { kind: 'named', name: 'dns', protocol: 'UDP', entries: [{ ip: '10.42.0.10', protocol: 'UDP', port: 5353 }] });
  // The name with another protocol is not that port.
  assert.deepEqual(dnsTcp, { kind: 'named', name: 'dns', protocol: 'TCP', entries: [] });
  // Egress: any destination pod, on any node, with its own number.
  assert.deepEqual(m.policies[0]!.egress![0]!.ports, [{ kind: 'named', name: 'http', protocol: 'TCP', entries: [
    { ip: '10.42.0.10', protocol: 'TCP', port: 8080 },
    { ip: '10.42.1.10', protocol: 'TCP', port: 9090 },
  ] }]);
});

test('several policies: isolation is the union of their types, rules stay per policy', () => {
  const m = model([
    policy('b-egress', 'app', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'] }),
    policy('a-ingress', 'app', { podSelector: { matchLabels: { role: 'server' } }, ingress: [{}] }),
  ]);
  assert.deepEqual(m.policies.map((p) => p.key), ['app/a-ingress', 'app/b-egress']);
  assert.deepEqual(m.ingressIsolated, ['10.42.0.10']);
  assert.deepEqual(m.egressIsolated, ['10.42.0.11']);
});

test('a pod whose namespace is not known yet still matches by the namespace name label', () => {
  const pods = [pod('s', 'app', '10.42.0.10', {}), pod('late', 'newns', '10.42.0.50', {})];
  const m = buildNodePolicyModel({ nodeName: 'n1', pods, namespaces: [], policies: [policy('p', 'app', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'newns' } } }] }] })] });
  assert.deepEqual(m.policies[0]!.ingress![0]!.peers, [{ kind: 'ips', ips: ['10.42.0.50'] }]);
});
