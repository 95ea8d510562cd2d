import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Answer, SoaAnswer } from 'dns-packet';
import { ClusterZone, DNS_SCHEMA_VERSION, type ZoneAnswer } from './cluster-zone.ts';
import { RecordIndex } from './record-index.ts';
import type { Endpoint, EndpointSlice, Service } from './types.ts';

function service(ns: string, name: string, spec: NonNullable<Service['spec']>): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

function slice(ns: string, svc: string, name: string, endpoints: Endpoint[], ports: EndpointSlice['ports'] = []): EndpointSlice {
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': svc } }, addressType: 'IPv4', endpoints, ports };
}

function ep(ip: string, opts: { ready?: boolean; hostname?: string } = {}): Endpoint {
  return { addresses: [ip], conditions: { ready: opts.ready ?? true }, ...(opts.hostname ? { hostname: opts.hostname } : {}) };
}

function build(): { index: RecordIndex; zone: ClusterZone } {
  const index = new RecordIndex();
  index.upsertNamespace('default');
  index.upsertNamespace('empty');
  index.upsertService(service('default', 'kubernetes', { clusterIP: '10.43.0.1', ports: [{ name: 'https', protocol: 'TCP', port: 443 }] }));
  index.upsertService(service('default', 'web', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 9000 }] }));
  index.upsertSlice(slice('default', 'web', 'web-abc', [ep('10.42.0.5'), ep('10.42.0.6', { ready: false })], [{ name: 'http', protocol: 'TCP', port: 8080 }]));
  index.upsertService(service('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', protocol: 'TCP', port: 5432 }] }));
  index.upsertSlice(slice('default', 'db', 'db-1', [ep('10.42.0.10', { hostname: 'db-0' }), ep('10.42.0.11', { hostname: 'db-1' }), ep('10.42.0.12', { ready: false, hostname: 'db-2' })], [{ name: 'pg', protocol: 'TCP', port: 5432 }]));
  index.upsertSlice(slice('default', 'db', 'db-2', [ep('10.42.0.13')], [{ name: 'pg', protocol: 'TCP', port: 5432 }]));
  index.upsertService(service('default', 'lonely', { clusterIP: 'None' }));
  index.upsertSlice(slice('default', 'lonely', 'lonely-1', [ep('10.42.0.30', { ready: false })]));
  index.upsertService(service('default', 'eager', { clusterIP: 'None', publishNotReadyAddresses: true }));
  index.upsertSlice(slice('default', 'eager', 'eager-1', [ep('10.42.0.31', { ready: false })]));
  index.upsertService(service('default', 'ext', { type: 'ExternalName', externalName: 'www.example.com.' }));
  index.upsertService(service('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }));
  const zone = new ClusterZone(index, { domain: 'cluster.local', nameserverIP: '10.43.0.10' });
  return { index, zone };
}

function ask(zone: ClusterZone, name: string, type: string): ZoneAnswer {
  const r = zone.resolve(name, type);
  assert.equal(r.kind, 'answer', `${name} ${type} answered here`);
  return (r as { answer: ZoneAnswer }).answer;
}

function data(answers: Answer[], type?: string): unknown[] {
  return answers.filter((a) => type === undefined || a.type === type).map((a) => (a as { data: unknown }).data);
}

function assertNegative(a: ZoneAnswer, rcode: 'NXDOMAIN' | 'NOERROR', zone = 'cluster.local'): void {
  assert.equal(a.rcode, rcode);
  assert.deepEqual(a.answers, []);
  assert.equal(a.authorities.length, 1);
  const soa = a.authorities[0] as SoaAnswer;
  assert.equal(soa.type, 'SOA');
  assert.equal(soa.name, zone);
  assert.equal(soa.ttl, 5);
  assert.equal(soa.data.minimum, 5);
  assert.equal(soa.data.mname, 'ns.dns.cluster.local');
}

describe('cluster zone', () => {
  const { zone, index } = build();

  test('ClusterIP Service: A is the ClusterIP, TTL 5, owner as asked', () => {
    const a = ask(zone, 'Web.Default.SVC.cluster.local.', 'A');
    assert.equal(a.rcode, 'NOERROR');
    assert.deepEqual(a.answers, [{ name: 'Web.Default.SVC.cluster.local', type: 'A', ttl: 5, data: '10.43.0.20' }]);
    assert.deepEqual(a.authorities, []);
  });

  test('ClusterIP Service: AAAA, TXT, MX are NODATA with the SOA', () => {
    for (const t of ['AAAA', 'TXT', 'MX']) assertNegative(ask(zone, 'web.default.svc.cluster.local', t), 'NOERROR');
  });

  test('unknown Service, unknown namespace, extra labels, unknown kind are NXDOMAIN', () => {
    for (const n of ['nope.default.svc.cluster.local', 'web.nope.svc.cluster.local', 'a.b.c.web.default.svc.cluster.local', 'foo.cluster.local', 'web.default.xyz.cluster.local', 'nope.svc.cluster.local']) {
      assertNegative(ask(zone, n, 'A'), 'NXDOMAIN');
    }
  });

  test('the apex, svc, pod and an existing namespace are NODATA; the apex has SOA and NS', () => {
    for (const n of ['cluster.local', 'svc.cluster.local', 'pod.cluster.local', 'default.svc.cluster.local', 'empty.svc.cluster.local', 'default.pod.cluster.local']) {
      assertNegative(ask(zone, n, 'A'), 'NOERROR');
    }
    const soa = ask(zone, 'cluster.local', 'SOA');
    assert.equal(soa.answers[0]?.type, 'SOA');
    const ns = ask(zone, 'cluster.local', 'NS');
    assert.deepEqual(data(ns.answers), ['ns.dns.cluster.local']);
    assert.deepEqual(ns.additionals, [{ name: 'ns.dns.cluster.local', type: 'A', ttl: 5, data: '10.43.0.10' }]);
  });

  test('SRV for a named port targets the Service, with its A in the additional section; unnamed ports have none', () => {
    const a = ask(zone, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.equal(a.rcode, 'NOERROR');
    assert.deepEqual(data(a.answers), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
    assert.deepEqual(a.additionals, [{ name: 'web.default.svc.cluster.local', type: 'A', ttl: 5, data: '10.43.0.20' }]);
    assertNegative(ask(zone, '_http._udp.web.default.svc.cluster.local', 'SRV'), 'NXDOMAIN');
    assertNegative(ask(zone, '_nope._tcp.web.default.svc.cluster.local', 'SRV'), 'NXDOMAIN');
    assertNegative(ask(zone, '_https._tcp.kubernetes.default.svc.cluster.local', 'TXT'), 'NOERROR');
    assert.deepEqual(data(ask(zone, '_HTTPS._TCP.kubernetes.default.svc.cluster.local', 'SRV').answers), [{ priority: 0, weight: 100, port: 443, target: 'kubernetes.default.svc.cluster.local' }]);
  });

  test('headless Service: A of every ready endpoint across slices', () => {
    const a = ask(zone, 'db.default.svc.cluster.local', 'A');
    assert.deepEqual(data(a.answers), ['10.42.0.10', '10.42.0.11', '10.42.0.13']);
  });

  test('headless Service: hostname and dashed-address names, ready endpoints only', () => {
    assert.deepEqual(data(ask(zone, 'db-0.db.default.svc.cluster.local', 'A').answers), ['10.42.0.10']);
    assert.deepEqual(data(ask(zone, '10-42-0-13.db.default.svc.cluster.local', 'A').answers), ['10.42.0.13']);
    assertNegative(ask(zone, 'db-2.db.default.svc.cluster.local', 'A'), 'NXDOMAIN');
    assertNegative(ask(zone, 'db-0.db.default.svc.cluster.local', 'AAAA'), 'NOERROR');
  });

  test('headless Service: SRV per ready endpoint and named port, targets by hostname', () => {
    const a = ask(zone, '_pg._tcp.db.default.svc.cluster.local', 'SRV');
    assert.deepEqual(data(a.answers), [
      { priority: 0, weight: 100, port: 5432, target: 'db-0.db.default.svc.cluster.local' },
      { priority: 0, weight: 100, port: 5432, target: 'db-1.db.default.svc.cluster.local' },
      { priority: 0, weight: 100, port: 5432, target: '10-42-0-13.db.default.svc.cluster.local' },
    ]);
    assert.deepEqual(data(a.additionals), ['10.42.0.10', '10.42.0.11', '10.42.0.13']);
    assert.equal(a.additionals[0]?.name, 'db-0.db.default.svc.cluster.local');
  });

  test('headless Service without ready endpoints is NXDOMAIN; publishNotReadyAddresses publishes them', () => {
    assertNegative(ask(zone, 'lonely.default.svc.cluster.local', 'A'), 'NXDOMAIN');
    assert.deepEqual(data(ask(zone, 'eager.default.svc.cluster.local', 'A').answers), ['10.42.0.31']);
  });

  test('a ClusterIP Service’s ready endpoints answer by dashed address too (as CoreDNS)', () => {
    assert.deepEqual(data(ask(zone, '10-42-0-5.web.default.svc.cluster.local', 'A').answers), ['10.42.0.5']);
    assertNegative(ask(zone, '10-42-0-6.web.default.svc.cluster.local', 'A'), 'NXDOMAIN');
  });

  test('ExternalName: CNAME for every type; outside targets are left for the server to chase', () => {
    const a = ask(zone, 'ext.default.svc.cluster.local', 'A');
    assert.equal(a.rcode, 'NOERROR');
    assert.deepEqual(a.answers, [{ name: 'ext.default.svc.cluster.local', type: 'CNAME', ttl: 5, data: 'www.example.com' }]);
    assert.equal(a.chase, 'www.example.com');
    assert.deepEqual(data(ask(zone, 'ext.default.svc.cluster.local', 'CNAME').answers), ['www.example.com']);
    assert.equal(ask(zone, 'ext.default.svc.cluster.local', 'CNAME').chase, undefined);
    assertNegative(ask(zone, '_http._tcp.ext.default.svc.cluster.local', 'SRV'), 'NXDOMAIN');
    index.upsertService(service('default', 'byaddress', { type: 'ExternalName', externalName: '203.0.113.5' }));
    assertNegative(ask(zone, 'byaddress.default.svc.cluster.local', 'A'), 'NXDOMAIN');
  });

  test('ExternalName inside the zone is followed', () => {
    const a = ask(zone, 'alias.default.svc.cluster.local', 'A');
    assert.equal(a.chase, undefined);
    assert.deepEqual(a.answers.map((r) => r.type), ['CNAME', 'A']);
    assert.deepEqual(data(a.answers, 'A'), ['10.43.0.20']);
  });

  test('pods: a-b-c-d.<ns>.pod in an existing namespace', () => {
    assert.deepEqual(data(ask(zone, '10-42-0-99.default.pod.cluster.local', 'A').answers), ['10.42.0.99']);
    assertNegative(ask(zone, '10-42-0-99.default.pod.cluster.local', 'AAAA'), 'NOERROR');
    assertNegative(ask(zone, '10-42-0-999.default.pod.cluster.local', 'A'), 'NXDOMAIN');
    assertNegative(ask(zone, 'web.default.pod.cluster.local', 'A'), 'NXDOMAIN');
    assertNegative(ask(zone, '10-42-0-99.nope.pod.cluster.local', 'A'), 'NXDOMAIN');
  });

  test('dns-version TXT', () => {
    assert.deepEqual(data(ask(zone, 'dns-version.cluster.local', 'TXT').answers), [DNS_SCHEMA_VERSION]);
    assertNegative(ask(zone, 'dns-version.cluster.local', 'A'), 'NOERROR');
  });

  test('PTR for ClusterIPs and endpoints; other addresses and names go upstream', () => {
    assert.deepEqual(data(ask(zone, '20.0.43.10.in-addr.arpa', 'PTR').answers), ['web.default.svc.cluster.local']);
    assert.deepEqual(data(ask(zone, '10.0.42.10.in-addr.arpa', 'PTR').answers), ['db-0.db.default.svc.cluster.local']);
    assert.deepEqual(data(ask(zone, '13.0.42.10.in-addr.arpa', 'PTR').answers), ['10-42-0-13.db.default.svc.cluster.local']);
    assertNegative(ask(zone, '20.0.43.10.in-addr.arpa', 'A'), 'NOERROR', 'in-addr.arpa');
    assert.equal(zone.resolve('1.2.0.192.in-addr.arpa', 'PTR').kind, 'forward');
    assert.equal(zone.resolve('example.com', 'A').kind, 'forward');
    assert.equal(zone.resolve('cluster.local.example.com', 'A').kind, 'forward');
  });

  test('changes to the index show at once; deleting a Service removes its names and PTRs', () => {
    const g = index.generation;
    index.deleteService(service('default', 'web', {}));
    assert.ok(index.generation > g);
    assertNegative(ask(zone, 'web.default.svc.cluster.local', 'A'), 'NXDOMAIN');
    assert.equal(zone.resolve('20.0.43.10.in-addr.arpa', 'PTR').kind, 'forward');
    index.deleteSlice(slice('default', 'db', 'db-2', []));
    assert.deepEqual(data(ask(zone, 'db.default.svc.cluster.local', 'A').answers), ['10.42.0.10', '10.42.0.11']);
    // A slice whose service label changes moves to the other Service.
    index.upsertSlice(slice('default', 'lonely', 'db-1', [ep('10.42.0.40')]));
    assert.deepEqual(data(ask(zone, 'lonely.default.svc.cluster.local', 'A').answers), ['10.42.0.40']);
    assertNegative(ask(zone, 'db.default.svc.cluster.local', 'A'), 'NXDOMAIN');
  });

  test('a namespace with Services exists before its Namespace object is seen', () => {
    const idx = new RecordIndex();
    idx.upsertService(service('late', 'x', { clusterIP: '10.43.0.50' }));
    const z = new ClusterZone(idx);
    assertNegative(ask(z, 'late.svc.cluster.local', 'A'), 'NOERROR');
    assertNegative(ask(z, 'other.svc.cluster.local', 'A'), 'NXDOMAIN');
    assertNegative(ask(z, 'ns.dns.cluster.local', 'A'), 'NXDOMAIN');
  });
});
