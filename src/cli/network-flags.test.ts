import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterDnsFromFlags, nodeNetworkFromFlags } from './network-flags.ts';

const flags = { clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', clusterDomain: 'cluster.local', resolvConf: '/etc/resolv.conf', nftPrefix: 'skiff', ingressHttpPort: '80', ingressHttpsPort: '443' };

test('the cluster DNS address is the tenth of the service CIDR unless --cluster-dns names one', () => {
  assert.equal(clusterDnsFromFlags(flags), '10.43.0.10');
  assert.equal(clusterDnsFromFlags({ ...flags, serviceCidr: '10.43.7.0/24' }), '10.43.7.10');
  assert.equal(clusterDnsFromFlags({ ...flags, clusterDns: '10.43.0.53' }), '10.43.0.53');
  assert.throws(() => clusterDnsFromFlags({ ...flags, clusterDns: '10.43.0.300' }), /--cluster-dns "10.43.0.300": expected an IPv4 address/);
  assert.throws(() => clusterDnsFromFlags({ ...flags, serviceCidr: '10.43.0.1/16' }), /--service-cidr "10.43.0.1\/16": host bits are set/);
});

test('node network flags: --disable names components, ports and prefixes are checked', () => {
  const n = nodeNetworkFromFlags({ ...flags, disable: 'ingress, network-policy', ingressHttpPort: '0' });
  assert.deepEqual([...n.disable].sort(), ['ingress', 'network-policy']);
  assert.equal(n.ingressHttpPort, 0);
  assert.throws(() => nodeNetworkFromFlags({ ...flags, disable: 'kube-proxy' }), /--disable "kube-proxy": expected one of proxy, dns, routes, network-policy, ingress/);
  assert.throws(() => nodeNetworkFromFlags({ ...flags, ingressHttpsPort: '70000' }), /--ingress-https-port "70000"/);
  assert.throws(() => nodeNetworkFromFlags({ ...flags, nftPrefix: 'Bad Prefix' }), /--nft-prefix/);
  assert.throws(() => nodeNetworkFromFlags({ ...flags, clusterCidr: 'ten' }), /--cluster-cidr "ten": expected an IPv4 CIDR/);
});
