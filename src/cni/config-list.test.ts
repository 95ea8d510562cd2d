import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4, parseIpv4Cidr, skiffNetworkConfigList } from './config-list.ts';
import { isInvalidNetworkConfig } from './errors.ts';

test('default list: loopback, then the bridge gateway with host-local over the node subnet', () => {
  assert.deepEqual(skiffNetworkConfigList({ subnet: '10.42.0.0/24', leaseDir: '/var/lib/skiff/cni/ipam' }), {
    cniVersion: '1.0.0',
    name: 'skiff',
    plugins: [
      { type: 'loopback' },
      {
        type: 'bridge', bridge: 'skiff0', isGateway: true, ipMasq: false, hairpinMode: true,
        ipam: {
          type: 'host-local', ranges: [[{ subnet: '10.42.0.0/24' }]], routes: [{ dst: '0.0.0.0/0' }],
          dataDir: '/var/lib/skiff/cni/ipam',
        },
      },
    ],
  });
});

test('options: bridge name, ipMasq, mtu and portmap with its capability', () => {
  const list = skiffNetworkConfigList({ subnet: '10.42.3.0/24', leaseDir: '/d', bridge: 'br9', ipMasq: true, mtu: 1450, portMap: true });
  assert.equal(list.plugins[1]?.bridge, 'br9');
  assert.equal(list.plugins[1]?.ipMasq, true);
  assert.equal(list.plugins[1]?.mtu, 1450);
  assert.deepEqual(list.plugins[2], { type: 'portmap', capabilities: { portMappings: true }, snat: true });
});

test('bad options are refused with the reason', () => {
  const bad = (o: Parameters<typeof skiffNetworkConfigList>[0], re: RegExp) =>
    assert.throws(() => skiffNetworkConfigList(o), (err) => isInvalidNetworkConfig(err) && re.test(err.message));
  bad({ subnet: '10.42.0.1/24', leaseDir: '/d' }, /host bits are set \(did you mean 10\.42\.0\.0\/24\?\)/);
  bad({ subnet: '10.42.0.0', leaseDir: '/d' }, /expected an IPv4 CIDR/);
  bad({ subnet: '10.42.300.0/24', leaseDir: '/d' }, /expected an IPv4 CIDR/);
  bad({ subnet: '10.42.0.0/31', leaseDir: '/d' }, /too small/);
  bad({ subnet: '10.42.0.0/24', leaseDir: '/d', bridge: 'a-very-long-bridge-name' }, /at most 15/);
  bad({ subnet: '10.42.0.0/24', leaseDir: '/d', name: 'a/b' }, /name must match/);
  bad({ subnet: '10.42.0.0/24', leaseDir: '/d', mtu: 10 }, /mtu/);
});

test('parseIpv4Cidr and formatIpv4', () => {
  assert.deepEqual(parseIpv4Cidr('10.42.250.0/24'), { address: '10.42.250.0', prefix: 24, network: 0x0a2afa00 });
  assert.equal(formatIpv4(0xfffffffe), '255.255.255.254');
});
