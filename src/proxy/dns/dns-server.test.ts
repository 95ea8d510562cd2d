import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, Socket, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { ClusterZone } from './cluster-zone.ts';
import { DnsServer } from './dns-server.ts';
import { Forwarder, parseResolvConf } from './forwarder.ts';
import { RecordIndex } from './record-index.ts';
import type { EndpointSlice } from './types.ts';

const RD = dnsPacket.RECURSION_DESIRED;

function query(name: string, type: 'A' | 'AAAA' | 'SRV' | 'TXT' | 'PTR' | 'CNAME', opts: { id?: number; edns?: number } = {}): Packet {
  return {
    type: 'query', id: opts.id ?? Math.floor(Math.random() * 65536), flags: RD,
    questions: [{ name, type, class: 'IN' }],
    ...(opts.edns ? { additionals: [{ name: '.', type: 'OPT', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {}),
  };
}

function udpExchange(port: number, msg: Buffer, timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('udp timeout')); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, port, '127.0.0.1');
  });
}

async function udpQuery(port: number, p: Packet): Promise<{ raw: Buffer; msg: DecodedPacket }> {
  const raw = await udpExchange(port, dnsPacket.encode(p));
  return { raw, msg: dnsPacket.decode(raw) };
}

function frame(b: Buffer): Buffer {
  const h = Buffer.alloc(2);
  h.writeUInt16BE(b.length, 0);
  return Buffer.concat([h, b]);
}

/** Writes `chunks` on one connection and collects `count` framed answers. */
function tcpExchange(port: number, chunks: Buffer[], count: number): Promise<DecodedPacket[]> {
  return new Promise((resolve, reject) => {
    const s = new Socket();
    let buf = Buffer.alloc(0);
    const out: DecodedPacket[] = [];
    s.on('error', reject);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === count) { s.destroy(); resolve(out); }
    });
    s.connect(port, '127.0.0.1', () => {
      void (async () => {
        for (const c of chunks) {
          s.write(c);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
    });
  });
}

function rcode(m: DecodedPacket): string {
  return (m as DecodedPacket & { rcode: string }).rcode;
}

function data(answers: Answer[] | undefined, type?: string): unknown[] {
  return (answers ?? []).filter((a) => type === undefined || a.type === type).map((a) => (a as { data: unknown }).data);
}

/** A stand-in upstream resolver on 127.0.0.1: fixed answers, a TC bit for `big.test` over UDP, nothing for `silent.test`. */
class FakeUpstream {
  udp: UdpSocket = createSocket('udp4');
  tcp: Server = createServer((s) => this.#onTcp(s));
  port = 0;
  seen: string[] = [];

  async start(): Promise<void> {
    await new Promise<void>((r) => this.tcp.listen(0, '127.0.0.1', () => r()));
    this.port = (this.tcp.address() as { port: number }).port;
    await new Promise<void>((r) => this.udp.bind(this.port, '127.0.0.1', () => r()));
    this.udp.on('message', (m, rinfo) => {
      const out = this.#answer(m, 'udp');
      if (out) this.udp.send(out, rinfo.port, rinfo.address);
    });
  }

  #onTcp(s: Socket): void {
    let buf = Buffer.alloc(0);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const out = this.#answer(buf.subarray(2, 2 + buf.readUInt16BE(0)), 'tcp');
        if (out) s.write(frame(out));
      }
    });
  }

  #answer(raw: Buffer, transport: string): Buffer | undefined {
    const q = dnsPacket.decode(raw);
    const name = q.questions?.[0]?.name ?? '';
    this.seen.push(`${transport}:${name}`);
    if (name === 'silent.test') return undefined;
    const base = { id: q.id ?? 0, type: 'response' as const, flags: RD | dnsPacket.RECURSION_AVAILABLE, questions: q.questions ?? [] };
    if (name === 'big.test' && transport === 'udp') return dnsPacket.encode({ ...base, flags: base.flags | dnsPacket.TRUNCATED_RESPONSE });
    if (name === 'big.test') return dnsPacket.encode({ ...base, answers: Array.from({ length: 40 }, (_, i) => ({ name, type: 'A' as const, ttl: 60, data: `203.0.113.${i + 1}` })) });
    if (name === 'www.example.com') return dnsPacket.encode({ ...base, answers: [{ name, type: 'A', ttl: 60, data: '203.0.113.7' }] });
    return dnsPacket.encode({ ...base, flags: base.flags | 3 });
  }

  async stop(): Promise<void> {
    this.udp.close();
    await new Promise<void>((r) => this.tcp.close(() => r()));
  }
}

