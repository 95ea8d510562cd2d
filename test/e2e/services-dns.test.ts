// Cluster DNS end to end: one `skiff up` cluster, a Deployment of busybox httpd behind a ClusterIP
// Service and a headless one, a pod with hostname and subdomain, an ExternalName Service; a
// busybox client pod resolves them with nslookup, and the host asks the node's DNS server (the
// pods' gateway address) with dns-packet over UDP and TCP. Names follow the conformance tests'
// ("DNS should provide DNS for ...", test/e2e/network/dns.go).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, RecordType } from 'dns-packet';
import { firstHost } from '../../src/cni/config-list.ts';
import { kubectl, waitUntil } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `dns-${hex}`;
const NS = 'dnstest';
const ZONE = 'cluster.local';
let cluster: UpCluster;
let gateway: string;
// The cluster's upstream resolver: a stand-in on a loopback address of its own, port 53 (what a
// resolv.conf can name), knowing one name; never the host's real resolver.
const UPSTREAM = `127.53.${randomBytes(1)[0]! % 250 + 1}.${randomBytes(1)[0]! % 250 + 1}`;
const UPSTREAM_NAME = 'upstream.test';
const UPSTREAM_IP = '203.0.113.9';
const resolvConf = join(tmpdir(), `skiff-e2e-dns-${hex}.resolv.conf`);
let upstreamUdp: UdpSocket | undefined;
let upstreamTcp: Server | undefined;

function upstreamAnswer(raw: Buffer): Buffer {
  const q = dnsPacket.decode(raw);
  const question = q.questions?.[0];
  const known = question?.name.toLowerCase() === UPSTREAM_NAME;
  return dnsPacket.encode({
    id: q.id ?? 0, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
    questions: q.questions ?? [],
    answers: known && question?.type === 'A' ? [{ name: question.name, type: 'A', ttl: 30, data: UPSTREAM_IP }] : [],
  });
}

async function startUpstream(): Promise<void> {
  const udp = createSocket('udp4');
  udp.on('message', (m, r) => udp.send(upstreamAnswer(m), r.port, r.address));
  await new Promise<void>((res) => udp.bind(53, UPSTREAM, () => res()));
  upstreamUdp = udp;
  const tcp = createServer((s) => {
    s.on('error', () => s.destroy());
    s.once('data', (b: Buffer) => s.end(dnsPacket.streamEncode(dnsPacket.decode(upstreamAnswer(b.subarray(2))))));
  });
  await new Promise<void>((res) => tcp.listen(53, UPSTREAM, () => res()));
  upstreamTcp = tcp;
  await writeFile(resolvConf, `nameserver ${UPSTREAM}\n`);
}

const manifests = (gateway: string): string => `apiVersion: v1
kind: Namespace
metadata: { name: ${NS} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - { name: httpd, image: busybox, command: ["httpd", "-f", "-p", "8080", "-h", "/etc"], ports: [{ name: http, containerPort: 8080 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: pet, namespace: ${NS}, labels: { app: web } }
spec:
  hostname: pet-0
  subdomain: web-headless
  terminationGracePeriodSeconds: 1
  containers:
  - { name: httpd, image: busybox, command: ["httpd", "-f", "-p", "8080", "-h", "/etc"] }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: ${NS} }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - { name: main, image: busybox, command: ["sleep", "3600"] }
---
apiVersion: v1
kind: Pod
metadata: { name: client-gw, namespace: ${NS} }
spec:
  terminationGracePeriodSeconds: 1
  dnsPolicy: None
  dnsConfig:
    nameservers: [${gateway}]
    searches: [${NS}.svc.${ZONE}, svc.${ZONE}, ${ZONE}]
    options: [{ name: ndots, value: "5" }]
  containers:
  - { name: main, image: busybox, command: ["sleep", "3600"] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${NS} }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web-headless, namespace: ${NS} }
spec:
  clusterIP: None
  selector: { app: web }
  ports: [{ name: http, port: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: alias, namespace: ${NS} }
spec:
  type: ExternalName
  externalName: web.${NS}.svc.${ZONE}
---
apiVersion: v1
kind: Service
metadata: { name: ext, namespace: ${NS} }
spec:
  type: ExternalName
  externalName: ${UPSTREAM_NAME}
`;

