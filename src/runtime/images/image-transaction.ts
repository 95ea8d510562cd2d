// One change to the store (an import, a pull, building the base images): blobs written and
// snapshots unpacked through it are removed again if the change fails, and its tags are written
// only when it succeeds, so a failed change leaves the store as it was.
import type { BlobSource, BlobStore, ExpectedBlob, WrittenBlob } from './blob-store.ts';
import { InvalidImage } from './errors.ts';
import { checkLayersMatchConfig, parseConfig, parseManifest } from './image-documents.ts';
import type { ImageConfig, ImageManifest } from './oci-types.ts';
import { normalizeReference } from './reference.ts';
import type { SnapshotStore } from './snapshot-store.ts';

export class ImageTransaction {
  readonly #blobs: BlobStore;
  readonly #snapshots: SnapshotStore;
  readonly #createdBlobs: string[] = [];
  readonly #createdSnapshots: string[] = [];
  readonly #tags = new Map<string, string>();

  constructor(blobs: BlobStore, snapshots: SnapshotStore) {
    this.#blobs = blobs;
    this.#snapshots = snapshots;
  }

  /** Stores a blob, verified against `expected.digest` when given (see BlobStore.write). */
  async writeBlob(source: BlobSource, expected: ExpectedBlob = {}): Promise<WrittenBlob> {
    const written = await this.#blobs.write(source, expected);
    if (written.created) this.#createdBlobs.push(written.digest);
    return written;
  }

  async writeJson(value: unknown): Promise<WrittenBlob> {
    return this.writeBlob(Buffer.from(JSON.stringify(value)));
  }

  /**
   * Makes the image whose manifest blob is `manifestDigest` usable: checks that its config and
   * layers are stored, unpacks missing layer snapshots (verifying each diff_id), and stages
   * `names` to point at it once the transaction completes.
   */
  async commitImage(manifestDigest: string, names: readonly string[]): Promise<{ manifest: ImageManifest; config: ImageConfig }> {
    const what = `image ${names[0] ?? manifestDigest}`;
    const manifest = parseManifest(await this.#blobs.readJson(manifestDigest, `${what}: manifest`), `${what}: manifest ${manifestDigest}`);
    const config = parseConfig(await this.#blobs.readJson(manifest.config.digest, `${what}: config`), `${what}: config ${manifest.config.digest}`);
    checkLayersMatchConfig(manifest, config, what);
    for (const [i, layer] of manifest.layers.entries()) {
      const size = await this.#blobs.size(layer.digest);
      if (size === undefined) throw new InvalidImage(`${what}: layer ${i + 1} (${layer.digest}) is missing from the store`);
      if (size !== layer.size) throw new InvalidImage(`${what}: layer ${i + 1} (${layer.digest}) is ${size} bytes, manifest says ${layer.size}`);
    }
    for (const [i, layer] of manifest.layers.entries()) {
      const diffId = config.rootfs.diff_ids[i]!;
      const created = await this.#snapshots.ensure({
        diffId,
        mediaType: layer.mediaType,
        open: () => this.#blobs.stream(layer.digest),
        what: `${what}: layer ${i + 1} (${layer.digest})`,
      });
      if (created) this.#createdSnapshots.push(diffId);
    }
    for (const name of names) this.#tags.set(normalizeReference(name), manifestDigest);
    return { manifest, config };
  }

  /** Tags staged by commitImage, written by ImageStore when the transaction succeeds. */
  get stagedTags(): ReadonlyMap<string, string> {
    return this.#tags;
  }

  /** Undoes what this transaction created. */
  async rollback(): Promise<void> {
    for (const id of this.#createdSnapshots) await this.#snapshots.remove(id);
    for (const digest of this.#createdBlobs) await this.#blobs.delete(digest);
  }
}