function headlessSlice(n: number): EndpointSlice {
  return {
    metadata: { namespace: 'default', name: 'many-1', labels: { 'kubernetes.io/service-name': 'many' } }, addressType: 'IPv4',
    endpoints: Array.from({ length: n }, (_, i) => ({ addresses: [`10.42.1.${i + 1}`], conditions: { ready: true } })),
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
  };
}

describe('DnsServer on 127.0.0.1', () => {
  const index = new RecordIndex();
  index.upsertNamespace('default');
  index.upsertService({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.43.0.20', ports: [{ name: 'http', protocol: 'TCP', port: 80 }] } });
  index.upsertService({ metadata: { namespace: 'default', name: 'many' }, spec: { clusterIP: 'None', ports: [{ name: 'http', protocol: 'TCP', port: 80 }] } });
  index.upsertSlice(headlessSlice(60));
  index.upsertService({ metadata: { namespace: 'default', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'www.example.com' } });
  const upstream = new FakeUpstream();
  let server: DnsServer;
  let port = 0;
  const ac = new AbortController();
  let running: Promise<void>;

  before(async () => {
    await upstream.start();
    const dead = createSocket('udp4');
    await new Promise<void>((r) => dead.bind(0, '127.0.0.1', () => r()));
    const deadPort = dead.address().port;
    dead.close();
    server = new DnsServer({
      zone: new ClusterZone(index),
      // The first upstream does not exist (its port is closed): the forwarder moves on to the next.
      forwarder: new Forwarder({ upstreams: [{ address: '127.0.0.1', port: deadPort }, { address: '127.0.0.1', port: upstream.port }], timeoutMs: 300 }),
      address: '127.0.0.1', port: 0,
    });
    running = server.run(ac.signal);
    port = (await server.listen()).port;
  });

  after(async () => {
    ac.abort();
    await running;
    await upstream.stop();
  });

  test('UDP: an authoritative answer keeps the id, echoes RD, sets AA and RA, names compared without case', async () => {
    const { msg } = await udpQuery(port, query('WEB.default.svc.Cluster.Local', 'A', { id: 4242 }));
    assert.equal(msg.id, 4242);
    assert.equal(msg.type, 'response');
    assert.ok(msg.flag_aa && msg.flag_rd && msg.flag_ra && !msg.flag_tc);
    assert.equal(rcode(msg), 'NOERROR');
    assert.deepEqual(msg.questions, [{ name: 'WEB.default.svc.Cluster.Local', type: 'A', class: 'IN' }]);
    assert.deepEqual(data(msg.answers), ['10.43.0.20']);
    assert.equal((msg.answers?.[0] as { ttl?: number } | undefined)?.ttl, 5);
  });

  test('UDP: NXDOMAIN and NODATA carry the SOA in the authority section', async () => {
    const nx = (await udpQuery(port, query('nope.default.svc.cluster.local', 'A'))).msg;
    assert.equal(rcode(nx), 'NXDOMAIN');
    assert.deepEqual(nx.answers, []);
    assert.equal(nx.authorities?.[0]?.type, 'SOA');
    const nodata = (await udpQuery(port, query('web.default.svc.cluster.local', 'AAAA'))).msg;
    assert.equal(rcode(nodata), 'NOERROR');
    assert.deepEqual(nodata.answers, []);
    assert.equal(nodata.authorities?.[0]?.type, 'SOA');
  });

  test('UDP: more than 512 bytes without EDNS0 is truncated with TC; EDNS0 buffer size is honoured', async () => {
    const plain = await udpQuery(port, query('many.default.svc.cluster.local', 'A'));
    assert.ok(plain.raw.length <= 512, `${plain.raw.length} bytes`);
    assert.ok(plain.msg.flag_tc);
    assert.ok((plain.msg.answers?.length ?? 0) > 0 && (plain.msg.answers?.length ?? 0) < 60);
    const edns = await udpQuery(port, query('many.default.svc.cluster.local', 'A', { edns: 4096 }));
    assert.ok(!edns.msg.flag_tc);
    assert.equal(edns.msg.answers?.length, 60);
    assert.equal(edns.msg.additionals?.find((a) => a.type === 'OPT')?.type, 'OPT');
    const small = await udpQuery(port, query('many.default.svc.cluster.local', 'A', { edns: 1000 }));
    assert.ok(small.raw.length <= 1000 && small.raw.length > 512 && small.msg.flag_tc);
  });

  test('TCP: the whole answer, several queries on one connection, frames split across writes', async () => {
    const q1 = dnsPacket.encode(query('many.default.svc.cluster.local', 'A', { id: 1 }));
    const q2 = dnsPacket.encode(query('web.default.svc.cluster.local', 'A', { id: 2 }));
    const q3 = dnsPacket.encode(query('_http._tcp.web.default.svc.cluster.local', 'SRV', { id: 3 }));
    const all = Buffer.concat([frame(q1), frame(q2), frame(q3)]);
    // q1 and q2 in one write, q3 split in the middle of its length prefix and of its body.
    const cut1 = frame(q1).length + frame(q2).length + 1;
    const answers = await tcpExchange(port, [all.subarray(0, cut1), all.subarray(cut1, cut1 + 5), all.subarray(cut1 + 5)], 3);
    const byId = new Map(answers.map((a) => [a.id, a]));
    assert.equal(byId.get(1)?.answers?.length, 60);
    assert.ok(!byId.get(1)?.flag_tc);
    assert.deepEqual(data(byId.get(2)?.answers), ['10.43.0.20']);
    assert.deepEqual(data(byId.get(3)?.answers, 'SRV'), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
    assert.deepEqual(data(byId.get(3)?.additionals, 'A'), ['10.43.0.20']);
  });

  test('other names are forwarded upstream (past an upstream that does not answer)', async () => {
    const { msg } = await udpQuery(port, query('www.example.com', 'A', { id: 77 }));
    assert.equal(msg.id, 77);
    assert.equal(rcode(msg), 'NOERROR');
    assert.deepEqual(data(msg.answers), ['203.0.113.7']);
    const nx = (await udpQuery(port, query('nope.test', 'A'))).msg;
    assert.equal(rcode(nx), 'NXDOMAIN');
  });

  test('a truncated upstream answer is fetched again over TCP, then fitted to the client', async () => {
    upstream.seen.length = 0;
    const viaTcp = await tcpExchange(port, [frame(dnsPacket.encode(query('big.test', 'A', { id: 9 })))], 1);
    assert.equal(viaTcp[0]?.answers?.length, 40);
    assert.deepEqual(upstream.seen, ['udp:big.test', 'tcp:big.test']);
    const viaUdp = await udpQuery(port, query('big.test', 'A'));
    assert.ok(viaUdp.raw.length <= 512 && viaUdp.msg.flag_tc);
  });

  test('an upstream that never answers gives SERVFAIL', async () => {
    const { msg } = await udpQuery(port, query('silent.test', 'A'));
    assert.equal(rcode(msg), 'SERVFAIL');
  });

  test('ExternalName: the CNAME, then the target’s records from upstream', async () => {
    const { msg } = await udpQuery(port, query('ext.default.svc.cluster.local', 'A'));
    assert.equal(rcode(msg), 'NOERROR');
    assert.deepEqual(msg.answers?.map((a) => [a.type, (a as { data: unknown }).data]), [['CNAME', 'www.example.com'], ['A', '203.0.113.7']]);
  });

  test('answers follow index changes (the encoded-answer cache is dropped)', async () => {
    assert.deepEqual(data((await udpQuery(port, query('web.default.svc.cluster.local', 'A'))).msg.answers), ['10.43.0.20']);
    index.upsertService({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.43.0.21' } });
    assert.deepEqual(data((await udpQuery(port, query('web.default.svc.cluster.local', 'A'))).msg.answers), ['10.43.0.21']);
  });

  test('garbage is answered FORMERR; a response is not answered', async () => {
    const bad = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
    const out = await udpExchange(port, bad);
    assert.equal(out.readUInt16BE(0), 0x1234);
    assert.equal(out.readUInt16BE(2) & 0x800f, 0x8001);
    const resp = dnsPacket.encode({ ...query('web.default.svc.cluster.local', 'A'), type: 'response' });
    await assert.rejects(udpExchange(port, resp, 300), /udp timeout/);
  });
});

test('parseResolvConf: nameservers in order, port 53, comments and options ignored', () => {
  assert.deepEqual(parseResolvConf('# x\nsearch a b\nnameserver 10.0.0.1\nnameserver fe80::1%eth0 ; c\noptions ndots:5\nnameserver bogus\n'), [
    { address: '10.0.0.1', port: 53 }, { address: 'fe80::1', port: 53 },
  ]);
});

test('listen fails while the port is taken and succeeds once it is free', async () => {
  const holder = createSocket('udp4');
  await new Promise<void>((r) => holder.bind(0, '127.0.0.1', () => r()));
  const port = holder.address().port;
  const server = new DnsServer({ zone: new ClusterZone(new RecordIndex()), address: '127.0.0.1', port });
  await assert.rejects(server.listen(), /EADDRINUSE/);
  await new Promise<void>((r) => holder.close(() => r()));
  assert.deepEqual(await server.listen(), { address: '127.0.0.1', port });
  await server.close();
});