async function k(args: string[], input?: string): Promise<string> {
  const r = await kubectl('1.33', cluster.server, args, { ...(input !== undefined ? { input } : {}), timeoutMs: 90_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * nslookup in a client pod; the server defaults to the pod's resolv.conf nameserver. busybox's
 * nslookup applies the resolv.conf search path only then, not with a server argument.
 */
async function nslookup(args: string[], pod = 'client'): Promise<{ code: number; out: string }> {
  const r = await kubectl('1.33', cluster.server, ['exec', '-n', NS, pod, '--', 'nslookup', ...args], { timeoutMs: 30_000 });
  return { code: r.code, out: r.stdout + r.stderr };
}

/** The `Address:` lines of nslookup's answer part (after the `Name:` line; the server's own comes first). */
function addresses(out: string): string[] {
  const i = out.indexOf('Name:');
  if (i < 0) return [];
  return [...out.slice(i).matchAll(/Address(?: \d+)?:\s*([0-9.]+)/g)].map((m) => m[1]!).sort();
}

async function udpAsk(name: string, type: RecordType): Promise<DecodedPacket> {
  const q = dnsPacket.encode({ type: 'query', id: 4321, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error(`no answer for ${name}`)); }, 3000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(q, 53, gateway);
  });
  return dnsPacket.decode(raw);
}

async function tcpAsk(name: string, type: RecordType): Promise<DecodedPacket> {
  const q = dnsPacket.streamEncode({ type: 'query', id: 99, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
  return new Promise((resolve, reject) => {
    const s = new Socket();
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { s.destroy(); resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)))); }
    });
    s.connect(53, gateway, () => s.write(q));
  });
}

function data(answers: Answer[] | undefined, type: string): unknown[] {
  return (answers ?? []).filter((a) => a.type === type).map((a) => (a as { data: unknown }).data);
}

function rcode(m: DecodedPacket): string {
  return (m as DecodedPacket & { rcode: string }).rcode;
}

let clusterIP = '';
let podIPs: string[] = [];
let petIP = '';

