// A protobuf wire-format reader: tags, varints, fixed 32/64-bit values and length-delimited bytes.
// Only what Kubernetes' proto2 messages use; every read is bounds-checked.
import { malformed } from './errors.ts';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export interface Tag { field: number; wire: number }

export class WireReader {
  readonly #buf: Buffer;
  #pos = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  get done(): boolean {
    return this.#pos >= this.#buf.length;
  }

  tag(): Tag {
    const v = this.varint();
    const field = Number(v >> 3n);
    const wire = Number(v & 7n);
    if (field < 1 || field > 0x1fffffff) throw malformed(`invalid field number ${field}`);
    return { field, wire };
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.#pos >= this.#buf.length) throw malformed('truncated varint');
      const b = this.#buf[this.#pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw malformed('varint longer than 10 bytes');
  }

  /** int32 fields: negative values travel as 10-byte two's-complement varints. */
  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  int64(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  double(): number {
    const v = this.#take(8).readDoubleLE(0);
    return v;
  }

  fixed32(): Buffer {
    return this.#take(4);
  }

  bytes(): Buffer {
    const len = this.varint();
    if (len > BigInt(this.#buf.length - this.#pos)) throw malformed(`length ${len} runs past the end of the message`);
    return this.#take(Number(len));
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  /** Skip a value of the given wire type (used for the envelope's fields only). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT: this.varint(); return;
      case WIRE_FIXED64: this.#take(8); return;
      case WIRE_BYTES: this.bytes(); return;
      case WIRE_FIXED32: this.#take(4); return;
      default: throw malformed(`unsupported wire type ${wire}`);
    }
  }

  #take(n: number): Buffer {
    if (this.#pos + n > this.#buf.length) throw malformed('truncated message');
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
}
