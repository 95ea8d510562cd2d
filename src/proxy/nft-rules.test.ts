import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { service, slice } from './fixtures.ts';
import { renderService, type Fragment, type ProxyLayout } from './nft-rules.ts';
import { AppliedTable, parseTableListing } from './nft-sync.ts';
import { categorizeEndpoints, portEndpoints, servicePorts } from './service-model.ts';
import type { EndpointSlice, Service } from './types.ts';

const layout: ProxyLayout = { table: 't', clusterCIDR: '10.42.0.0/16', serviceCIDR: '10.43.0.0/24', nodeIPs: ['10.0.0.1', '127.0.0.1'], masqueradeMark: 0x4000 };

function render(svc: Service, slices: EndpointSlice[], hostname = 'n1'): Fragment {
  return renderService(portEndpoints(servicePorts(svc), slices, hostname), layout);
}

const web = service('web', { clusterIP: '10.43.0.5', ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
const webSlice = (ips: string[]): EndpointSlice => slice('web', 'web-a', [{ name: 'http', port: 8080 }], ips.map((ip) => ({ ip })));

describe('service model', () => {
  test('headless and ExternalName Services have no proxied ports', () => {
    assert.deepEqual(servicePorts(service('h', { clusterIP: 'None', ports: [{ port: 80 }] })), []);
    assert.deepEqual(servicePorts(service('x', { type: 'ExternalName', externalName: 'example.com' })), []);
  });
  test('named targetPorts come resolved from the slice, matched by port name and protocol', () => {
    const svc = service('m', { clusterIP: '10.43.0.6', ports: [{ name: 'a', port: 80, targetPort: 'web' }, { name: 'b', port: 53, protocol: 'UDP' }] });
    const s = slice('m', 'm-1', [{ name: 'a', port: 8080 }, { name: 'b', port: 5353, protocol: 'UDP' }], [{ ip: '10.42.0.2' }]);
    const eps = portEndpoints(servicePorts(svc), [s], 'n1');
    assert.deepEqual(eps.map((p) => [p.info.portName, p.info.protocol, p.endpoints.map((e) => `${e.ip}:${e.port}`)]), [
      ['a', 'tcp', ['10.42.0.2:8080']], ['b', 'udp', ['10.42.0.2:5353']],
    ]);
  });
  test('ready endpoints first; serving-terminating ones only when none is ready', () => {
    const [p] = portEndpoints(servicePorts(web), [slice('web', 'w', [{ name: 'http', port: 8080 }], [
      { ip: '10.42.0.2' }, { ip: '10.42.0.3', ready: false, serving: true, terminating: true }, { ip: '10.42.0.4', ready: false },
    ])], 'n1');
    assert.deepEqual(categorizeEndpoints(p!.info, p!.endpoints).cluster.map((e) => e.ip), ['10.42.0.2']);
    const [q] = portEndpoints(servicePorts(web), [slice('web', 'w', [{ name: 'http', port: 8080 }], [
      { ip: '10.42.0.3', ready: false, serving: true, terminating: true }, { ip: '10.42.0.4', ready: false },
    ])], 'n1');
    assert.deepEqual(categorizeEndpoints(q!.info, q!.endpoints).cluster.map((e) => e.ip), ['10.42.0.3']);
  });
});

describe('rendering a Service', () => {
  test('ClusterIP: a service-ips element, a service chain choosing among endpoint chains that DNAT', () => {
    const f = render(web, [webSlice(['10.42.0.3', '10.42.0.2'])]);
    assert.equal(f.elements.get('service-ips 10.43.0.5 . tcp . 80')?.value, 'goto service-default/web/tcp/http');
    assert.ok(f.elements.has('cluster-ips 10.43.0.5'));
    assert.deepEqual(f.chains.get('service-default/web/tcp/http'), [
      'ip daddr 10.43.0.5 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade',
      'numgen random mod 2 vmap { 0 : goto endpoint-default/web/tcp/http__10.42.0.2/8080, 1 : goto endpoint-default/web/tcp/http__10.42.0.3/8080 }',
    ]);
    assert.deepEqual(f.chains.get('endpoint-default/web/tcp/http__10.42.0.2/8080'), [
      'ip saddr 10.42.0.2 jump mark-for-masquerade',
      'meta l4proto tcp dnat to 10.42.0.2:8080',
    ]);
  });
  test('no endpoints: no chains, the ClusterIP rejected through no-endpoint-services', () => {
    const f = render(web, [webSlice([])]);
    assert.equal(f.chains.size, 0);
    assert.equal(f.elements.get('no-endpoint-services 10.43.0.5 . tcp . 80')?.value, 'goto reject-chain');
    assert.equal(f.elements.has('service-ips 10.43.0.5 . tcp . 80'), false);
  });
  test('ClientIP affinity: a timeout set per endpoint, checked before the random choice and updated on DNAT', () => {
    const svc = service('web', { clusterIP: '10.43.0.5', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: 'http', port: 80 }] });
    const f = render(svc, [webSlice(['10.42.0.2'])]);
    assert.deepEqual([...f.affinitySets], [['affinity-60-default/web/tcp/http__10.42.0.2/8080', 60]]);
    assert.equal(f.chains.get('service-default/web/tcp/http')![1], 'ip saddr @affinity-60-default/web/tcp/http__10.42.0.2/8080 goto endpoint-default/web/tcp/http__10.42.0.2/8080');
    assert.ok(f.chains.get('endpoint-default/web/tcp/http__10.42.0.2/8080')!.includes('update @affinity-60-default/web/tcp/http__10.42.0.2/8080 { ip saddr }'));
  });
  test('NodePort and LoadBalancer: nodeport and LB elements to an external chain that masquerades', () => {
    const svc = service('lb', { type: 'LoadBalancer', clusterIP: '10.43.0.7', ports: [{ port: 80, nodePort: 30080 }] }, 'default', ['10.0.0.1']);
    const f = render(svc, [slice('lb', 'lb-1', [{ port: 8080 }], [{ ip: '10.42.0.2' }])]);
    assert.equal(f.elements.get('service-nodeports tcp . 30080')?.value, 'goto external-default/lb/tcp/_');
    assert.equal(f.elements.get('service-ips 10.0.0.1 . tcp . 80')?.value, 'goto external-default/lb/tcp/_');
    assert.deepEqual(f.chains.get('external-default/lb/tcp/_'), ['jump mark-for-masquerade', 'goto service-default/lb/tcp/_']);
  });
  test('externalTrafficPolicy Local: only local endpoints for outside traffic, pods and the node short-circuit', () => {
    const svc = service('loc', { type: 'NodePort', clusterIP: '10.43.0.8', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30081 }] });
    const s = slice('loc', 'loc-1', [{ port: 8080 }], [{ ip: '10.42.0.2', nodeName: 'n1' }, { ip: '10.42.1.2', nodeName: 'n2' }]);
    const f = render(svc, [s]);
    assert.deepEqual(f.chains.get('external-default/loc/tcp/_'), [
      'ip saddr 10.42.0.0/16 goto service-default/loc/tcp/_',
      'fib saddr type local jump mark-for-masquerade',
      'fib saddr type local goto service-default/loc/tcp/_',
      'goto local-default/loc/tcp/_',
    ]);
    assert.match(f.chains.get('local-default/loc/tcp/_')!.at(-1)!, /mod 1 vmap \{ 0 : goto endpoint-default\/loc\/tcp\/___10\.42\.0\.2\/8080 \}/);
    // On a node without a local endpoint outside traffic is dropped, not rejected.
    const g = render(svc, [s], 'n3');
    assert.equal(g.elements.get('no-endpoint-nodeports tcp . 30081')?.value, 'drop');
    assert.equal(g.elements.get('service-nodeports tcp . 30081')?.value, 'goto external-default/loc/tcp/_');
  });
  test('internalTrafficPolicy Local: the ClusterIP leads to the local chain, or is dropped without a local endpoint', () => {
    const svc = service('dns', { clusterIP: '10.43.0.10', internalTrafficPolicy: 'Local', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    const s = slice('dns', 'dns-n1', [{ name: 'dns', port: 53, protocol: 'UDP' }], [{ ip: '10.42.0.1', nodeName: 'n1' }]);
    assert.equal(render(svc, [s]).elements.get('service-ips 10.43.0.10 . udp . 53')?.value, 'goto local-default/dns/udp/dns');
    assert.equal(render(svc, [s], 'n2').elements.get('no-endpoint-services 10.43.0.10 . udp . 53')?.value, 'drop');
  });
});

