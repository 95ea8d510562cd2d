// Imports an unpacked OCI image layout: `oci-layout`, `index.json` (entries may be manifests or
// nested indexes / manifest lists, from which the wanted platform is picked), `blobs/sha256/*`.
import { createReadStream } from 'node:fs';
import { InvalidImage } from './errors.ts';
import { parseIndex, parseManifest } from './image-documents.ts';
import type { ImageStore } from './image-store.ts';
import { ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, isIndexMediaType, isManifestMediaType } from './media-types.ts';
import type { Descriptor, Platform } from './oci-types.ts';
import { formatPlatform, platformMatches } from './platform.ts';
import { layoutBlob, readLayoutBlobJson, readLayoutJson } from './layout-files.ts';

export interface LayoutImportOptions {
  name?: string;
  platform: Platform;
}

const MAX_INDEX_DEPTH = 8;

/** Imports every image the layout's index.json names; resolves to their manifest digests. */
export async function importOciLayout(store: ImageStore, dir: string, options: LayoutImportOptions): Promise<string[]> {
  const layout = await readLayoutJson(dir, 'oci-layout', 'oci-layout');
  if (typeof (layout as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion !== 'string') {
    throw new InvalidImage('oci-layout: imageLayoutVersion must be a string');
  }
  const index = parseIndex(await readLayoutJson(dir, 'index.json', 'index.json'), 'index.json');
  if (index.manifests.length === 0) throw new InvalidImage('index.json lists no images');

  // manifest digest → names; the same manifest may be listed under several tags.
  const images = new Map<string, { desc: Descriptor; names: string[]; what: string }>();
  for (const [i, top] of index.manifests.entries()) {
    const what = `index.json manifests[${i}]`;
    const desc = await selectManifest(dir, top, options.platform, what, 0);
    const image = images.get(desc.digest) ?? { desc, names: [], what };
    const refName = top.annotations?.[ANNOTATION_CONTAINERD_NAME] ?? top.annotations?.[ANNOTATION_REF_NAME];
    if (options.name === undefined) {
      if (refName === undefined) throw new InvalidImage(`${what} has no name (annotation ${ANNOTATION_REF_NAME}); give one with --name`);
      if (!/[/:@]/.test(refName)) throw new InvalidImage(`${what} is named only by the tag "${refName}"; give the full name with --name`);
      image.names.push(refName);
    }
    images.set(desc.digest, image);
  }
  if (options.name !== undefined) {
    if (images.size !== 1) throw new InvalidImage(`--name given but the layout holds ${images.size} images`);
    for (const image of images.values()) image.names.push(options.name);
  }

  await store.update(async (tx) => {
    for (const { desc, names, what } of images.values()) {
      const manifest = parseManifest(await readLayoutBlobJson(dir, desc, `${what}: manifest`), `${what}: manifest ${desc.digest}`);
      const blobs: [Descriptor, string][] = [
        [manifest.config, `${what}: config`],
        ...manifest.layers.map((l, i): [Descriptor, string] => [l, `${what}: layer ${i + 1}`]),
      ];
      // Check every blob is there before copying any: the common corruption fails fast.
      const paths = await Promise.all(blobs.map(([d, w]) => layoutBlob(dir, d, w)));
      for (const [j, [d, w]] of blobs.entries()) {
        await tx.writeBlob(createReadStream(paths[j]!), { digest: d.digest, size: d.size, what: w });
      }
      await tx.writeBlob(createReadStream(await layoutBlob(dir, desc, `${what}: manifest`)), { digest: desc.digest, size: desc.size, what: `${what}: manifest` });
      await tx.commitImage(desc.digest, names);
    }
  });
  return [...images.keys()];
}

/** Follows `desc` through (nested) indexes to the manifest for `platform`. */
async function selectManifest(dir: string, desc: Descriptor, platform: Platform, what: string, depth: number): Promise<Descriptor> {
  if (isManifestMediaType(desc.mediaType)) return desc;
  if (!isIndexMediaType(desc.mediaType)) throw new InvalidImage(`${what}: unsupported media type "${desc.mediaType}"`);
  if (depth >= MAX_INDEX_DEPTH) throw new InvalidImage(`${what}: indexes nested more than ${MAX_INDEX_DEPTH} deep`);
  const index = parseIndex(await readLayoutBlobJson(dir, desc, `${what}: index`), `${what}: index ${desc.digest}`);
  const match = index.manifests.find((m) => isManifestMediaType(m.mediaType) && platformMatches(platform, m.platform));
  if (match) return match;
  // Entries without a platform: a lone manifest is taken as is; nested indexes are searched.
  const unlabelled = index.manifests.filter((m) => m.platform === undefined);
  if (index.manifests.length === 1 && unlabelled.length === 1 && isManifestMediaType(unlabelled[0]!.mediaType)) return unlabelled[0]!;
  for (const [i, m] of index.manifests.entries()) {
    if (!isIndexMediaType(m.mediaType) || (m.platform !== undefined && !platformMatches(platform, m.platform))) continue;
    try {
      return await selectManifest(dir, m, platform, `${what} → manifests[${i}]`, depth + 1);
    } catch (err) {
      if (!(err instanceof NoPlatformMatch)) throw err;
    }
  }
  const have = index.manifests.map((m) => formatPlatform(m.platform)).join(', ');
  throw new NoPlatformMatch(`${what}: no ${formatPlatform(platform)} image in index ${desc.digest} (it has: ${have})`);
}

class NoPlatformMatch extends InvalidImage {}