before(async () => {
  await startUpstream();
  cluster = await startUpCluster({ label: 'dns', nodeName, cgroupRoot: `/skiff-e2e-dns-${hex}`, bridge: `skiffy${hex}`, subnetBase: 32, extraArgs: ['--resolv-conf', resolvConf] });
  gateway = firstHost(cluster.subnet);
  await k(['apply', '-f', '-'], manifests(gateway));
  await k(['wait', '-n', NS, '--for=condition=Ready', 'pod', '--all', '--timeout=80s']);
  clusterIP = (await k(['get', 'svc', '-n', NS, 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  podIPs = (await k(['get', 'pods', '-n', NS, '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'])).trim().split(/\s+/).sort();
  petIP = (await k(['get', 'pod', '-n', NS, 'pet', '-o', 'jsonpath={.status.podIP}'])).trim();
  assert.equal(podIPs.length, 3);
  // The node's DNS has seen the endpoints once the headless name answers with all three pods.
  await waitUntil(async () => data((await udpAsk(`web-headless.${NS}.svc.${ZONE}`, 'A').catch(() => undefined))?.answers, 'A').length === 3, 30_000, 'headless endpoints in DNS');
});

after(async () => {
  await cluster?.stop();
  upstreamUdp?.close();
  await new Promise<void>((r) => (upstreamTcp ? upstreamTcp.close(() => r()) : r()));
  await rm(resolvConf, { force: true });
});

describe('cluster DNS', () => {
  test('the node publishes kube-system/kube-dns-<node>: its gateway address, ports dns and dns-tcp, owned by its Node', async () => {
    const slice = JSON.parse(await k(['get', 'endpointslice', '-n', 'kube-system', `kube-dns-${nodeName}`, '-o', 'json'])) as {
      metadata: { labels: Record<string, string>; ownerReferences: Array<{ kind: string; name: string }> };
      endpoints: Array<{ addresses: string[]; nodeName: string; conditions: { ready: boolean } }>;
      ports: Array<{ name: string; protocol: string; port: number }>;
    };
    assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'kube-dns');
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'skiff-node-dns');
    assert.deepEqual(slice.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`), [`Node/${nodeName}`]);
    assert.deepEqual(slice.endpoints.map((e) => [e.addresses, e.nodeName, e.conditions.ready]), [[[gateway], nodeName, true]]);
    assert.deepEqual(slice.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).sort(), ['dns-tcp/TCP/53', 'dns/UDP/53']);
  });

  test('DNS, cluster: a ClusterFirst pod gets the cluster DNS address, the search path and ndots:5', async () => {
    const resolv = await k(['exec', '-n', NS, 'client', '--', 'cat', '/etc/resolv.conf']);
    assert.equal(resolv, `search ${NS}.svc.${ZONE} svc.${ZONE} ${ZONE}\nnameserver ${cluster.clusterDNS}\noptions ndots:5\n`);
  });

  test('DNS, custom dnsConfig / PQDN for services: a pod whose dnsConfig names the node DNS finds the Service by short name and FQDN', async () => {
    const resolv = await k(['exec', '-n', NS, 'client-gw', '--', 'cat', '/etc/resolv.conf']);
    assert.match(resolv, new RegExp(`nameserver ${gateway.replaceAll('.', '\\.')}`));
    // busybox's nslookup applies the search path to dotless names only; it asks every candidate and
    // exits 1 when any is NXDOMAIN, as most are: what counts is the candidate that answered.
    for (const name of ['web', `web.${NS}.svc.${ZONE}`]) {
      const r = await nslookup([name], 'client-gw');
      assert.match(r.out, new RegExp(`Name:\\s+web\\.${NS}\\.svc\\.${ZONE}\\n`), `${name}: ${r.out}`);
      assert.deepEqual(addresses(r.out), [clusterIP], name);
    }
    const headless = await nslookup(['web-headless'], 'client-gw');
    assert.deepEqual(addresses(headless.out), podIPs);
  });

  test('DNS, services: a headless Service resolves to its ready pods’ IPs', async () => {
    const r = await nslookup([`web-headless.${NS}.svc.${ZONE}`, gateway]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(addresses(r.out), podIPs);
  });

  test('DNS, resolve the subdomain: hostname.subdomain.ns.svc is the pod with that hostname', async () => {
    const r = await nslookup([`pet-0.web-headless.${NS}.svc.${ZONE}`, gateway]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(addresses(r.out), [petIP]);
  });

  test('DNS, for ExternalName Services: a CNAME to the external name, its address from upstream', async () => {
    const r = await nslookup([`ext.${NS}.svc.${ZONE}`, gateway]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`ext\\.${NS}\\.svc\\.${ZONE}\\s+canonical name = ${UPSTREAM_NAME}`));
    assert.deepEqual(addresses(r.out), [UPSTREAM_IP]);
    // A name inside the cluster is followed by the cluster DNS itself.
    const alias = await nslookup([`alias.${NS}.svc.${ZONE}`, gateway]);
    assert.equal(alias.code, 0, alias.out);
    assert.match(alias.out, new RegExp(`alias\\.${NS}\\.svc\\.${ZONE}\\s+canonical name = web\\.${NS}\\.svc\\.${ZONE}`));
    assert.deepEqual(addresses(alias.out), [clusterIP]);
  });

  test('names outside the cluster domain are forwarded to the resolv.conf nameservers', async () => {
    const r = await nslookup([UPSTREAM_NAME, gateway]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(addresses(r.out), [UPSTREAM_IP]);
    const nx = await udpAsk('nothing.test', 'A');
    assert.equal(rcode(nx), 'NXDOMAIN');
  });

  test('SRV for a named port: nslookup -type=srv from the pod, and the records from the host', async () => {
    const r = await nslookup(['-type=srv', `_http._tcp.web.${NS}.svc.${ZONE}`, gateway]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`_http\\._tcp\\.web\\.${NS}\\.svc\\.${ZONE}\\s+service = 0 100 80 web\\.${NS}\\.svc\\.${ZONE}`));
    // Over TCP: three SRV records and their A records do not fit 512 bytes (dns-packet does not compress names).
    const srv = await tcpAsk(`_http._tcp.web-headless.${NS}.svc.${ZONE}`, 'SRV');
    assert.equal(rcode(srv), 'NOERROR');
    const targets = data(srv.answers, 'SRV').map((d) => `${(d as { target: string }).target}:${(d as { port: number }).port}`).sort();
    const petTarget = `pet-0.web-headless.${NS}.svc.${ZONE}:8080`;
    assert.ok(targets.includes(petTarget), targets.join(' '));
    assert.equal(targets.length, 3);
    assert.deepEqual(data(srv.additionals, 'A').sort(), podIPs);
  });

  test('pods by address, NXDOMAIN and NODATA, TCP, PTR', async () => {
    const pod = await udpAsk(`${petIP.replaceAll('.', '-')}.${NS}.pod.${ZONE}`, 'A');
    assert.deepEqual(data(pod.answers, 'A'), [petIP]);
    const nx = await udpAsk(`nope.${NS}.svc.${ZONE}`, 'A');
    assert.equal(rcode(nx), 'NXDOMAIN');
    assert.equal(nx.authorities?.[0]?.type, 'SOA');
    const nodata = await tcpAsk(`web.${NS}.svc.${ZONE}`, 'AAAA');
    assert.equal(rcode(nodata), 'NOERROR');
    assert.deepEqual(nodata.answers, []);
    assert.equal(nodata.authorities?.[0]?.type, 'SOA');
    const ptr = await tcpAsk(`${clusterIP.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
    assert.deepEqual(data(ptr.answers, 'PTR'), [`web.${NS}.svc.${ZONE}`]);
  });

  test('a Service that goes away leaves DNS at once', async () => {
    await k(['create', 'service', 'clusterip', 'brief', '-n', NS, '--tcp', '81:8080']);
    await waitUntil(async () => data((await udpAsk(`brief.${NS}.svc.${ZONE}`, 'A')).answers, 'A').length === 1, 10_000, 'brief in DNS');
    await k(['delete', 'service', 'brief', '-n', NS]);
    await waitUntil(async () => rcode(await udpAsk(`brief.${NS}.svc.${ZONE}`, 'A')) === 'NXDOMAIN', 10_000, 'brief gone from DNS');
  });

  test('a namespace without Services exists (NODATA), one that does not is NXDOMAIN', async () => {
    await k(['create', 'namespace', 'dns-empty']);
    await waitUntil(async () => rcode(await udpAsk(`dns-empty.svc.${ZONE}`, 'A')) === 'NOERROR', 10_000, 'dns-empty in DNS');
    const nodata = await udpAsk(`dns-empty.svc.${ZONE}`, 'A');
    assert.deepEqual(nodata.answers, []);
    assert.equal(nodata.authorities?.[0]?.type, 'SOA');
    assert.equal(rcode(await udpAsk(`dns-nowhere.svc.${ZONE}`, 'A')), 'NXDOMAIN');
  });

  test('the node puts its kube-dns EndpointSlice back when it is deleted', async () => {
    const uid = async (): Promise<string> => {
      const r = await kubectl('1.33', cluster.server, ['get', 'endpointslice', '-n', 'kube-system', `kube-dns-${nodeName}`, '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 ? r.stdout.trim() : '';
    };
    const before = await uid();
    assert.notEqual(before, '');
    await k(['delete', 'endpointslice', '-n', 'kube-system', `kube-dns-${nodeName}`]);
    await waitUntil(async () => { const now = await uid(); return now !== '' && now !== before; }, 15_000, 'kube-dns slice recreated');
  });

  test('DNS, cluster: through the kube-dns ClusterIP, as pods resolve by default (the proxy leads it to this node’s DNS)', async () => {
    // As above: busybox tries every search-path candidate and exits 1 for the NXDOMAIN ones.
    const lookups: Array<[string, string, string[] | number]> = [
      ['web', `web.${NS}.svc.${ZONE}`, [clusterIP]],
      ['web-headless', `web-headless.${NS}.svc.${ZONE}`, podIPs],
      [`kubernetes.default.svc.${ZONE}`, `kubernetes.default.svc.${ZONE}`, 1],
    ];
    for (const [asked, found, want] of lookups) {
      const r = await nslookup([asked]);
      assert.match(r.out, new RegExp(`Server:\\s+${cluster.clusterDNS.replaceAll('.', '\\.')}\\n`), r.out);
      assert.match(r.out, new RegExp(`Name:\\s+${found.replaceAll('.', '\\.')}\\n`), `${asked}: ${r.out}`);
      if (typeof want === 'number') assert.equal(addresses(r.out).length, want, r.out);
      else assert.deepEqual(addresses(r.out), want, asked);
    }
  });
});
