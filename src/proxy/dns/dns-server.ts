// The cluster DNS server: DNS over UDP and TCP (RFC 1035 §4.2, RFC 7766: 2-byte length framing,
// several queries per connection answered as they complete) in front of the cluster zone and the
// upstream forwarder. Answers of the zone are kept, encoded, until the record index changes, so a
// repeated question costs a map lookup and an id rewrite (the part CoreDNS's cache plugin plays).
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, RecordType } from 'dns-packet';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ClusterZone } from './cluster-zone.ts';
import type { Forwarder } from './forwarder.ts';
import { buildResponse, encodeWithin, headerOnlyError, isQueryOpcode, optOf, rcodeOf, TCP_MAX, udpLimit, type RcodeName } from './message.ts';

export interface DnsServerOptions {
  zone: ClusterZone;
  /** Upstream resolvers for names outside the zone; without one they are answered SERVFAIL. */
  forwarder?: Forwarder;
  /** Default 127.0.0.1. */
  address?: string;
  /** Default 53; 0 picks a free port, the same for UDP and TCP. */
  port?: number;
  /** A TCP connection with nothing to read or write for this long is closed. Default 10 s. */
  tcpIdleTimeoutMs?: number;
  log?: Logger;
}

type Transport = 'udp' | 'tcp';

