// A minimal protobuf writer for building request bodies by hand in tests: each helper returns the
// bytes of one field (tag + value); `message` concatenates fields.
import { MAGIC } from './envelope.ts';

export function varintBytes(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}

const tag = (no: number, wire: number): Buffer => varintBytes((no << 3) | wire);

export function varintField(no: number, value: number | bigint | boolean): Buffer {
  return Buffer.concat([tag(no, 0), varintBytes(typeof value === 'boolean' ? Number(value) : value)]);
}

export function bytesField(no: number, value: Buffer | string): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([tag(no, 2), varintBytes(b.length), b]);
}

export function messageField(no: number, ...fields: Buffer[]): Buffer {
  return bytesField(no, Buffer.concat(fields));
}

export function doubleField(no: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value, 0);
  return Buffer.concat([tag(no, 1), b]);
}

/** A map<string, string> (or bytes) entry. */
export function mapEntry(no: number, key: string, value: Buffer | string): Buffer {
  return messageField(no, bytesField(1, key), bytesField(2, value));
}

/** The `k8s\0` + runtime.Unknown envelope around an encoded object. */
export function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([MAGIC, messageField(1, bytesField(1, apiVersion), bytesField(2, kind)), bytesField(2, raw)]);
}
