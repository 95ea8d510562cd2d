// One zlib stream per direction for SPDY header blocks: each block is compressed (or inflated)
// as a continuation of everything before it on the connection and ended with a sync flush, so
// the peer can decode it at once. Node's zlib streams are asynchronous; blocks are processed one
// after another through a promise chain, in the order the frames are sent or received.
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.ts';
import { SpdyProtocolError } from './frames.ts';

export class HeaderZlib {
  readonly #z: Deflate | Inflate;
  #chain: Promise<unknown> = Promise.resolve();
  #failed: Error | undefined;

  private constructor(z: Deflate | Inflate) {
    this.#z = z;
    z.on('error', (err: Error) => {
      this.#failed = err;
    });
  }

  static compressor(): HeaderZlib {
    return new HeaderZlib(createDeflate({ dictionary: SPDY3_DICTIONARY, level: constants.Z_BEST_COMPRESSION }));
  }

  static decompressor(): HeaderZlib {
    return new HeaderZlib(createInflate({ dictionary: SPDY3_DICTIONARY }));
  }

  /** Runs one block through the stream; resolves with everything it produced up to the flush. */
  process(block: Buffer): Promise<Buffer> {
    const run = (): Promise<Buffer> => new Promise<Buffer>((resolve, reject) => {
      if (this.#failed) {
        reject(new SpdyProtocolError(`header compression failed: ${this.#failed.message}`, { cause: this.#failed }));
        return;
      }
      const out: Buffer[] = [];
      const onData = (c: Buffer): void => { out.push(c); };
      const onError = (err: Error): void => {
        this.#z.off('data', onData);
        reject(new SpdyProtocolError(`header block cannot be decompressed: ${err.message}`, { cause: err }));
      };
      this.#z.on('data', onData);
      this.#z.once('error', onError);
      this.#z.write(block);
      this.#z.flush(constants.Z_SYNC_FLUSH, () => {
        this.#z.off('data', onData);
        this.#z.off('error', onError);
        if (this.#failed) reject(new SpdyProtocolError(`header block cannot be decompressed: ${this.#failed.message}`, { cause: this.#failed }));
        else resolve(Buffer.concat(out));
      });
    });
    const p = this.#chain.then(run);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.#z.destroy();
  }
}
