import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodePolicyModel } from './policy-model.ts';
import { fullScript, incrementalScript, netpolTableName, renderTable } from './render.ts';

const T = 'skifftest-netpol';

const MODEL: NodePolicyModel = {
  ingressIsolated: ['10.42.0.10'],
  egressIsolated: ['10.42.0.11'],
  policies: [
    {
      key: 'app/allow-web',
      targets: ['10.42.0.10'],
      ingress: [
        {
          peers: [{ kind: 'ips', ips: ['10.42.0.11', '10.42.1.11'] }, { kind: 'cidr', cidr: '192.168.0.0/16', except: ['192.168.1.0/24', '192.168.1.128/25'] }],
          ports: [{ kind: 'range', protocol: 'TCP', from: 80, to: 80 }, { kind: 'named', name: 'http', protocol: 'TCP', entries: [{ ip: '10.42.0.10', protocol: 'TCP', port: 8080 }] }],
        },
      ],
    },
    { key: 'app/egress', targets: ['10.42.0.11'], egress: [{ peers: [{ kind: 'any' }], ports: [{ kind: 'range', protocol: 'UDP', from: 5000, to: 5100 }, { kind: 'protocol', protocol: 'SCTP' }] }] },
  ],
};

function chainRules(structure: string, name: string): string[] {
  const lines = structure.split('\n');
  const start = lines.indexOf(`  chain ${name} {`);
  assert.ok(start >= 0, `chain ${name}`);
  const end = lines.indexOf('  }', start);
  return lines.slice(start + 1, end).map((l) => l.trim());
}

test('the table name carries the node network prefix', () => {
  assert.equal(netpolTableName('skiff'), 'skiff-netpol');
});

test('renders base chains after dstnat, one dispatch per policy, peers × ports as accept rules', () => {
  const r = renderTable(T, MODEL);
  const s = r.structure;
  assert.match(s, /chain forward-egress \{\n\s+type filter hook forward priority filter; policy accept;\n\s+ct state established,related accept\n\s+ip saddr @egress-isolated jump egress\n/);
  assert.match(s, /chain forward-ingress \{\n\s+type filter hook forward priority filter \+ 1; policy accept;\n\s+ct state established,related accept\n\s+ip daddr @ingress-isolated jump ingress\n/);
  assert.match(s, /chain input-egress \{\n\s+type filter hook input priority filter; policy accept;/);
  assert.match(s, /chain ingress \{\n\s+ip daddr @p0-targets jump p0-ingress comment "app\/allow-web"\n\s+drop\n/);
  assert.match(s, /chain egress \{\n\s+ip saddr @p1-targets jump p1-egress comment "app\/egress"\n\s+drop\n/);
  const p0 = chainRules(s, 'p0-ingress');
  assert.deepEqual(p0, [
    'ip saddr @p0-in0-peer0 meta l4proto tcp th dport 80 accept',
    'ip saddr @p0-in0-peer0 ip daddr . meta l4proto . th dport @p0-in0-port1 accept',
    // The nested except is dropped: nft refuses overlapping intervals.
    'ip saddr 192.168.0.0/16 ip saddr != { 192.168.1.0/24 } meta l4proto tcp th dport 80 accept',
    'ip saddr 192.168.0.0/16 ip saddr != { 192.168.1.0/24 } ip daddr . meta l4proto . th dport @p0-in0-port1 accept',
  ]);
  const p1 = chainRules(s, 'p1-egress');
  assert.deepEqual(p1, ['meta l4proto udp th dport 5000-5100 accept', 'meta l4proto sctp accept']);
  assert.match(s, /set p0-in0-port1 \{ type ipv4_addr \. inet_proto \. inet_service; \}/);
  assert.deepEqual(r.elements.get('p0-in0-peer0'), ['10.42.0.11', '10.42.1.11']);
  assert.deepEqual(r.elements.get('p0-in0-port1'), ['10.42.0.10 . tcp . 8080']);
  assert.doesNotMatch(s, /10\.42\./, 'addresses live in set elements, not in the chains');
});

test('a full script replaces the table in one transaction and fills the sets', () => {
  const script = fullScript(T, renderTable(T, MODEL));
  const lines = script.split('\n');
  assert.deepEqual(lines.slice(0, 3), [`table ip ${T}`, `delete table ip ${T}`, `table ip ${T} {`]);
  assert.ok(lines.includes(`add element ip ${T} p0-in0-peer0 { 10.42.0.11, 10.42.1.11 }`));
  assert.ok(lines.includes(`add element ip ${T} ingress-isolated { 10.42.0.10 }`));
  assert.ok(!script.includes('add element ip skifftest-netpol p1-targets {  }'), 'no empty element lists');
});

test('only set elements changed: an incremental script of set flushes; no change: empty', () => {
  const before = renderTable(T, MODEL);
  assert.equal(incrementalScript(T, before, renderTable(T, MODEL)), '');
  const moved: NodePolicyModel = structuredClone(MODEL);
  moved.policies[0]!.ingress![0]!.peers[0] = { kind: 'ips', ips: ['10.42.0.11', '10.42.2.5'] };
  const inc = incrementalScript(T, before, renderTable(T, moved));
  assert.equal(inc, `flush set ip ${T} p0-in0-peer0\nadd element ip ${T} p0-in0-peer0 { 10.42.0.11, 10.42.2.5 }\n`);
  // The last peer pod going leaves the set empty, still incrementally.
  moved.policies[0]!.ingress![0]!.peers[0] = { kind: 'ips', ips: [] };
  assert.equal(incrementalScript(T, before, renderTable(T, moved)), `flush set ip ${T} p0-in0-peer0\n`);
});

test('a rule change needs a full render', () => {
  const before = renderTable(T, MODEL);
  const changed: NodePolicyModel = structuredClone(MODEL);
  changed.policies[1]!.egress![0]!.ports = [{ kind: 'any' }];
  assert.equal(incrementalScript(T, before, renderTable(T, changed)), undefined);
});

test('no policies: chains that let everything through', () => {
  const r = renderTable(T, { ingressIsolated: [], egressIsolated: [], policies: [] });
  assert.match(r.structure, /chain ingress \{\n\s+drop\n\s+\}/);
  assert.deepEqual([...r.elements.keys()], ['ingress-isolated', 'egress-isolated']);
});
