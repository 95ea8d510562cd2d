import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { DEFAULT_WINDOW, SpdyConnection, type SpdyStream } from './connection.ts';
import { type RawFrame, type SpdyFrame, FrameSplitter, decodeFrame, decodeHeaderBlock, encodeFrame, encodeHeaderBlock } from './frames.ts';
import { HeaderZlib } from './header-zlib.ts';
import { SPDY3_DICTIONARY } from './dictionary.ts';

async function socketPair(): Promise<{ a: Socket; b: Socket; close: () => void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const a = connect(port, '127.0.0.1');
  await once(a, 'connect');
  const [b] = await accepted;
  return { a, b, close: () => { a.destroy(); b.destroy(); server.close(); } };
}

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

function readAll(s: SpdyStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (c: Buffer) => parts.push(c));
  s.resume();
  return new Promise((resolve, reject) => {
    s.once('end', () => resolve(Buffer.concat(parts)));
    s.once('error', reject);
  });
}

describe('SPDY frames', () => {
  it('uses the SPDY/3 dictionary (1423 bytes, Adler-32 0xe3c6a7c2)', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    let s1 = 1;
    let s2 = 0;
    for (const byte of SPDY3_DICTIONARY) {
      s1 = (s1 + byte) % 65521;
      s2 = (s2 + s1) % 65521;
    }
    assert.equal(((s2 << 16) | s1) >>> 0, 0xe3c6a7c2);
    assert.ok(SPDY3_DICTIONARY.subarray(0, 11).equals(Buffer.from([0, 0, 0, 7, ...Buffer.from('options')])));
    assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith('enq=0.'));
  });

  it('round-trips every frame type through the splitter, across chunk boundaries', async () => {
    const deflate = HeaderZlib.compressor();
    const inflate = HeaderZlib.decompressor();
    const headers = { streamtype: ['data'], port: ['8080'], requestid: ['0'], multi: ['a', 'b'] };
    const frames: SpdyFrame[] = [
      { type: 'syn_stream', streamId: 1, associatedId: 0, priority: 3, fin: false, unidirectional: true, headers },
      { type: 'syn_reply', streamId: 1, fin: true, headers: {} },
      { type: 'headers', streamId: 1, fin: false, headers: { x: ['y'] } },
      { type: 'data', streamId: 1, fin: true, data: Buffer.from('hello') },
      { type: 'rst_stream', streamId: 3, status: 5 },
      { type: 'settings', clear: false, entries: [{ flags: 0, id: 7, value: 1 << 20 }] },
      { type: 'ping', id: 7 },
      { type: 'goaway', lastGoodStreamId: 5, status: 0 },
      { type: 'window_update', streamId: 1, delta: 4096 },
    ];
    const wire: Buffer[] = [];
    for (const f of frames) {
      const block = 'headers' in f ? await deflate.process(encodeHeaderBlock(f.headers)) : undefined;
      wire.push(encodeFrame(f, block));
    }
    const all = Buffer.concat(wire);
    const splitter = new FrameSplitter();
    const raws: RawFrame[] = [];
    for (let i = 0; i < all.length; i += 7) raws.push(...splitter.push(all.subarray(i, i + 7)));
    assert.equal(raws.length, frames.length);
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i]!;
      const f = frames[i]!;
      const compressed = raw.control && [1, 2, 8].includes(raw.typeOrStream) ? raw.payload.subarray(raw.typeOrStream === 1 ? 10 : 4) : undefined;
      const block = compressed ? await inflate.process(compressed) : undefined;
      assert.deepEqual(decodeFrame(raw, block), f);
    }
    deflate.close();
    inflate.close();
  });

  it('rejects malformed header blocks', () => {
    assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9])), /truncated/);
    assert.throws(() => decodeHeaderBlock(encodeHeaderBlock({ A: ['1'] }).fill(0x41, 8, 9)), /invalid header name/);
  });
});

describe('SpdyConnection', () => {
  it('opens streams, carries data both ways beyond the flow-control window, answers pings', async () => {
    const { a, b, close } = await socketPair();
    const client = new SpdyConnection(a, { server: false });
    const server = new SpdyConnection(b, { server: true });
    const big = Buffer.alloc(300 * 1024, 'x');
    for (let i = 0; i < big.length; i += 997) big[i] = i % 251;
    const serverSide = new Promise<Buffer>((resolve) => {
      server.on('stream', (s: SpdyStream) => {
        assert.equal(s.header('streamtype'), 'data');
        void readAll(s).then((got) => {
          s.end(Buffer.concat([Buffer.from(`${s.header('port')}:`), got]));
          resolve(got);
        });
      });
    });
    const streams = await Promise.all([1, 2, 3].map((n) => client.openStream({ streamtype: ['data'], port: [String(8000 + n)], requestid: [String(n)] })));
    const replies = streams.map((s) => readAll(s));
    for (const s of streams) s.end(big);
    const got = await serverSide;
    assert.ok(got.equals(big));
    const echoed = await Promise.all(replies);
    for (const [i, e] of echoed.entries()) {
      assert.equal(e.subarray(0, 5).toString(), `${8001 + i}:`);
      assert.ok(e.subarray(5).equals(big));
    }
    await client.ping();
    await server.ping();
    const closed = once(server, 'close');
    await client.close();
    await closed;
    close();
  });

  it('holds a writer back while the reader on the other side does not read (per-stream window)', async () => {
    const { a, b, close } = await socketPair();
    const client = new SpdyConnection(a, { server: false });
    const server = new SpdyConnection(b, { server: true });
    const accepted = once(server, 'stream') as Promise<[SpdyStream]>;
    const s = await client.openStream({ streamtype: ['data'] });
    const [remote] = await accepted;
    remote.pause();
    // Prime flow control: the first frame is read and acknowledged, so the client enforces windows.
    s.write(Buffer.alloc(10));
    await once(remote, 'readable');
    remote.read();
    await waitFor(() => s.sendWindow === DEFAULT_WINDOW);
    const big = Buffer.alloc(1024 * 1024, 'y');
    let written = false;
    s.end(big, () => { written = true; });
    // The client spends its 64 KiB window and then waits for the reader.
    await waitFor(() => s.sendWindow < 1024);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(s.sendWindow >= 0);
    assert.equal(written, false);
    assert.ok(remote.readableLength <= DEFAULT_WINDOW, `buffered ${remote.readableLength} bytes, more than the window`);
    const got = await readAll(remote);
    assert.equal(got.length, big.length);
    assert.equal(written, true);
    await client.close();
    close();
  });

  it('resets a stream the peer refuses and ends streams when the connection drops', async () => {
    const { a, b, close } = await socketPair();
    const client = new SpdyConnection(a, { server: false });
    const server = new SpdyConnection(b, { server: true });
    server.on('stream', (s: SpdyStream) => {
      if (s.header('streamtype') === 'bad') s.reset();
    });
    const bad = await client.openStream({ streamtype: ['bad'] });
    const [status] = await once(bad, 'reset') as [number];
    assert.equal(status, 5);
    const good = await client.openStream({ streamtype: ['ok'] });
    const ended = once(good, 'close');
    server.destroy();
    await ended;
    assert.equal(client.closed || good.destroyed, true);
    close();
  });
});
