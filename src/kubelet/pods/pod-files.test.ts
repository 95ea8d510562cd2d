import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { hostsFile, resolvConf } from './pod-files.ts';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
  spec: { containers: [{ name: 'c' }], ...spec },
});

test('Kubelet, hostAliases: the hosts file has the pod IP, hostname and aliases', () => {
  const text = hostsFile(pod({ hostname: 'h1', subdomain: 'sub', hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }] }), '10.42.0.7');
  assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(text, /^10\.42\.0\.7\th1\.sub\.shop\.svc\.cluster\.local\th1$/m);
  assert.match(text, /^10\.1\.2\.3\tfoo\.local\tbar\.local$/m);
});

test('resolv.conf per dnsPolicy: ClusterFirst, None with dnsConfig, Default from the host', async () => {
  assert.equal(await resolvConf(pod()), 'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.43.0.10\noptions ndots:5\n');
  assert.equal(
    await resolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } })),
    'search a.b\nnameserver 1.2.3.4\noptions ndots:2 edns0\n',
  );
  const hostText = await resolvConf(pod({ dnsPolicy: 'Default' }));
  assert.doesNotMatch(hostText, /10\.43\.0\.10/);
});
