// One WebSocket message of the channel.k8s.io protocols: its first byte names the channel, the
// rest is the data. Kubernetes reads text and binary messages alike (wsstream's conn.go receives
// every message as bytes), and the official Python client writes exec stdin as text, so a text
// message is taken as its UTF-8 bytes, channel byte first.
import type { RawData } from 'ws';

export interface ChannelFrame {
  channel: number;
  data: Buffer;
}

export function decodeChannelFrame(raw: RawData | string): ChannelFrame | undefined {
  const bytes = messageBytes(raw);
  // An empty message names no channel; wsstream skips it.
  if (bytes.length === 0) return undefined;
  return { channel: bytes[0]!, data: bytes.subarray(1) };
}

// `ws` hands a text message over as the Buffer of its (validated) UTF-8 bytes, so text and binary
// need no different handling there; a string (from a caller that decoded it) is encoded back.
function messageBytes(raw: RawData | string): Buffer {
  if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw);
  if (raw instanceof ArrayBuffer) return Buffer.from(raw);
  return raw;
}
