// A SPDY/3.1 session over a byte stream (an upgraded HTTP connection, or a WebSocket tunnel):
// streams multiplexed by id, header blocks through one zlib context per direction, PING echo,
// GOAWAY, RST_STREAM and flow control. It plays the part of github.com/moby/spdystream under
// k8s.io/apimachinery/pkg/util/httpstream/spdy; either side can be the server (ids: client odd,
// server even).
//
// Flow control: we announce a receive window in SETTINGS and return WINDOW_UPDATEs as streams
// are read. Our send windows are always counted, but only enforced once the peer shows it does
// flow control (it announced SETTINGS_INITIAL_WINDOW_SIZE or sent a WINDOW_UPDATE): spdystream,
// the peer kubectl uses, never sends WINDOW_UPDATE, and enforcing 64 KiB against it would stall
// every stream after its first 64 KiB. Against such a peer, reading stops (the socket pauses)
// while a stream's reader is behind, which is TCP's flow control instead. Against a peer that
// does flow control, a stream's window reopens only as its reader takes the data.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  FrameSplitter, RstStatus, SETTINGS_INITIAL_WINDOW_SIZE, SpdyProtocolError, compressedBlockOf, decodeFrame, encodeFrame,
  encodeHeaderBlock, type RawFrame, type SpdyFrame, type SpdyHeaders,
} from './frames.ts';
import { HeaderZlib } from './header-zlib.ts';

export const DEFAULT_WINDOW = 64 * 1024;
const MAX_DATA_CHUNK = 32 * 1024;

export interface SpdyConnectionOptions {
  /** Which side we are: the server accepts odd stream ids and opens even ones. */
  server: boolean;
  /** The receive window we announce per stream (SETTINGS_INITIAL_WINDOW_SIZE). */
  initialWindow?: number;
}

interface StreamHooks {
  sendData(stream: SpdyStream, data: Buffer): Promise<void>;
  sendFin(stream: SpdyStream): Promise<void>;
  reset(stream: SpdyStream, status: number): void;
  consumed(stream: SpdyStream, n: number): void;
  resumeReading(): void;
  finished(stream: SpdyStream): void;
}

/** One SPDY stream: a Duplex whose writes become DATA frames and whose reads are the peer's. */
export class SpdyStream extends Duplex {
  readonly id: number;
  /** The headers of the SYN_STREAM that opened it. */
  readonly headers: SpdyHeaders;
  /** The headers of the SYN_REPLY (streams we opened), once it came. */
  replyHeaders: SpdyHeaders | undefined;
  sendWindow: number;
  remoteClosed = false;
  localClosed = false;
  resetReceived = false;
  readonly #hooks: StreamHooks;
  #unacked = 0;

  constructor(id: number, headers: SpdyHeaders, sendWindow: number, hooks: StreamHooks) {
    super({ allowHalfOpen: true });
    this.id = id;
    this.headers = headers;
    this.sendWindow = sendWindow;
    this.#hooks = hooks;
  }

  /** The first value of a header. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#hooks.sendData(this, chunk).then(() => cb(), (err: Error) => cb(err));
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.localClosed) {
      cb();
      return;
    }
    this.#hooks.sendFin(this).then(() => cb(), (err: Error) => cb(err));
  }

  override _read(): void {
    if (this.#unacked > 0) {
      const n = this.#unacked;
      this.#unacked = 0;
      this.#hooks.consumed(this, n);
    }
    this.#hooks.resumeReading();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!(this.localClosed && this.remoteClosed) && !this.resetReceived) this.#hooks.reset(this, RstStatus.Cancel);
    this.#hooks.finished(this);
    cb(err);
  }

  /** Ends the stream abruptly with RST_STREAM. */
  reset(status: number = RstStatus.Cancel): void {
    this.#hooks.reset(this, status);
    this.resetReceived = true; // no second RST from _destroy
    this.destroy();
  }

  /**
   * Called by the connection for the peer's data. The peer's window is reopened (WINDOW_UPDATE)
   * once the data is taken by the reader: at once while the reader keeps up, else on its next read.
   */
  deliver(data: Buffer): boolean {
    if (data.length === 0) return true;
    const ok = this.push(data);
    if (ok) this.#hooks.consumed(this, data.length + this.#unacked);
    else this.#unacked += data.length;
    if (ok) this.#unacked = 0;
    return ok;
  }
}

