import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cniChainName, parseRules, splitWords } from './iptables-rules.ts';

test('chain names match the reference plugins (CNI- + sha512 hex, 28 characters)', () => {
  const masq = cniChainName('skiff', 'pod-a');
  const dnat = cniChainName('skiff', 'pod-a', 'DN-');
  assert.match(masq, /^CNI-[0-9a-f]{24}$/);
  assert.match(dnat, /^CNI-DN-[0-9a-f]{21}$/);
  assert.equal(masq.slice(4, 25), dnat.slice(7));
  assert.notEqual(cniChainName('skiff', 'pod-b'), masq);
});

test('splitWords undoes iptables-save quoting', () => {
  assert.deepEqual(splitWords('-A POSTROUTING -s 10.42.0.2/32 -m comment --comment "name: \\"skiff\\" id: \\"a b\\"" -j CNI-x'),
    ['-A', 'POSTROUTING', '-s', '10.42.0.2/32', '-m', 'comment', '--comment', 'name: "skiff" id: "a b"', '-j', 'CNI-x']);
  assert.deepEqual(splitWords('-A X -m comment --comment ""'), ['-A', 'X', '-m', 'comment', '--comment', '']);
});

test('parseRules collects chains and rules with their targets', () => {
  const parsed = parseRules([
    '-P PREROUTING ACCEPT',
    '-N CNI-HOSTPORT-DNAT',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
    '-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"n\\" id: \\"c\\"" -m multiport --destination-ports 80 -j CNI-DN-1',
  ].join('\n'));
  assert.deepEqual([...parsed.chains], ['PREROUTING', 'CNI-HOSTPORT-DNAT']);
  assert.deepEqual(parsed.rules.map((r) => [r.chain, r.target]), [['PREROUTING', 'CNI-HOSTPORT-DNAT'], ['CNI-HOSTPORT-DNAT', 'CNI-DN-1']]);
  assert.deepEqual(parsed.rules[0]?.spec, ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'CNI-HOSTPORT-DNAT']);
});
