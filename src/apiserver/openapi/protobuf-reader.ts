// A schema-less protobuf reader: splits a message into its fields so tests (and debugging) can
// check what protobuf-writer.ts produced without generated code.

export interface ProtoField {
  field: number;
  wire: number;
  /** Varints as bigint, fixed64 as its 8 bytes, length-delimited as the bytes. */
  value: bigint | Buffer;
}

export function readFields(buf: Buffer): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    while (true) {
      if (pos >= buf.length) throw new Error('Cannot read protobuf: truncated varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('Cannot read protobuf: varint too long');
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > buf.length) throw new Error('Cannot read protobuf: truncated fixed field');
      out.push({ field, wire, value: buf.subarray(pos, pos + n) });
      pos += n;
    } else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error(`Cannot read protobuf: field ${field} runs past the end`);
      out.push({ field, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else {
      throw new Error(`Cannot read protobuf: unsupported wire type ${wire} for field ${field}`);
    }
  }
  return out;
}

/** The length-delimited values of one field number. */
export function bytesOf(buf: Buffer, field: number): Buffer[] {
  return readFields(buf).filter((f) => f.field === field && Buffer.isBuffer(f.value)).map((f) => f.value as Buffer);
}

export function stringOf(buf: Buffer, field: number): string | undefined {
  return bytesOf(buf, field)[0]?.toString('utf8');
}

export function varintOf(buf: Buffer, field: number): bigint | undefined {
  const f = readFields(buf).find((x) => x.field === field && x.wire === 0);
  return f?.value as bigint | undefined;
}
