// DNS messages as the server answers them: header flags and rcodes, the EDNS0 buffer size a
// client allows, and fitting a response into it with the TC bit set when something had to go
// (RFC 1035 §4.2.1, RFC 6891 §6.2.5, RFC 2181 §9). Encoding is dns-packet's.
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet } from 'dns-packet';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type RcodeName = keyof typeof RCODE;

/** Classic DNS over UDP without EDNS0. */
export const UDP_PLAIN_MAX = 512;
/** The most this server puts in one UDP datagram, whatever a client advertises. */
export const UDP_EDNS_MAX = 4096;
/** What a TCP message's 2-byte length allows. */
export const TCP_MAX = 65535;

const OPCODE_QUERY = 0;

export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf;
}

export function isQueryOpcode(flags: number): boolean {
  return opcodeOf(flags) === OPCODE_QUERY;
}

export function rcodeOf(flags: number): number {
  return flags & 0xf;
}

export function optOf(p: Packet): OptAnswer | undefined {
  return p.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
}

/** The largest UDP response the client accepts: its EDNS0 buffer size (at least 512), else 512. */
export function udpLimit(query: Packet): number {
  const opt = optOf(query);
  if (!opt) return UDP_PLAIN_MAX;
  return Math.min(Math.max(opt.udpPayloadSize || UDP_PLAIN_MAX, UDP_PLAIN_MAX), UDP_EDNS_MAX);
}

/** Our OPT record, sent back to clients that sent one (RFC 6891 §7). */
export function responseOpt(): OptAnswer {
  return { name: '.', type: 'OPT', udpPayloadSize: UDP_EDNS_MAX, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

export interface ResponseParts {
  rcode: RcodeName;
  authoritative: boolean;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

/** A response to `query`: its id, question and RD bit, RA set, our OPT if it had one. */
export function buildResponse(query: DecodedPacket, parts: ResponseParts): Packet {
  let flags = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  flags |= dnsPacket.RECURSION_AVAILABLE | RCODE[parts.rcode];
  if (parts.authoritative) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  const additionals = [...(parts.additionals ?? [])];
  if (optOf(query)) additionals.push(responseOpt());
  return {
    id: query.id ?? 0,
    type: 'response',
    flags,
    questions: query.questions ?? [],
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals,
  };
}

/**
 * Encode a response in at most `limit` bytes. Additional records go first (that alone needs no
 * TC); then as many answers as fit are kept, the authority section dropped and TC set, so a client
 * that does not retry over TCP still gets what fitted, one that does retries.
 */
export function encodeWithin(p: Packet, limit: number): Buffer {
  const full = dnsPacket.encode(p);
  if (full.length <= limit) return full;
  const opt = (p.additionals ?? []).filter((a) => a.type === 'OPT');
  const noExtra: Packet = { ...p, additionals: opt };
  if (dnsPacket.encodingLength(noExtra) <= limit) return dnsPacket.encode(noExtra);
  const answers = p.answers ?? [];
  const truncated = (n: number): Packet => ({ ...noExtra, flags: (p.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: answers.slice(0, n), authorities: [] });
  let lo = 0;
  let hi = answers.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (dnsPacket.encodingLength(truncated(mid)) <= limit) lo = mid;
    else hi = mid - 1;
  }
  const out = truncated(lo);
  if (dnsPacket.encodingLength(out) <= limit) return dnsPacket.encode(out);
  // Not even the question fits (a client limit below the question's size cannot happen at 512).
  return dnsPacket.encode({ ...out, additionals: [] });
}

/** A bare error answer for a message that could not be decoded past its header. */
export function headerOnlyError(raw: Buffer, rcode: RcodeName): Buffer | undefined {
  if (raw.length < 12) return undefined;
  const out = Buffer.alloc(12);
  raw.copy(out, 0, 0, 2);
  const qflags = raw.readUInt16BE(2);
  if (qflags & 0x8000) return undefined; // never answer a response
  out.writeUInt16BE(0x8000 | (qflags & 0x7800) | (qflags & dnsPacket.RECURSION_DESIRED) | RCODE[rcode], 2);
  return out;
}
