// A minimal protocol buffers encoder (proto3 wire format: varints, fixed64 doubles and
// length-delimited fields), enough to write gnostic's OpenAPI v2 messages without a dependency.
// Callers write fields in field-number order, as Go's proto.Marshal does, so output is stable.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

export class ProtoWriter {
  #chunks: Buffer[] = [];
  #length = 0;

  get length(): number { return this.#length; }

  /** A string field; proto3 omits empty strings. */
  string(field: number, value: string | undefined): this {
    if (value === undefined || value === '') return this;
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  /** A repeated string field: one record per element (strings are never packed). */
  strings(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) this.bytes(field, Buffer.from(v, 'utf8'));
    return this;
  }

  /** A bool field; proto3 omits false unless `always` (members of a oneof are always written). */
  bool(field: number, value: boolean | undefined, always = false): this {
    if (value === undefined || (!value && !always)) return this;
    this.#tag(field, WIRE_VARINT);
    return this.#push(Buffer.from([value ? 1 : 0]));
  }

  /** An int64 field (two's complement varint for negatives); proto3 omits zero. */
  int64(field: number, value: number | undefined): this {
    if (value === undefined || value === 0) return this;
    if (!Number.isSafeInteger(value)) throw new RangeError(`Cannot encode field ${field}: ${value} is not a safe integer`);
    this.#tag(field, WIRE_VARINT);
    return this.#push(encodeVarint(BigInt.asUintN(64, BigInt(value))));
  }

  /** A double field (fixed64, little endian); proto3 omits zero. */
  double(field: number, value: number | undefined): this {
    if (value === undefined || value === 0) return this;
    this.#tag(field, WIRE_FIXED64);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    return this.#push(b);
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE_LEN);
    this.#push(encodeVarint(value.length));
    return this.#push(Buffer.from(value.buffer, value.byteOffset, value.length));
  }

  /** An embedded message, written even when empty (its presence can matter to readers). */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    write(sub);
    return this.bytes(field, sub.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.#chunks, this.#length);
  }

  #tag(field: number, wire: number): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`Invalid protobuf field number ${field}`);
    this.#push(encodeVarint(field * 8 + wire));
  }

  #push(b: Buffer): this {
    this.#chunks.push(b);
    this.#length += b.length;
    return this;
  }
}

export function encodeVarint(value: number | bigint): Buffer {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`Cannot encode ${value} as a varint`);
    if (value < 0x80) return Buffer.from([value]);
    if (value > 0x7fffffff) return encodeVarint(BigInt(value));
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
    out.push(v);
    return Buffer.from(out);
  }
  if (value < 0n) throw new RangeError('varints are unsigned; convert negatives with BigInt.asUintN(64, …)');
  const out: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}
