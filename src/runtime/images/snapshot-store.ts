// Unpacked layers under `<root>/snapshots/<diffid-hex>/fs`, one per distinct uncompressed layer
// and shared by every image using it. A layer is unpacked into `.tmp-*` beside the final name and
// renamed into place once complete and its diff_id verified, so a crash never leaves a half
// snapshot under a real name.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex } from './digest.ts';
import { decompressLayer } from './decompress.ts';
import { DigestMismatch } from './errors.ts';
import { applyLayer } from './layer-apply.ts';
import { STALE_TEMP_MS, removeStale } from './stale-temp.ts';

export interface UnpackRequest {
  /** The layer's uncompressed digest, `rootfs.diff_ids[i]` of the image config. */
  diffId: string;
  mediaType: string;
  /** Opens the (possibly compressed) layer blob. */
  open: () => AsyncIterable<Uint8Array>;
  /** Names the layer in error messages. */
  what: string;
}

export class SnapshotStore {
  readonly dir: string;
  readonly #inFlight = new Map<string, Promise<boolean>>();

  constructor(root: string) {
    this.dir = join(root, 'snapshots');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** The directory an overlay mount uses as a lower dir for this layer. */
  fsPath(diffId: string): string {
    return join(this.dir, digestHex(diffId), 'fs');
  }

  async has(diffId: string): Promise<boolean> {
    try {
      return (await stat(this.fsPath(diffId))).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Snapshot ids (diff_id hex) present. */
  async list(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n));
  }

  /** Unpacks the layer unless its snapshot exists; resolves true when this call created it. */
  async ensure(req: UnpackRequest): Promise<boolean> {
    const hex = digestHex(req.diffId);
    const running = this.#inFlight.get(hex);
    if (running) {
      await running;
      return false;
    }
    const p = this.#unpack(hex, req).finally(() => this.#inFlight.delete(hex));
    this.#inFlight.set(hex, p);
    return p;
  }

  async #unpack(hex: string, req: UnpackRequest): Promise<boolean> {
    if (await this.has(req.diffId)) return false;
    const tmp = join(this.dir, `.tmp-${hex.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(join(tmp, 'fs'), { recursive: true, mode: 0o755 });
      const hash = createHash('sha256');
      async function* tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
        for await (const chunk of source) {
          hash.update(chunk);
          yield chunk;
        }
      }
      await applyLayer(tap(decompressLayer(req.open(), req.mediaType, req.what)), join(tmp, 'fs'), req.what);
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== req.diffId) throw new DigestMismatch(`${req.what}: uncompressed content (diff_id)`, req.diffId, actual);
      try {
        await rename(tmp, join(this.dir, hex));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') return false; // another process won the race
        throw err;
      }
      return true;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Removes a snapshot: renamed aside first so it never looks complete while half deleted. */
  async remove(id: string): Promise<void> {
    const hex = id.startsWith('sha256:') ? digestHex(id) : id;
    const aside = join(this.dir, `.tmp-rm-${hex.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(join(this.dir, hex), aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(aside, { recursive: true, force: true });
  }

  /** Removes leftovers of unpacks or removals a crash interrupted (untouched for `olderThanMs`). */
  async cleanTemp(olderThanMs = STALE_TEMP_MS): Promise<void> {
    await removeStale(this.dir, (name) => name.startsWith('.tmp-'), olderThanMs);
  }
}
