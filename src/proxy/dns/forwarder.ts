// Names outside the cluster domain go to the resolvers of a resolv.conf, as CoreDNS's forward
// plugin (`forward . /etc/resolv.conf`) does: UDP first, TCP when the answer comes back truncated,
// each upstream in turn until one answers within the timeout.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { isIP, isIPv6, Socket } from 'node:net';
import { TCP_MAX } from './message.ts';

export interface Upstream {
  address: string;
  port: number;
}

/** The nameservers of a resolv.conf (resolv.conf(5): `nameserver ADDR`, port 53), in order. */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const fields = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (fields[0] !== 'nameserver' || fields[1] === undefined) continue;
    const address = fields[1].replace(/%.*$/, '');
    if (isIP(address) !== 0) out.push({ address, port: 53 });
  }
  return out;
}

export async function readResolvConf(path: string): Promise<Upstream[]> {
  return parseResolvConf(await readFile(path, 'utf8'));
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Per upstream and transport. Default 2 s (CoreDNS forward's read timeout). */
  timeoutMs?: number;
}

export class Forwarder {
  readonly #upstreams: Upstream[];
  readonly #timeoutMs: number;

  constructor(opts: ForwarderOptions) {
    this.#upstreams = opts.upstreams;
    this.#timeoutMs = opts.timeoutMs ?? 2000;
  }

  get upstreams(): readonly Upstream[] { return this.#upstreams; }

  /**
   * The upstream's answer to a raw query, carrying the query's own id; undefined when none
   * answered. Each attempt uses a fresh id and source port, so answers to other queries (or
   * forged ones) are not taken for this one.
   */
  async exchange(query: Buffer, signal?: AbortSignal): Promise<Buffer | undefined> {
    const id = query.readUInt16BE(0);
    for (const up of this.#upstreams) {
      if (signal?.aborted) return undefined;
      const q = Buffer.from(query);
      q.writeUInt16BE(randomInt(0, 0x10000), 0);
      let answer = await this.#udp(up, q).catch(() => undefined);
      if (answer && (answer.readUInt16BE(2) & 0x0200) !== 0) answer = (await this.#tcp(up, q).catch(() => undefined)) ?? answer;
      if (answer) {
        answer.writeUInt16BE(id, 0);
        return answer;
      }
    }
    return undefined;
  }

  #udp(up: Upstream, q: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = createSocket(isIPv6(up.address) ? 'udp6' : 'udp4');
      const done = (b: Buffer | undefined): void => {
        clearTimeout(timer);
        sock.close();
        resolve(b);
      };
      const timer = setTimeout(() => done(undefined), this.#timeoutMs);
      sock.on('error', () => done(undefined));
      sock.on('message', (msg, rinfo) => {
        if (rinfo.port !== up.port || msg.length < 12 || msg.readUInt16BE(0) !== q.readUInt16BE(0)) return;
        if ((msg.readUInt16BE(2) & 0x8000) === 0) return;
        done(msg);
      });
      sock.send(q, up.port, up.address, (err) => { if (err) done(undefined); });
    });
  }

  #tcp(up: Upstream, q: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = new Socket();
      let buf = Buffer.alloc(0);
      const done = (b: Buffer | undefined): void => {
        clearTimeout(timer);
        sock.destroy();
        resolve(b);
      };
      const timer = setTimeout(() => done(undefined), this.#timeoutMs);
      sock.on('error', () => done(undefined));
      sock.on('close', () => done(undefined));
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length > TCP_MAX + 2) return done(undefined);
        if (buf.length < 2) return;
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) return;
        const msg = buf.subarray(2, 2 + len);
        done(msg.length >= 12 && msg.readUInt16BE(0) === q.readUInt16BE(0) ? Buffer.from(msg) : undefined);
      });
      sock.connect(up.port, up.address, () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(q.length, 0);
        sock.write(Buffer.concat([len, q]));
      });
    });
  }
}
