// Turns a layer blob into its uncompressed tar stream. The compression is taken from the magic
// bytes (what the data really is) after checking the media type is one skiff can unpack at all:
// registries and tools mislabel layers often enough that docker and containerd sniff too.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { Decompress } from 'fzstd';
import { InvalidImage } from './errors.ts';
import { layerCompression } from './media-types.ts';
import type { Compression } from './media-types.ts';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export function sniffCompression(head: Uint8Array): Compression {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/**
 * The uncompressed bytes of `source`. `mediaType` (when given) must name a tar layer; errors of
 * the decompressor are rethrown as InvalidImage naming `what`.
 */
export async function* decompressLayer(source: AsyncIterable<Uint8Array>, mediaType: string | undefined, what: string): AsyncGenerator<Uint8Array> {
  if (mediaType !== undefined && layerCompression(mediaType) === undefined) {
    throw new InvalidImage(`${what}: unsupported layer media type "${mediaType}"`);
  }
  const it = source[Symbol.asyncIterator]();
  const headChunks: Uint8Array[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < 4) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    headChunks.push(r.value);
    headLength += r.value.length;
  }
  const head = Buffer.concat(headChunks);
  async function* all(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const kind = sniffCompression(head);
  if (kind === 'none') yield* all();
  else if (kind === 'gzip') yield* gunzip(all(), what);
  else yield* unzstd(all(), what);
}

function corrupt(kind: Compression, what: string, err: unknown): InvalidImage {
  return new InvalidImage(`${what}: truncated or corrupt ${kind} data: ${(err as Error).message}`, { cause: err });
}

async function* gunzip(input: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<Uint8Array> {
  const source = Readable.from(input, { objectMode: false });
  const gz = createGunzip();
  let sourceError: unknown;
  source.on('error', (err) => {
    sourceError = err;
    gz.destroy(err);
  });
  source.pipe(gz);
  try {
    for await (const chunk of gz) yield chunk as Buffer;
  } catch (err) {
    throw err === sourceError ? err : corrupt('gzip', what, err);
  } finally {
    source.destroy();
  }
}

async function* unzstd(input: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const z = new Decompress((data) => { out.push(data); });
  const push = (chunk: Uint8Array, final: boolean): void => {
    try {
      z.push(chunk, final);
    } catch (err) {
      throw corrupt('zstd', what, err);
    }
  };
  let last: Uint8Array | undefined;
  // fzstd must be told which push is the final one: hold one chunk back.
  for await (const chunk of input) {
    if (last) {
      push(last, false);
      yield* out.splice(0);
    }
    last = chunk;
  }
  push(last ?? new Uint8Array(0), true);
  yield* out.splice(0);
}

function startsWith(data: Uint8Array, magic: number[]): boolean {
  return data.length >= magic.length && magic.every((b, i) => data[i] === b);
}