/** Encoded answers kept at most (then the cache starts over). */
const CACHE_MAX = 10_000;
const RCODE_NAMES: RcodeName[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export class DnsServer {
  readonly #zone: ClusterZone;
  readonly #forwarder: Forwarder | undefined;
  readonly #address: string;
  readonly #port: number;
  readonly #idleMs: number;
  readonly #log: Logger | undefined;
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;
  readonly #conns = new Set<Socket>();
  #listening: Promise<{ address: string; port: number }> | undefined;
  readonly #cache = new Map<string, Buffer>();
  #cacheGeneration = -1;
  /** Queries answered, by transport (for tests and the bench). */
  readonly stats = { udp: 0, tcp: 0, forwarded: 0, cached: 0 };

  constructor(opts: DnsServerOptions) {
    this.#zone = opts.zone;
    this.#forwarder = opts.forwarder;
    this.#address = opts.address ?? '127.0.0.1';
    this.#port = opts.port ?? 53;
    this.#idleMs = opts.tcpIdleTimeoutMs ?? 10_000;
    this.#log = opts.log;
  }

  /** Bind UDP and TCP; resolves with the address and port both listen on. */
  listen(): Promise<{ address: string; port: number }> {
    // A failed bind is not remembered: the caller may try again (the address may come later).
    this.#listening ??= this.#bind().catch((err: unknown) => {
      this.#listening = undefined;
      throw err;
    });
    return this.#listening;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await this.listen();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await this.close();
  }

  async close(): Promise<void> {
    for (const c of this.#conns) c.destroy();
    this.#conns.clear();
    const udp = this.#udp;
    const tcp = this.#tcp;
    this.#udp = undefined;
    this.#tcp = undefined;
    await Promise.all([
      udp ? new Promise<void>((r) => udp.close(() => r())) : undefined,
      tcp ? new Promise<void>((r) => tcp.close(() => r())) : undefined,
    ]);
  }

  async #bind(): Promise<{ address: string; port: number }> {
    // With port 0 the TCP port is chosen first and UDP asked for the same one; another socket may
    // hold that UDP port, so try a few times.
    for (let attempt = 0; ; attempt++) {
      const tcp = createServer((s) => this.#accept(s));
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: this.#address, port: this.#port, exclusive: true }, () => { tcp.off('error', reject); resolve(); });
      });
      const addr = tcp.address();
      const port = typeof addr === 'object' && addr ? addr.port : this.#port;
      const family = isIPv6(this.#address) ? 6 : 4;
      // Replies go to the address a query came from, always a literal: skip dns.lookup's round
      // through the event loop on every send.
      const udp = createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: (host, _opts, cb) => cb(null, host, family) });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind({ address: this.#address, port, exclusive: true }, () => { udp.off('error', reject); resolve(); });
        });
      } catch (err) {
        udp.close();
        await new Promise<void>((r) => tcp.close(() => r()));
        if (this.#port === 0 && attempt < 5) continue;
        throw err;
      }
      try { udp.setRecvBufferSize(4 << 20); } catch { /* capped by net.core.rmem_max; the default will do */ }
      udp.on('message', (msg, rinfo) => this.#onDatagram(udp, msg, rinfo.port, rinfo.address));
      udp.on('error', (err) => this.#log?.warn({ err: err.message }, 'dns udp socket error'));
      tcp.on('error', (err) => this.#log?.warn({ err: err.message }, 'dns tcp server error'));
      this.#udp = udp;
      this.#tcp = tcp;
      return { address: this.#address, port };
    }
  }

  // The cached path allocates no closure: at tens of thousands of queries a second, per-message
  // function objects are a measurable share of the server's CPU.
  #onDatagram(udp: UdpSocket, msg: Buffer, port: number, address: string): void {
    this.stats.udp++;
    const cached = this.#fromCache(msg, 'udp');
    if (cached) udp.send(cached, port, address);
    else void this.#answerDatagram(udp, msg, port, address);
  }

  async #answerDatagram(udp: UdpSocket, msg: Buffer, port: number, address: string): Promise<void> {
    try {
      const out = await this.handle(msg, 'udp');
      if (out && this.#udp === udp) udp.send(out, port, address);
    } catch (err) {
      this.#log?.warn({ err: (err as Error).message }, 'dns query failed');
    }
  }

  #accept(sock: Socket): void {
    this.#conns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(this.#idleMs, () => sock.destroy());
    sock.on('close', () => this.#conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        this.stats.tcp++;
        const write = (out: Buffer | undefined): void => {
          if (!out || sock.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length, 0);
          sock.write(Buffer.concat([head, out]));
        };
        const cached = this.#fromCache(msg, 'tcp');
        if (cached) write(cached);
        else this.handle(msg, 'tcp').then(write, () => sock.destroy());
      }
    });
  }

  #cacheKey(raw: Buffer, transport: Transport): string {
    return (transport === 'udp' ? 'u' : 't') + raw.toString('latin1', 2);
  }

  #fromCache(raw: Buffer, transport: Transport): Buffer | undefined {
    if (raw.length < 12 || this.#cacheGeneration !== this.#zone.index.generation) return undefined;
    const hit = this.#cache.get(this.#cacheKey(raw, transport));
    if (!hit) return undefined;
    this.stats.cached++;
    const out = Buffer.from(hit);
    raw.copy(out, 0, 0, 2);
    return out;
  }

  #toCache(raw: Buffer, transport: Transport, out: Buffer, generation: number): void {
    if (this.#cacheGeneration !== generation) {
      this.#cache.clear();
      this.#cacheGeneration = generation;
    }
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(this.#cacheKey(raw, transport), out);
  }

  /** The encoded answer to one raw message, or undefined when it deserves none. */
  async handle(raw: Buffer, transport: Transport): Promise<Buffer | undefined> {
    if (raw.length < 12 || (raw.readUInt16BE(2) & 0x8000) !== 0) return undefined;
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      return headerOnlyError(raw, 'FORMERR');
    }
    const limit = transport === 'udp' ? udpLimit(query) : TCP_MAX;
    if (!isQueryOpcode(query.flags ?? 0)) return encodeWithin(buildResponse(query, { rcode: 'NOTIMP', authoritative: false }), limit);
    const question = query.questions?.[0];
    if (!question || query.questions?.length !== 1) return encodeWithin(buildResponse(query, { rcode: 'FORMERR', authoritative: false }), limit);
    const opt = optOf(query);
    if (opt && opt.ednsVersion > 0) {
      // RFC 6891 §6.1.3: BADVERS (16) is the OPT's extended rcode 1 over a header rcode of 0.
      const resp = buildResponse(query, { rcode: 'NOERROR', authoritative: false });
      for (const a of resp.additionals ?? []) if (a.type === 'OPT') a.extendedRcode = 1;
      return encodeWithin(resp, limit);
    }

    const generation = this.#zone.index.generation;
    const result = this.#zone.resolve(question.name, question.type);
    if (result.kind === 'forward') return this.#forward(raw, query, limit);

    const { answer } = result;
    let rcode: RcodeName = answer.rcode;
    let answers: Answer[] = answer.answers;
    let authorities: Answer[] = answer.authorities;
    if (answer.chase !== undefined) {
      // An ExternalName's target is resolved upstream and its records follow the CNAME, as
      // CoreDNS does for the A and AAAA of an external CNAME target.
      const upstream = await this.#lookupUpstream(answer.chase, question.type);
      if (upstream) {
        answers = [...answers, ...(upstream.answers ?? [])];
        authorities = upstream.authorities ?? [];
        rcode = RCODE_NAMES[rcodeOf(upstream.flags ?? 0)] ?? 'NOERROR';
      }
    }
    const out = encodeWithin(buildResponse(query, { rcode, authoritative: true, answers, authorities, additionals: answer.additionals }), limit);
    if (answer.chase === undefined) this.#toCache(raw, transport, out, generation);
    return out;
  }

  async #forward(raw: Buffer, query: DecodedPacket, limit: number): Promise<Buffer> {
    this.stats.forwarded++;
    const reply = await this.#forwarder?.exchange(raw);
    if (!reply) return encodeWithin(buildResponse(query, { rcode: 'SERVFAIL', authoritative: false }), limit);
    if (reply.length <= limit) return reply;
    try {
      return encodeWithin(dnsPacket.decode(reply), limit);
    } catch {
      return encodeWithin(buildResponse(query, { rcode: 'SERVFAIL', authoritative: false }), limit);
    }
  }

  async #lookupUpstream(name: string, type: RecordType): Promise<DecodedPacket | undefined> {
    if (!this.#forwarder) return undefined;
    const q = dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
    const reply = await this.#forwarder.exchange(q);
    if (!reply) return undefined;
    try {
      return dnsPacket.decode(reply);
    } catch {
      return undefined;
    }
  }
}
