// Content-addressed blobs under `<root>/blobs/sha256/<hex>`. Writes are verified: the content is
// hashed while it streams into a temp file, which is renamed into place only when digest (and
// size, when known) match. A failed write leaves nothing behind.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { digestHex, isDigest } from './digest.ts';
import { STALE_TEMP_MS, removeStale } from './stale-temp.ts';
import { DigestMismatch, InvalidImage } from './errors.ts';

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface WrittenBlob extends BlobInfo {
  /** False when the store already held the blob. */
  created: boolean;
}

export interface ExpectedBlob {
  digest?: string;
  size?: number;
  /** Names the blob in error messages, e.g. `layer 2 of "x.tar"`. */
  what?: string;
}

export type BlobSource = Uint8Array | Readable | AsyncIterable<Uint8Array>;

export class BlobStore {
  readonly dir: string;
  readonly #tmpDir: string;

  constructor(root: string) {
    this.dir = join(root, 'blobs', 'sha256');
    this.#tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.#tmpDir, { recursive: true });
  }

  path(digest: string): string {
    return join(this.dir, digestHex(digest));
  }

  async has(digest: string): Promise<boolean> {
    return (await this.size(digest)) !== undefined;
  }

  /** Size of a stored blob, or `undefined` when absent. */
  async size(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Stores a blob. With `expected.digest` the content must hash to it, else DigestMismatch is
   * thrown and nothing is kept; when the blob is already present the source is not read.
   */
  async write(source: BlobSource, expected: ExpectedBlob = {}): Promise<WrittenBlob> {
    const what = expected.what ?? 'blob';
    if (expected.digest !== undefined) {
      if (!isDigest(expected.digest)) throw new InvalidImage(`${what}: "${expected.digest}" is not a sha256 digest`);
      const have = await this.size(expected.digest);
      if (have !== undefined) {
        if (isReadable(source)) source.destroy();
        return { digest: expected.digest, size: have, created: false };
      }
    }
    const tmp = join(this.#tmpDir, `blob-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      const fh = await open(tmp, 'wx', 0o644);
      try {
        const chunks: AsyncIterable<Uint8Array> | Uint8Array[] = source instanceof Uint8Array ? [source] : source;
        for await (const chunk of chunks) {
          hash.update(chunk);
          size += chunk.length;
          await fh.write(chunk);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected.digest !== undefined && digest !== expected.digest) throw new DigestMismatch(what, expected.digest, digest);
      if (expected.size !== undefined && size !== expected.size) {
        throw new InvalidImage(`${what}: size mismatch: expected ${expected.size} bytes, got ${size}`);
      }
      const existed = await this.has(digest);
      if (existed) {
        await rm(tmp, { force: true });
      } else {
        await rename(tmp, this.path(digest));
      }
      return { digest, size, created: !existed };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async writeJson(value: unknown): Promise<WrittenBlob> {
    return this.write(Buffer.from(JSON.stringify(value)));
  }

  async read(digest: string, what = 'blob'): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidImage(`${what} ${digest} is missing from the store`, { cause: err });
      throw err;
    }
  }

  async readJson(digest: string, what = 'blob'): Promise<unknown> {
    const data = await this.read(digest, what);
    try {
      return JSON.parse(data.toString('utf8'));
    } catch (err) {
      throw new InvalidImage(`${what} ${digest} is not valid JSON`, { cause: err });
    }
  }

  stream(digest: string): Readable {
    return createReadStream(this.path(digest));
  }

  async delete(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /**
   * Removes temp files left by writes a crash interrupted: those untouched for `olderThanMs`, so
   * another process's write in progress survives.
   */
  async cleanTemp(olderThanMs = STALE_TEMP_MS): Promise<void> {
    await removeStale(this.#tmpDir, () => true, olderThanMs);
  }

  get tmpDir(): string {
    return this.#tmpDir;
  }
}

function isReadable(source: BlobSource): source is Readable {
  return typeof (source as Readable).destroy === 'function';
}
