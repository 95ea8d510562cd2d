// SPDY/3 frames (draft-mbelshe-httpbis-spdy-00, section 2.2 and 2.6), the framing under
// Kubernetes' SPDY/3.1 streams (k8s.io/apimachinery/pkg/util/httpstream/spdy over
// github.com/moby/spdystream). Every frame starts with 8 bytes: a control frame has the high bit
// set, the version (3) and a type; a data frame has the stream id. Then flags (8 bits) and the
// payload length (24 bits).

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
export const MAX_FRAME_PAYLOAD = 0xffffff;

export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

/** Header names are lower case; a header may have several values (NUL-separated on the wire). */
export type SpdyHeaders = Record<string, string[]>;

export interface SettingsEntry { flags: number; id: number; value: number }

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; fin: boolean; unidirectional: boolean; headers: SpdyHeaders }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: SettingsEntry[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'window_update'; streamId: number; delta: number };

/** A frame as cut from the byte stream, before its header block (if any) is decompressed. */
export interface RawFrame {
  control: boolean;
  /** Control frames: the type; data frames: the stream id. */
  typeOrStream: number;
  version: number;
  flags: number;
  payload: Buffer;
}

export class SpdyProtocolError extends Error {
  readonly code = 'SpdyProtocolError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpdyProtocolError';
  }
}

/** Cuts whole frames out of the bytes pushed in, keeping a partial frame for the next push. */
export class FrameSplitter {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RawFrame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: RawFrame[] = [];
    while (this.#buf.length >= 8) {
      const len = this.#buf.readUIntBE(5, 3);
      if (this.#buf.length < 8 + len) break;
      const word = this.#buf.readUInt32BE(0);
      const control = (word & 0x80000000) !== 0;
      out.push({
        control,
        typeOrStream: control ? word & 0xffff : word & 0x7fffffff,
        version: control ? (word >>> 16) & 0x7fff : SPDY_VERSION,
        flags: this.#buf[4]!,
        payload: this.#buf.subarray(8, 8 + len),
      });
      this.#buf = this.#buf.subarray(8 + len);
    }
    return out;
  }
}

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const names = Object.keys(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(names.length);
  parts.push(count);
  for (const name of names) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from((headers[name] ?? []).join('\0'), 'utf8');
    const nl = Buffer.alloc(4);
    nl.writeUInt32BE(n.length);
    const vl = Buffer.alloc(4);
    vl.writeUInt32BE(v.length);
    parts.push(nl, n, vl, v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  if (block.length < 4) throw new SpdyProtocolError('header block shorter than its count');
  const count = block.readUInt32BE(0);
  let off = 4;
  const take = (): string => {
    if (off + 4 > block.length) throw new SpdyProtocolError('header block truncated');
    const len = block.readUInt32BE(off);
    off += 4;
    if (off + len > block.length) throw new SpdyProtocolError('header block truncated');
    const s = block.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = take();
    const value = take();
    if (name === '' || name !== name.toLowerCase()) throw new SpdyProtocolError(`invalid header name "${name}"`);
    if (headers[name]) throw new SpdyProtocolError(`header "${name}" appears twice`);
    headers[name] = value.split('\0');
  }
  return headers;
}

function controlHeader(type: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`frame payload of ${length} bytes is too large`);
  const h = Buffer.alloc(8);
  h.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  h[4] = flags;
  h.writeUIntBE(length, 5, 3);
  return h;
}

/**
 * Serializes a frame; `compressed` is the frame's header block already compressed (SYN_STREAM,
 * SYN_REPLY and HEADERS), which the caller does in order through the connection's one zlib context.
 */