export class SpdyConnection extends EventEmitter {
  readonly #socket: Duplex;
  readonly #server: boolean;
  readonly #streams = new Map<number, SpdyStream>();
  readonly #deflate = HeaderZlib.compressor();
  readonly #inflate = HeaderZlib.decompressor();
  readonly #splitter = new FrameSplitter();
  readonly #pings = new Map<number, () => void>();
  readonly #recvWindow: number;
  readonly #hooks: StreamHooks;
  #nextStreamId: number;
  #nextPingId: number;
  #lastRemoteStreamId = 0;
  #inChain: Promise<void> = Promise.resolve();
  #outChain: Promise<void> = Promise.resolve();
  #peerFlowControl = false;
  #peerInitialWindow = DEFAULT_WINDOW;
  #sessionSendWindow = DEFAULT_WINDOW;
  #sessionUnacked = 0;
  #windowWaiters: Array<() => void> = [];
  #pausedForReader = false;
  #closed = false;
  #goneAway = false;

  constructor(socket: Duplex, opts: SpdyConnectionOptions) {
    super();
    this.#socket = socket;
    this.#server = opts.server;
    this.#nextStreamId = opts.server ? 2 : 1;
    this.#nextPingId = opts.server ? 2 : 1;
    this.#recvWindow = opts.initialWindow ?? DEFAULT_WINDOW;
    this.#hooks = {
      sendData: (s, d) => this.#sendData(s, d),
      sendFin: (s) => this.#sendFin(s),
      reset: (s, status) => {
        if (!this.#closed) void this.#send({ type: 'rst_stream', streamId: s.id, status }).catch(() => undefined);
      },
      consumed: (s, n) => this.#consumed(s, n),
      resumeReading: () => {
        if (this.#pausedForReader) {
          this.#pausedForReader = false;
          this.#socket.resume();
        }
      },
      finished: (s) => this.#forget(s),
    };
    socket.on('data', (chunk: Buffer) => this.#onBytes(chunk));
    socket.on('end', () => this.#shutdown());
    socket.on('close', () => this.#shutdown());
    socket.on('error', (err: Error) => {
      this.emit('socketError', err);
      this.#shutdown();
    });
    if (this.#recvWindow !== DEFAULT_WINDOW) {
      void this.#send({ type: 'settings', clear: false, entries: [{ flags: 0, id: SETTINGS_INITIAL_WINDOW_SIZE, value: this.#recvWindow }] }).catch(() => undefined);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Opens a stream (SYN_STREAM); resolves once the peer replied (SYN_REPLY). */
  async openStream(headers: SpdyHeaders, opts: { fin?: boolean } = {}): Promise<SpdyStream> {
    if (this.#closed || this.#goneAway) throw new SpdyProtocolError('the connection is closed');
    const id = this.#nextStreamId;
    this.#nextStreamId += 2;
    const stream = new SpdyStream(id, headers, this.#peerInitialWindow, this.#hooks);
    if (opts.fin) stream.localClosed = true;
    this.#streams.set(id, stream);
    const replied = new Promise<void>((resolve, reject) => {
      stream.once('reply', () => resolve());
      stream.once('close', () => reject(new SpdyProtocolError(`stream ${id} was reset before its reply`)));
    });
    await this.#send({ type: 'syn_stream', streamId: id, associatedId: 0, priority: 0, fin: opts.fin ?? false, unidirectional: false, headers });
    await replied;
    return stream;
  }

  /** Sends a PING and resolves when the peer echoes it. */
  async ping(): Promise<void> {
    const id = this.#nextPingId;
    this.#nextPingId += 2;
    const echoed = new Promise<void>((resolve) => this.#pings.set(id, resolve));
    await this.#send({ type: 'ping', id });
    await echoed;
  }

  /** GOAWAY, then closes the connection once the frames queued so far are written. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (!this.#goneAway) {
      this.#goneAway = true;
      await this.#send({ type: 'goaway', lastGoodStreamId: this.#lastRemoteStreamId, status: 0 }).catch(() => undefined);
    }
    await this.#outChain.catch(() => undefined);
    this.#socket.end();
    this.#shutdown();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.#socket.destroy();
    this.#shutdown();
  }

  #shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [...this.#streams.values()]) {
      s.resetReceived = true;
      if (!s.remoteClosed) s.push(null);
      s.destroy();
    }
    this.#streams.clear();
    for (const w of this.#windowWaiters.splice(0)) w();
    this.#deflate.close();
    this.#inflate.close();
    if (!this.#socket.destroyed) this.#socket.destroy();
    this.emit('close');
  }

  #onBytes(chunk: Buffer): void {
    let raws: RawFrame[];
    try {
      raws = this.#splitter.push(chunk);
    } catch (err) {
      this.#fail(err);
      return;
    }
    for (const raw of raws) {
      this.#inChain = this.#inChain.then(() => this.#onRaw(raw)).catch((err: unknown) => this.#fail(err));
    }
  }

  #fail(err: unknown): void {
    if (this.#closed) return;
    this.emit('protocolError', err);
    void this.#send({ type: 'goaway', lastGoodStreamId: this.#lastRemoteStreamId, status: 1 }).catch(() => undefined).finally(() => this.destroy());
  }

  async #onRaw(raw: RawFrame): Promise<void> {
    if (this.#closed) return;
    const block = compressedBlockOf(raw);
    const headerBlock = block ? await this.#inflate.process(block) : undefined;
    const frame = decodeFrame(raw, headerBlock);
    if (frame) this.#onFrame(frame);
  }

  #onFrame(f: SpdyFrame): void {
    switch (f.type) {
      case 'syn_stream':
        return this.#onSynStream(f);
      case 'syn_reply': {
        const s = this.#streams.get(f.streamId);
        if (!s) return;
        s.replyHeaders = f.headers;
        s.emit('reply', f.headers);
        if (f.fin) this.#remoteFin(s);
        return;
      }
      case 'headers': {
        const s = this.#streams.get(f.streamId);
        if (!s) return;
        s.emit('headers', f.headers);
        if (f.fin) this.#remoteFin(s);
        return;
      }
      case 'data': {
        const s = this.#streams.get(f.streamId);
        if (!s || s.remoteClosed) {
          // Data for a stream we no longer have: acknowledge the session window and tell the peer.
          this.#sessionConsumed(f.data.length);
          if (!s) void this.#send({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.InvalidStream }).catch(() => undefined);
          return;
        }
        if (!s.deliver(f.data) && !this.#peerFlowControl && !this.#pausedForReader) {
          this.#pausedForReader = true;
          this.#socket.pause();
        }
        if (f.fin) this.#remoteFin(s);
        return;
      }
      case 'rst_stream': {
        const s = this.#streams.get(f.streamId);
        if (!s) return;
        s.resetReceived = true;
        s.emit('reset', f.status);
        if (!s.remoteClosed) s.push(null);
        s.destroy();
        return;
      }
      case 'settings':
        for (const e of f.entries) {
          if (e.id !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          const delta = e.value - this.#peerInitialWindow;
          this.#peerInitialWindow = e.value;
          this.#peerFlowControl = true;
          for (const s of this.#streams.values()) s.sendWindow += delta;
          this.#wakeWriters();
        }
        return;
      case 'window_update':
        this.#peerFlowControl = true;
        if (f.streamId === 0) this.#sessionSendWindow += f.delta;
        else {
          const s = this.#streams.get(f.streamId);
          if (s) s.sendWindow += f.delta;
        }
        this.#wakeWriters();
        return;
      case 'ping': {
        const ours = (f.id % 2 === 0) === this.#server;
        if (ours) {
          const done = this.#pings.get(f.id);
          this.#pings.delete(f.id);
          done?.();
        } else {
          void this.#send({ type: 'ping', id: f.id }).catch(() => undefined);
        }
        return;
      }
      case 'goaway':
        this.#goneAway = true;
        this.emit('goaway', f.lastGoodStreamId);
        if (this.#streams.size === 0) void this.close();
        return;
    }
  }

  #onSynStream(f: Extract<SpdyFrame, { type: 'syn_stream' }>): void {
    const fromPeer = this.#server ? f.streamId % 2 === 1 : f.streamId % 2 === 0;
    if (!fromPeer || f.streamId <= this.#lastRemoteStreamId || this.#goneAway) {
      void this.#send({ type: 'rst_stream', streamId: f.streamId, status: this.#goneAway ? RstStatus.RefusedStream : RstStatus.ProtocolError }).catch(() => undefined);
      return;
    }
    this.#lastRemoteStreamId = f.streamId;
    const s = new SpdyStream(f.streamId, f.headers, this.#peerInitialWindow, this.#hooks);
    this.#streams.set(f.streamId, s);
    if (f.unidirectional) s.localClosed = true;
    // Accept at once, as httpstream/spdy does for every stream its handler takes.
    void this.#send({ type: 'syn_reply', streamId: f.streamId, fin: false, headers: {} }).catch(() => undefined);
    if (f.fin) this.#remoteFin(s);
    if (this.listenerCount('stream') === 0) s.reset(RstStatus.RefusedStream);
    else this.emit('stream', s);
  }

  #remoteFin(s: SpdyStream): void {
    if (s.remoteClosed) return;
    s.remoteClosed = true;
    s.push(null);
    if (s.localClosed) this.#forget(s);
  }

  #forget(s: SpdyStream): void {
    if (this.#streams.get(s.id) !== s) return;
    this.#streams.delete(s.id);
    if (this.#goneAway && this.#streams.size === 0 && !this.#closed) void this.close();
  }

  #consumed(s: SpdyStream, n: number): void {
    if (!s.remoteClosed && !this.#closed) void this.#send({ type: 'window_update', streamId: s.id, delta: n }).catch(() => undefined);
    this.#sessionConsumed(n);
  }

  #sessionConsumed(n: number): void {
    this.#sessionUnacked += n;
    if (this.#sessionUnacked >= DEFAULT_WINDOW / 2 && !this.#closed) {
      const delta = this.#sessionUnacked;
      this.#sessionUnacked = 0;
      void this.#send({ type: 'window_update', streamId: 0, delta }).catch(() => undefined);
    }
  }

  #wakeWriters(): void {
    for (const w of this.#windowWaiters.splice(0)) w();
  }

  async #sendData(s: SpdyStream, data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) {
      if (this.#closed) throw new SpdyProtocolError('the connection is closed');
      if (s.localClosed || s.resetReceived) throw new SpdyProtocolError(`stream ${s.id} is closed for writing`);
      let n = Math.min(data.length - off, MAX_DATA_CHUNK);
      if (this.#peerFlowControl) {
        n = Math.min(n, s.sendWindow, this.#sessionSendWindow);
        if (n <= 0) {
          await new Promise<void>((resolve) => this.#windowWaiters.push(resolve));
          continue;
        }
      }
      s.sendWindow -= n;
      this.#sessionSendWindow -= n;
      await this.#send({ type: 'data', streamId: s.id, fin: false, data: data.subarray(off, off + n) });
      off += n;
    }
  }

  async #sendFin(s: SpdyStream): Promise<void> {
    if (s.localClosed) return;
    s.localClosed = true;
    if (this.#closed || s.resetReceived) return;
    await this.#send({ type: 'data', streamId: s.id, fin: true, data: Buffer.alloc(0) });
    if (s.remoteClosed) this.#forget(s);
  }

  /** Queues a frame; frames go out in the order queued (header blocks compress in that order). */
  #send(frame: SpdyFrame): Promise<void> {
    const write = async (): Promise<void> => {
      if (this.#closed || this.#socket.destroyed) throw new SpdyProtocolError('the connection is closed');
      let compressed: Buffer | undefined;
      if (frame.type === 'syn_stream' || frame.type === 'syn_reply' || frame.type === 'headers') {
        compressed = await this.#deflate.process(encodeHeaderBlock(frame.headers));
      }
      const buf = encodeFrame(frame, compressed);
      if (!this.#socket.write(buf)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.#socket.off('drain', done);
            this.#socket.off('close', done);
            resolve();
          };
          this.#socket.on('drain', done);
          this.#socket.on('close', done);
        });
      }
    };
    const p = this.#outChain.then(write);
    this.#outChain = p.catch(() => undefined);
    return p;
  }
}
