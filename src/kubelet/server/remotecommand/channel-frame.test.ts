import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeChannelFrame } from './channel-frame.ts';

describe('decodeChannelFrame', () => {
  test('a binary message: byte 0 is the channel, the rest the data', () => {
    const f = decodeChannelFrame(Buffer.from([0, 0x68, 0x69, 0xff]));
    assert.equal(f?.channel, 0);
    assert.deepEqual(f?.data, Buffer.from([0x68, 0x69, 0xff]));
  });

  test('a text message as `ws` delivers it (a Buffer of UTF-8 bytes) is read the same way', () => {
    const f = decodeChannelFrame(Buffer.from('\u0000hello\n', 'utf8'));
    assert.equal(f?.channel, 0);
    assert.equal(f?.data.toString('utf8'), 'hello\n');
  });

  test('a text message given as a string: the first character\'s byte is the channel', () => {
    const f = decodeChannelFrame('\u0004{"Width":80,"Height":24}');
    assert.equal(f?.channel, 4);
    assert.equal(f?.data.toString('utf8'), '{"Width":80,"Height":24}');
    assert.deepEqual(decodeChannelFrame('\u0000h\u00e9')?.data, Buffer.from('h\u00e9', 'utf8'));
  });

  test('fragmented and ArrayBuffer messages are joined into one frame', () => {
    const f = decodeChannelFrame([Buffer.from([2, 0x61]), Buffer.from([0x62])]);
    assert.equal(f?.channel, 2);
    assert.equal(f?.data.toString(), 'ab');
    const ab = new Uint8Array([1, 0x7a]).buffer;
    assert.deepEqual(decodeChannelFrame(ab), { channel: 1, data: Buffer.from('z') });
  });

  test('an empty message names no channel', () => {
    assert.equal(decodeChannelFrame(Buffer.alloc(0)), undefined);
    assert.equal(decodeChannelFrame(''), undefined);
  });
});
