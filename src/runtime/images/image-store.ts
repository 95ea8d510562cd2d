// The image store: content-addressed blobs, unpacked layer snapshots and the tag index under one
// root (the engine uses `<dataDir>/images`). Changes run one at a time through `update`; reads
// need no lock because every file they read is replaced atomically.
import { join } from 'node:path';
import { BlobStore } from './blob-store.ts';
import { digestHex } from './digest.ts';
import { ImageNotFound, InvalidImage, InvalidReference } from './errors.ts';
import { parseConfig, parseManifest } from './image-documents.ts';
import { ImageTransaction } from './image-transaction.ts';
import { Mutex } from './mutex.ts';
import type { ImageConfig, ImageManifest } from './oci-types.ts';
import { formatReference, parseReference, repositoryName } from './reference.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { TagIndex } from './tag-index.ts';

export interface ImageSummary {
  /** Normalised references pointing at this image, sorted. */
  names: string[];
  /** Digest of the manifest: the image's identity in the store. */
  digest: string;
  configDigest: string;
  /** Bytes of config and layer blobs as stored (compressed layers count compressed). */
  size: number;
  created?: string;
  os: string;
  architecture: string;
}

export interface ImageLayer {
  digest: string;
  mediaType: string;
  size: number;
  diffId: string;
  /** Snapshot id (diff_id hex); its files are in `<root>/snapshots/<id>/fs`. */
  snapshot: string;
}

export interface ImageRuntimeConfig {
  Entrypoint: string[] | null;
  Cmd: string[] | null;
  Env: string[];
  WorkingDir: string;
  User: string;
  ExposedPorts: string[];
  Labels: Record<string, string>;
  StopSignal?: string;
}

export interface ImageDetails extends ImageSummary {
  config: ImageRuntimeConfig;
  layers: ImageLayer[];
}

export interface RemoveResult {
  untagged: string[];
  /** Manifest and config digests deleted because no tag was left. */
  deleted: string[];
}

export interface PruneOptions {
  /** Snapshots containers still use (diff_id hex or `sha256:` form): kept even if no image uses them. */
  inUseSnapshots?: Iterable<string>;
}

export interface PruneResult {
  blobs: string[];
  snapshots: string[];
  reclaimedBytes: number;
}

const ID_PREFIX = /^(?:sha256:)?([a-f0-9]{12,64})$/;

export class ImageStore {
  readonly root: string;
  readonly blobs: BlobStore;
  readonly snapshots: SnapshotStore;
  readonly #tags: TagIndex;
  readonly #mutex = new Mutex();

  private constructor(root: string) {
    this.root = root;
    this.blobs = new BlobStore(root);
    this.snapshots = new SnapshotStore(root);
    this.#tags = new TagIndex(root);
  }

  /** Opens (creating if needed) the store at `root` and clears what interrupted writes left. */
  static async open(root: string): Promise<ImageStore> {
    const store = new ImageStore(root);
    await store.blobs.init();
    await store.snapshots.init();
    await store.blobs.cleanTemp();
    await store.snapshots.cleanTemp();
    return store;
  }