export function encodeFrame(frame: SpdyFrame, compressed: Buffer = Buffer.alloc(0)): Buffer {
  switch (frame.type) {
    case 'data': {
      if (frame.data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError('data frame too large');
      const h = Buffer.alloc(8);
      h.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      h[4] = frame.fin ? FLAG_FIN : 0;
      h.writeUIntBE(frame.data.length, 5, 3);
      return Buffer.concat([h, frame.data]);
    }
    case 'syn_stream': {
      const body = Buffer.alloc(10);
      body.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      body.writeUInt32BE(frame.associatedId & 0x7fffffff, 4);
      body[8] = (frame.priority & 0x7) << 5;
      body[9] = 0; // credential slot
      const flags = (frame.fin ? FLAG_FIN : 0) | (frame.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
      return Buffer.concat([controlHeader(FrameType.SynStream, flags, 10 + compressed.length), body, compressed]);
    }
    case 'syn_reply':
    case 'headers': {
      const body = Buffer.alloc(4);
      body.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      const type = frame.type === 'syn_reply' ? FrameType.SynReply : FrameType.Headers;
      return Buffer.concat([controlHeader(type, frame.fin ? FLAG_FIN : 0, 4 + compressed.length), body, compressed]);
    }
    case 'rst_stream': {
      const body = Buffer.alloc(8);
      body.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      body.writeUInt32BE(frame.status, 4);
      return Buffer.concat([controlHeader(FrameType.RstStream, 0, 8), body]);
    }
    case 'settings': {
      const body = Buffer.alloc(4 + 8 * frame.entries.length);
      body.writeUInt32BE(frame.entries.length, 0);
      frame.entries.forEach((e, i) => {
        body.writeUInt32BE(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + 8 * i);
        body.writeUInt32BE(e.value >>> 0, 8 + 8 * i);
      });
      return Buffer.concat([controlHeader(FrameType.Settings, frame.clear ? 1 : 0, body.length), body]);
    }
    case 'ping': {
      const body = Buffer.alloc(4);
      body.writeUInt32BE(frame.id >>> 0, 0);
      return Buffer.concat([controlHeader(FrameType.Ping, 0, 4), body]);
    }
    case 'goaway': {
      const body = Buffer.alloc(8);
      body.writeUInt32BE(frame.lastGoodStreamId & 0x7fffffff, 0);
      body.writeUInt32BE(frame.status >>> 0, 4);
      return Buffer.concat([controlHeader(FrameType.GoAway, 0, 8), body]);
    }
    case 'window_update': {
      const body = Buffer.alloc(8);
      body.writeUInt32BE(frame.streamId & 0x7fffffff, 0);
      body.writeUInt32BE(frame.delta & 0x7fffffff, 4);
      return Buffer.concat([controlHeader(FrameType.WindowUpdate, 0, 8), body]);
    }
  }
}

/** The compressed header block of a raw SYN_STREAM, SYN_REPLY or HEADERS frame (else undefined). */
export function compressedBlockOf(raw: RawFrame): Buffer | undefined {
  if (!raw.control) return undefined;
  if (raw.typeOrStream === FrameType.SynStream) return raw.payload.subarray(10);
  if (raw.typeOrStream === FrameType.SynReply || raw.typeOrStream === FrameType.Headers) return raw.payload.subarray(4);
  return undefined;
}

function need(raw: RawFrame, n: number, what: string): void {
  if (raw.payload.length < n) throw new SpdyProtocolError(`${what} frame too short (${raw.payload.length} bytes)`);
}

/**
 * A frame from its raw form; `headerBlock` is the decompressed header block for the frames that
 * carry one. Unknown control frame types come back as undefined (the draft says: ignore them).
 */
export function decodeFrame(raw: RawFrame, headerBlock?: Buffer): SpdyFrame | undefined {
  const p = raw.payload;
  if (!raw.control) return { type: 'data', streamId: raw.typeOrStream, fin: (raw.flags & FLAG_FIN) !== 0, data: p };
  if (raw.version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${raw.version}`);
  const headers = (): SpdyHeaders => decodeHeaderBlock(headerBlock ?? Buffer.alloc(0));
  switch (raw.typeOrStream) {
    case FrameType.SynStream:
      need(raw, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        associatedId: p.readUInt32BE(4) & 0x7fffffff,
        priority: p[8]! >> 5,
        fin: (raw.flags & FLAG_FIN) !== 0,
        unidirectional: (raw.flags & FLAG_UNIDIRECTIONAL) !== 0,
        headers: headers(),
      };
    case FrameType.SynReply:
      need(raw, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, fin: (raw.flags & FLAG_FIN) !== 0, headers: headers() };
    case FrameType.Headers:
      need(raw, 4, 'HEADERS');
      return { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, fin: (raw.flags & FLAG_FIN) !== 0, headers: headers() };
    case FrameType.RstStream:
      need(raw, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.Settings: {
      need(raw, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(raw, 4 + 8 * n, 'SETTINGS');
      const entries: SettingsEntry[] = [];
      for (let i = 0; i < n; i++) {
        const w = p.readUInt32BE(4 + 8 * i);
        entries.push({ flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + 8 * i) });
      }
      return { type: 'settings', clear: (raw.flags & 1) !== 0, entries };
    }
    case FrameType.Ping:
      need(raw, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GoAway:
      need(raw, 4, 'GOAWAY');
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FrameType.WindowUpdate:
      need(raw, 8, 'WINDOW_UPDATE');
      return { type: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return undefined;
  }
}