describe('syncs', () => {
  test('a full sync declares every chain before any rule and deletes what no Service wants', () => {
    const t = new AppliedTable();
    const plan = t.planFull(layout, new Map([['default/web', render(web, [webSlice(['10.42.0.2'])])]]), { chains: ['service-default/old/tcp/_', 'services'], sets: ['affinity-1-x'] });
    const lines = plan.script.split('\n');
    const firstRule = lines.findIndex((l) => l.startsWith('add rule ip t endpoint-'));
    const lastChain = lines.findLastIndex((l) => /^add chain ip t endpoint-/.test(l));
    assert.ok(lastChain < firstRule);
    assert.ok(lines.includes('delete chain ip t service-default/old/tcp/_'));
    assert.ok(!lines.includes('delete chain ip t services'));
    assert.ok(lines.includes('delete set ip t affinity-1-x'));
    assert.equal(lines[1], 'flush table ip t');
  });
  test('one endpoint more rewrites only that Service\'s service chain and adds one endpoint chain', () => {
    const t = new AppliedTable();
    const other = service('other', { clusterIP: '10.43.0.9', ports: [{ port: 81 }] });
    const otherSlice = slice('other', 'o', [{ port: 81 }], [{ ip: '10.42.0.9' }]);
    t.planFull(layout, new Map([
      ['default/web', render(web, [webSlice(['10.42.0.2'])])], ['default/other', render(other, [otherSlice])],
    ]), { chains: [], sets: [] }).commit();
    const plan = t.planPartial(layout, new Map([['default/web', render(web, [webSlice(['10.42.0.2', '10.42.0.3'])])]]));
    assert.deepEqual(plan.script.trim().split('\n'), [
      'add chain ip t endpoint-default/web/tcp/http__10.42.0.3/8080',
      'flush chain ip t service-default/web/tcp/http',
      'add rule ip t service-default/web/tcp/http ip daddr 10.43.0.5 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade',
      'add rule ip t service-default/web/tcp/http numgen random mod 2 vmap { 0 : goto endpoint-default/web/tcp/http__10.42.0.2/8080, 1 : goto endpoint-default/web/tcp/http__10.42.0.3/8080 }',
      'add rule ip t endpoint-default/web/tcp/http__10.42.0.3/8080 ip saddr 10.42.0.3 jump mark-for-masquerade',
      'add rule ip t endpoint-default/web/tcp/http__10.42.0.3/8080 meta l4proto tcp dnat to 10.42.0.3:8080',
    ]);
    plan.commit();
    assert.equal(t.planPartial(layout, new Map([['default/web', render(web, [webSlice(['10.42.0.2', '10.42.0.3'])])]])).statements, 0);
  });
  test('losing the last endpoint moves the ClusterIP to the reject map and deletes the chains after the elements', () => {
    const t = new AppliedTable();
    t.planFull(layout, new Map([['default/web', render(web, [webSlice(['10.42.0.2'])])]]), { chains: [], sets: [] }).commit();
    const lines = t.planPartial(layout, new Map([['default/web', render(web, [])]])).script.trim().split('\n');
    assert.deepEqual(lines, [
      'delete element ip t service-ips { 10.43.0.5 . tcp . 80 }',
      'add element ip t no-endpoint-services { 10.43.0.5 . tcp . 80 : goto reject-chain }',
      'flush chain ip t service-default/web/tcp/http',
      'flush chain ip t endpoint-default/web/tcp/http__10.42.0.2/8080',
      'delete chain ip t service-default/web/tcp/http',
      'delete chain ip t endpoint-default/web/tcp/http__10.42.0.2/8080',
    ]);
  });
  test('a Service going away removes all it had, and a key it held can be taken by another', () => {
    const t = new AppliedTable();
    const a = service('a', { type: 'NodePort', clusterIP: '10.43.0.11', ports: [{ port: 80, nodePort: 30001 }] });
    const b = service('b', { type: 'NodePort', clusterIP: '10.43.0.12', ports: [{ port: 80, nodePort: 30001 }] });
    t.planFull(layout, new Map([['default/a', render(a, [])], ['default/b', render(b, [])]]), { chains: [], sets: [] }).commit();
    const plan = t.planPartial(layout, new Map([['default/a', undefined], ['default/b', render(b, [])]]));
    const lines = plan.script.trim().split('\n');
    assert.ok(lines.includes('delete element ip t cluster-ips { 10.43.0.11 }'));
    assert.ok(lines.some((l) => l.startsWith('add element ip t no-endpoint-nodeports { tcp . 30001 : goto reject-chain }')));
  });
  test('parses nft -j listings', () => {
    const json = JSON.stringify({ nftables: [{ metainfo: {} }, { table: { name: 't' } }, { chain: { name: 'services' } }, { set: { name: 'cluster-ips' } }, { map: { name: 'service-ips' } }, { rule: {} }] });
    assert.deepEqual(parseTableListing(json), { chains: ['services'], sets: ['cluster-ips', 'service-ips'] });
  });
});
