import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlicePrinter, endpointsPrinter, formatHosts, ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './print-networking.ts';
import { DAY, NOW, obj } from './test-helpers.ts';

const ep = (subsets: unknown) => endpointsPrinter.cells(obj('web', DAY, { subsets }), NOW)[1];

test('endpoints: host:port pairs, truncation after three, headless and IPv6', () => {
  assert.equal(ep(undefined), '<none>');
  assert.equal(ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] }]), '10.0.0.1:80,10.0.0.2:80');
  assert.equal(
    ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }]),
    '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...',
  );
  assert.equal(ep([{ addresses: [{ ip: '10.0.0.1' }] }]), '10.0.0.1');
  assert.equal(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }]), '[fd00::1]:53');
  assert.equal(ep([{ notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80 }] }]), '');
});

test('endpoint slices', () => {
  const s = obj('web-abc', DAY, {
    addressType: 'IPv4', ports: [{ name: 'http', port: 80 }, { name: 'named' }, {}, { port: 9090 }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }],
  });
  assert.deepEqual(endpointSlicePrinter.cells(s, NOW), ['web-abc', 'IPv4', '80,named,* + 1 more...', '10.0.0.1,10.0.0.2', '24h']);
  assert.deepEqual(endpointSlicePrinter.cells(obj('e', DAY, { addressType: 'IPv4' }), NOW).slice(2, 4), ['<unset>', '<unset>']);
});

test('ingress hosts, address and ports', () => {
  assert.equal(formatHosts([]), '*');
  assert.equal(formatHosts([{}]), '*');
  assert.equal(formatHosts([{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }]), 'a,b,c + 2 more...');
  const ing = obj('shop', DAY, {
    spec: { ingressClassName: 'nginx', rules: [{ host: 'shop.example.com' }], tls: [{ hosts: ['shop.example.com'] }] },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.4' }] } },
  });
  assert.deepEqual(ingressPrinter.cells(ing, NOW), ['shop', 'nginx', 'shop.example.com', '203.0.113.4', '80, 443', '24h']);
  assert.deepEqual(ingressPrinter.cells(obj('bare', DAY, { spec: {} }), NOW).slice(1, 5), ['<none>', '*', '', '80']);
});

test('ingress class parameters and network policy selectors', () => {
  const ic = obj('nginx', DAY, { spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } });
  assert.deepEqual(ingressClassPrinter.cells(ic, NOW), ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb', '24h']);
  assert.equal(ingressClassPrinter.cells(obj('x', DAY, { spec: { controller: 'c' } }), NOW)[2], '<none>');
  assert.equal(networkPolicyPrinter.cells(obj('deny', DAY, { spec: { podSelector: {} } }), NOW)[1], '<none>');
  assert.equal(networkPolicyPrinter.cells(obj('allow', DAY, { spec: { podSelector: { matchLabels: { role: 'db' } } } }), NOW)[1], 'role=db');
});
