// Checks the shape of manifests, indexes and configs before the store relies on them, so a bad
// document fails with a message naming the field rather than a TypeError later.
import { isDigest } from './digest.ts';
import { InvalidImage } from './errors.ts';
import { isIndexMediaType } from './media-types.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from './oci-types.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) throw new InvalidImage(`${what}: expected a descriptor object`);
  if (typeof v.mediaType !== 'string') throw new InvalidImage(`${what}: mediaType must be a string`);
  if (!isDigest(v.digest)) throw new InvalidImage(`${what}: digest must be sha256:<64 hex>, got ${JSON.stringify(v.digest)}`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) throw new InvalidImage(`${what}: size must be a non-negative integer`);
  return v as unknown as Descriptor;
}

export function parseManifest(v: unknown, what: string): ImageManifest {
  if (!isObject(v)) throw new InvalidImage(`${what}: expected a JSON object`);
  if (typeof v.mediaType === 'string' && isIndexMediaType(v.mediaType)) throw new InvalidImage(`${what}: is an image index, not a manifest`);
  if (v.schemaVersion !== 2) throw new InvalidImage(`${what}: schemaVersion must be 2`);
  parseDescriptor(v.config, `${what}: config`);
  if (!Array.isArray(v.layers)) throw new InvalidImage(`${what}: layers must be an array`);
  v.layers.forEach((l, i) => parseDescriptor(l, `${what}: layers[${i}]`));
  return v as unknown as ImageManifest;
}

export function parseIndex(v: unknown, what: string): ImageIndex {
  if (!isObject(v)) throw new InvalidImage(`${what}: expected a JSON object`);
  if (v.schemaVersion !== 2) throw new InvalidImage(`${what}: schemaVersion must be 2`);
  if (!Array.isArray(v.manifests)) throw new InvalidImage(`${what}: manifests must be an array`);
  v.manifests.forEach((m, i) => parseDescriptor(m, `${what}: manifests[${i}]`));
  return v as unknown as ImageIndex;
}

export function parseConfig(v: unknown, what: string): ImageConfig {
  if (!isObject(v)) throw new InvalidImage(`${what}: expected a JSON object`);
  const rootfs = v.rootfs;
  if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids)) throw new InvalidImage(`${what}: rootfs.diff_ids must be an array`);
  rootfs.diff_ids.forEach((d, i) => {
    if (!isDigest(d)) throw new InvalidImage(`${what}: rootfs.diff_ids[${i}] must be a sha256 digest`);
  });
  if (v.config !== undefined && v.config !== null && !isObject(v.config)) throw new InvalidImage(`${what}: config must be an object`);
  return v as unknown as ImageConfig;
}

/** Whether a manifest's declared compressed layers line up with its config's diff_ids. */
export function checkLayersMatchConfig(manifest: ImageManifest, config: ImageConfig, what: string): void {
  if (manifest.layers.length !== config.rootfs.diff_ids.length) {
    throw new InvalidImage(`${what}: manifest has ${manifest.layers.length} layers but config lists ${config.rootfs.diff_ids.length} diff_ids`);
  }
}
