import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesOf, readFields, stringOf, varintOf } from './protobuf-reader.ts';
import { encodeVarint, ProtoWriter } from './protobuf-writer.ts';

describe('ProtoWriter', () => {
  it('encodes varints as protobuf does', () => {
    assert.deepEqual([...encodeVarint(0)], [0]);
    assert.deepEqual([...encodeVarint(1)], [1]);
    assert.deepEqual([...encodeVarint(127)], [0x7f]);
    assert.deepEqual([...encodeVarint(128)], [0x80, 0x01]);
    assert.deepEqual([...encodeVarint(300)], [0xac, 0x02]);
    assert.deepEqual([...encodeVarint(2 ** 32)], [0x80, 0x80, 0x80, 0x80, 0x10]);
    assert.deepEqual([...encodeVarint(2n ** 64n - 1n)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('writes fields with the right tags and wire types', () => {
    const b = new ProtoWriter().string(1, '2.0').finish();
    assert.deepEqual([...b], [0x0a, 0x03, 0x32, 0x2e, 0x30]);
    assert.deepEqual([...new ProtoWriter().bool(16, true).finish()], [0x80, 0x01, 0x01]);
    assert.deepEqual([...new ProtoWriter().int64(11, 5).finish()], [0x58, 0x05]);
    assert.deepEqual([...new ProtoWriter().int64(1, -1).finish()], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.deepEqual([...new ProtoWriter().double(7, 1.5).finish()], [0x39, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f]);
  });

  it('omits proto3 defaults except where presence matters', () => {
    const w = new ProtoWriter().string(1, '').bool(2, false).int64(3, 0).double(4, 0).strings(5, []);
    assert.equal(w.finish().length, 0);
    assert.deepEqual([...new ProtoWriter().bool(2, false, true).finish()], [0x10, 0x00]);
    assert.deepEqual([...new ProtoWriter().message(25, () => {}).finish()], [0xca, 0x01, 0x00]);
  });

  it('round-trips nested messages through the reader', () => {
    const b = new ProtoWriter()
      .string(1, 'héllo')
      .strings(2, ['a', 'b'])
      .message(3, (m) => m.string(1, 'inner').int64(2, 300))
      .finish();
    assert.equal(stringOf(b, 1), 'héllo');
    assert.deepEqual(bytesOf(b, 2).map(String), ['a', 'b']);
    const inner = bytesOf(b, 3)[0]!;
    assert.equal(stringOf(inner, 1), 'inner');
    assert.equal(varintOf(inner, 2), 300n);
    assert.deepEqual(readFields(b).map((f) => f.field), [1, 2, 2, 3]);
  });

  it('rejects invalid field numbers and truncated input', () => {
    assert.throws(() => new ProtoWriter().string(0, 'x'), /Invalid protobuf field number/);
    assert.throws(() => readFields(Buffer.from([0x0a, 0x05, 0x01])), /runs past the end/);
  });
});
