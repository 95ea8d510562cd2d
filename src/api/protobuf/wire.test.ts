import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireReader } from './wire.ts';
import { varintBytes } from './wire-writer.ts';

test('varints: multi-byte, 64-bit and negative int32/int64', () => {
  assert.equal(new WireReader(varintBytes(300)).int32(), 300);
  assert.equal(new WireReader(varintBytes(-1)).int32(), -1);
  assert.equal(new WireReader(varintBytes(-62135596800)).int64(), -62135596800);
  assert.equal(new WireReader(varintBytes(2n ** 63n - 1n)).varint(), 2n ** 63n - 1n);
  assert.equal(new WireReader(varintBytes(1)).bool(), true);
});

test('tags, lengths and truncation', () => {
  const r = new WireReader(Buffer.from([0x12, 0x02, 0x68, 0x69, 0x08]));
  assert.deepEqual(r.tag(), { field: 2, wire: 2 });
  assert.equal(r.string(), 'hi');
  assert.deepEqual(r.tag(), { field: 1, wire: 0 });
  assert.throws(() => r.varint(), /truncated varint/);
  assert.throws(() => new WireReader(Buffer.from([0x0a, 0x05, 0x00])).skip(2), /runs past the end/);
  assert.throws(() => new WireReader(Buffer.from([0x00])).tag(), /invalid field number 0/);
  assert.throws(() => new WireReader(Buffer.alloc(11, 0xff)).varint(), /longer than 10 bytes/);
});
