// Helpers for this folder's tests: temp dirs, layers crafted with tar-stream, images written
// straight into a store or into an OCI layout on disk.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256Digest } from './digest.ts';
import type { ImageStore } from './image-store.ts';
import { MEDIA_OCI_CONFIG, MEDIA_OCI_INDEX, MEDIA_OCI_LAYER, MEDIA_OCI_LAYER_GZIP, MEDIA_OCI_LAYER_ZSTD, MEDIA_OCI_MANIFEST } from './media-types.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from './oci-types.ts';
import { buildTar } from './tar-build.ts';
import type { TarEntrySpec } from './tar-build.ts';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-images-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface LayerSpec {
  entries: TarEntrySpec[];
  compression?: 'none' | 'gzip' | 'zstd';
  omitEndBlocks?: boolean;
}

export interface BuiltLayer {
  blob: Buffer;
  diffId: string;
  descriptor: Descriptor;
}

export async function makeLayer(spec: LayerSpec): Promise<BuiltLayer> {
  const tarball = await buildTar(spec.entries, spec.omitEndBlocks ? { omitEndBlocks: true } : {});
  const compression = spec.compression ?? 'gzip';
  const blob = compression === 'gzip' ? gzipSync(tarball) : compression === 'zstd' ? execFileSync('zstd', ['-q', '-c'], { input: tarball }) : tarball;
  const mediaType = compression === 'gzip' ? MEDIA_OCI_LAYER_GZIP : compression === 'zstd' ? MEDIA_OCI_LAYER_ZSTD : MEDIA_OCI_LAYER;
  return { blob, diffId: sha256Digest(tarball), descriptor: { mediaType, digest: sha256Digest(blob), size: blob.length } };
}

export interface BuiltImage {
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  layers: BuiltLayer[];
}

export function makeImage(layers: BuiltLayer[], extra: Partial<ImageConfig> = {}): BuiltImage {
  const configDoc: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['sh'], Env: ['PATH=/bin'] },
    ...extra,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  };
  const config = Buffer.from(JSON.stringify(configDoc));
  const manifestDoc: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_OCI_MANIFEST,
    config: { mediaType: MEDIA_OCI_CONFIG, digest: sha256Digest(config), size: config.length },
    layers: layers.map((l) => l.descriptor),
  };
  const manifest = Buffer.from(JSON.stringify(manifestDoc));
  return { manifest, manifestDigest: sha256Digest(manifest), config, layers };
}

/** Stores an image as a puller would: blobs first, then commitImage. */
export async function storeImage(store: ImageStore, names: string[], image: BuiltImage): Promise<string> {
  await store.update(async (tx) => {
    for (const l of image.layers) await tx.writeBlob(l.blob, { digest: l.descriptor.digest });
    await tx.writeBlob(image.config);
    await tx.writeBlob(image.manifest);
    await tx.commitImage(image.manifestDigest, names);
  });
  return image.manifestDigest;
}

export interface LayoutEntry {
  image: BuiltImage;
  refName?: string;
  /** Wrap the image in a manifest list that also offers these other platforms. */
  listWith?: { platform: Platform; image: BuiltImage }[];
  platform?: Platform;
}

/** Writes an OCI image layout holding `entries` into `dir`. */
export async function writeOciLayout(dir: string, entries: LayoutEntry[]): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (data: Buffer): Promise<void> => writeFile(join(dir, 'blobs', 'sha256', sha256Digest(data).slice(7)), data);
  const putImage = async (image: BuiltImage): Promise<Descriptor> => {
    for (const l of image.layers) await put(l.blob);
    await put(image.config);
    await put(image.manifest);
    return { mediaType: MEDIA_OCI_MANIFEST, digest: image.manifestDigest, size: image.manifest.length };
  };
  const top: Descriptor[] = [];
  for (const e of entries) {
    let desc = await putImage(e.image);
    if (e.listWith) {
      const manifests: Descriptor[] = [];
      for (const other of e.listWith) manifests.push({ ...(await putImage(other.image)), platform: other.platform });
      manifests.push({ ...desc, platform: e.platform ?? { os: 'linux', architecture: 'amd64' } });
      const list: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_OCI_INDEX, manifests };
      const data = Buffer.from(JSON.stringify(list));
      await put(data);
      desc = { mediaType: MEDIA_OCI_INDEX, digest: sha256Digest(data), size: data.length };
    }
    if (e.refName !== undefined) desc = { ...desc, annotations: { 'org.opencontainers.image.ref.name': e.refName } };
    top.push(desc);
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: top }));
}

/** Every file under `dir` as `path → size`, to compare a store before and after a failed change. */
export function snapshotTree(dir: string): string {
  return execFileSync('find', [dir, '-printf', '%P %y %s\n'], { encoding: 'utf8' }).split('\n').sort().join('\n');
}