  /**
   * Runs one change. Blobs and snapshots the transaction created are removed if `fn` throws;
   * tags staged with `tx.commitImage` are written only when it succeeds.
   */
  async update<T>(fn: (tx: ImageTransaction) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      const tx = new ImageTransaction(this.blobs, this.snapshots);
      let result: T;
      try {
        result = await fn(tx);
        if (tx.stagedTags.size > 0) {
          const tags = await this.#tags.read();
          for (const [name, digest] of tx.stagedTags) tags.set(name, digest);
          await this.#tags.write(tags);
        }
      } catch (err) {
        await tx.rollback();
        throw err;
      }
      return result;
    });
  }

  /** Registers an image whose manifest, config and layer blobs are already stored (e.g. by a puller). */
  async commitImage(manifestDigest: string, names: readonly string[]): Promise<ImageSummary> {
    await this.update((tx) => tx.commitImage(manifestDigest, names));
    return this.#summary(manifestDigest, await this.#tags.read());
  }

  /** The manifest digest a reference names: a tag (either form), `name@sha256:…`, or an id prefix. */
  async resolve(ref: string): Promise<string> {
    return this.#resolveIn(ref, await this.#tags.read());
  }

  async listImages(): Promise<ImageSummary[]> {
    const tags = await this.#tags.read();
    const digests = [...new Set(tags.values())];
    const images = await Promise.all(digests.map((d) => this.#summary(d, tags)));
    return images.sort((a, b) => (a.names[0]! < b.names[0]! ? -1 : 1));
  }

  async inspectImage(ref: string): Promise<ImageDetails> {
    const tags = await this.#tags.read();
    const digest = this.#resolveIn(ref, tags);
    const { manifest, config } = await this.#documents(digest);
    const c = config.config ?? {};
    const runtime: ImageRuntimeConfig = {
      Entrypoint: c.Entrypoint ?? null,
      Cmd: c.Cmd ?? null,
      Env: c.Env ?? [],
      WorkingDir: c.WorkingDir ?? '',
      User: c.User ?? '',
      ExposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
      Labels: c.Labels ?? {},
    };
    if (c.StopSignal !== undefined) runtime.StopSignal = c.StopSignal;
    return {
      ...summarise(digest, manifest, config, tags),
      config: runtime,
      layers: manifest.layers.map((l, i) => {
        const diffId = config.rootfs.diff_ids[i]!;
        return { digest: l.digest, mediaType: l.mediaType, size: l.size, diffId, snapshot: digestHex(diffId) };
      }),
    };
  }

  /** Snapshot ids (diff_id hex) of an image's layers, lowest first. */
  async snapshotIds(ref: string): Promise<string[]> {
    const { config } = await this.#documents(await this.resolve(ref));
    return config.rootfs.diff_ids.map(digestHex);
  }

  /**
   * The `fs` directories of an image's layers, lowest first (overlayfs's `lowerdir=` wants them
   * the other way round: top layer first). Snapshots removed behind the store's back are
   * unpacked again from their blobs.
   */
  async rootfsLayers(ref: string): Promise<string[]> {
    const digest = await this.resolve(ref);
    const { config } = await this.#documents(digest);
    let missing = false;
    for (const diffId of config.rootfs.diff_ids) if (!(await this.snapshots.has(diffId))) missing = true;
    if (missing) await this.update(async (tx) => { await tx.commitImage(digest, []); });
    return config.rootfs.diff_ids.map((d) => this.snapshots.fsPath(d));
  }

  /**
   * Untags `ref`; given an id or digest, removes every tag of that image. When no tag is left the
   * manifest and config blobs go too; layers and snapshots stay until `prune`.
   */
  async removeImage(ref: string): Promise<RemoveResult> {
    return this.#mutex.run(async () => {
      const tags = await this.#tags.read();
      const digest = this.#resolveIn(ref, tags);
      const byName = !ID_PREFIX.test(ref.trim()) && parseReference(ref).digest === undefined;
      const untagged = byName
        ? [formatReference(parseReference(ref))]
        : [...tags].filter(([, d]) => d === digest).map(([n]) => n);
      for (const name of untagged) tags.delete(name);
      await this.#tags.write(tags);
      const deleted: string[] = [];
      if (![...tags.values()].includes(digest)) {
        const manifest = parseManifest(await this.blobs.readJson(digest, 'manifest'), `manifest ${digest}`);
        const configInUse = await this.#configsInUse(tags);
        await this.blobs.delete(digest);
        deleted.push(digest);
        if (!configInUse.has(manifest.config.digest)) {
          await this.blobs.delete(manifest.config.digest);
          deleted.push(manifest.config.digest);
        }
      }
      return { untagged, deleted };
    });
  }

  /** Removes blobs and snapshots no tagged image uses, keeping `inUseSnapshots`. */
  async prune(options: PruneOptions = {}): Promise<PruneResult> {
    return this.#mutex.run(async () => {
      const tags = await this.#tags.read();
      const keepBlobs = new Set<string>();
      const keepSnapshots = new Set<string>();
      for (const s of options.inUseSnapshots ?? []) keepSnapshots.add(s.startsWith('sha256:') ? digestHex(s) : s);
      for (const digest of new Set(tags.values())) {
        const { manifest, config } = await this.#documents(digest);
        keepBlobs.add(digest);
        keepBlobs.add(manifest.config.digest);
        for (const l of manifest.layers) keepBlobs.add(l.digest);
        for (const d of config.rootfs.diff_ids) keepSnapshots.add(digestHex(d));
      }
      const result: PruneResult = { blobs: [], snapshots: [], reclaimedBytes: 0 };
      for (const digest of await this.blobs.list()) {
        if (keepBlobs.has(digest)) continue;
        result.reclaimedBytes += (await this.blobs.size(digest)) ?? 0;
        await this.blobs.delete(digest);
        result.blobs.push(digest);
      }
      for (const id of await this.snapshots.list()) {
        if (keepSnapshots.has(id)) continue;
        await this.snapshots.remove(id);
        result.snapshots.push(id);
      }
      return result;
    });
  }

  get tagIndexPath(): string {
    return join(this.root, 'tags.json');
  }

  #resolveIn(ref: string, tags: Map<string, string>): string {
    const trimmed = ref.trim();
    const id = ID_PREFIX.exec(trimmed);
    if (id) {
      const matches = [...new Set(tags.values())].filter((d) => digestHex(d).startsWith(id[1]!));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new InvalidReference(ref, `matches ${matches.length} images`);
    }
    const parsed = parseReference(trimmed);
    if (parsed.digest !== undefined) {
      const repo = repositoryName(parsed);
      for (const [name, digest] of tags) if (digest === parsed.digest && name.startsWith(`${repo}:`)) return digest;
      // Pulled by digest: recorded under `repo@sha256:…` (which may name an index resolved to this platform's manifest).
      const byDigest = tags.get(formatReference(parsed));
      if (byDigest !== undefined) return byDigest;
      throw new ImageNotFound(ref);
    }
    const digest = tags.get(formatReference(parsed));
    if (digest === undefined) throw new ImageNotFound(ref);
    return digest;
  }

  async #documents(digest: string): Promise<{ manifest: ImageManifest; config: ImageConfig }> {
    const manifest = parseManifest(await this.blobs.readJson(digest, 'manifest'), `manifest ${digest}`);
    const config = parseConfig(await this.blobs.readJson(manifest.config.digest, 'config'), `config ${manifest.config.digest}`);
    if (config.rootfs.diff_ids.length !== manifest.layers.length) throw new InvalidImage(`manifest ${digest}: layers and diff_ids differ in number`);
    return { manifest, config };
  }

  async #summary(digest: string, tags: Map<string, string>): Promise<ImageSummary> {
    const { manifest, config } = await this.#documents(digest);
    return summarise(digest, manifest, config, tags);
  }

  async #configsInUse(tags: Map<string, string>): Promise<Set<string>> {
    const configs = new Set<string>();
    for (const digest of new Set(tags.values())) {
      const manifest = parseManifest(await this.blobs.readJson(digest, 'manifest'), `manifest ${digest}`);
      configs.add(manifest.config.digest);
    }
    return configs;
  }
}

function summarise(digest: string, manifest: ImageManifest, config: ImageConfig, tags: Map<string, string>): ImageSummary {
  const summary: ImageSummary = {
    names: [...tags].filter(([, d]) => d === digest).map(([n]) => n).sort(),
    digest,
    configDigest: manifest.config.digest,
    size: manifest.config.size + manifest.layers.reduce((sum, l) => sum + l.size, 0),
    os: config.os,
    architecture: config.architecture,
  };
  if (config.created !== undefined) summary.created = config.created;
  return summary;
}
