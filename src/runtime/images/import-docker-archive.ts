// Imports an unpacked `docker save` archive: `manifest.json` is `[{Config, RepoTags, Layers}]`
// with layer tars base first. Each image is stored as an OCI manifest built from those files.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { sniffCompression } from './decompress.ts';
import { InvalidImage } from './errors.ts';
import { parseConfig } from './image-documents.ts';
import type { ImageStore } from './image-store.ts';
import { MEDIA_OCI_CONFIG, MEDIA_OCI_LAYER, MEDIA_OCI_LAYER_GZIP, MEDIA_OCI_LAYER_ZSTD, MEDIA_OCI_MANIFEST } from './media-types.ts';
import type { Descriptor, ImageManifest } from './oci-types.ts';
import { layoutFile, readLayoutJson } from './layout-files.ts';

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export async function importDockerArchive(store: ImageStore, dir: string, options: { name?: string }): Promise<string[]> {
  const raw = await readLayoutJson(dir, 'manifest.json', 'manifest.json');
  if (!Array.isArray(raw) || raw.length === 0) throw new InvalidImage('manifest.json: expected a non-empty array of images');
  const entries = raw.map((e: unknown, i) => checkEntry(e, `manifest.json[${i}]`));
  if (options.name !== undefined && entries.length !== 1) throw new InvalidImage(`--name given but manifest.json holds ${entries.length} images`);

  return store.update(async (tx) => {
    const digests: string[] = [];
    for (const [i, entry] of entries.entries()) {
      const what = `manifest.json[${i}]`;
      const names = options.name !== undefined ? [options.name] : entry.RepoTags ?? [];
      if (names.length === 0) throw new InvalidImage(`${what} has no RepoTags; give a name with --name`);
      const configPath = await layoutFile(dir, entry.Config, `${what}: Config`);
      const config = await tx.writeBlob(createReadStream(configPath), { what: `${what}: Config` });
      parseConfig(await store.blobs.readJson(config.digest, `${what}: Config`), `${what}: Config "${entry.Config}"`);
      const layers: Descriptor[] = [];
      for (const [j, name] of entry.Layers.entries()) {
        const path = await layoutFile(dir, name, `${what}: Layers[${j}]`);
        const mediaType = await layerMediaType(path);
        const blob = await tx.writeBlob(createReadStream(path), { what: `${what}: Layers[${j}]` });
        layers.push({ mediaType, digest: blob.digest, size: blob.size });
      }
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MEDIA_OCI_MANIFEST,
        config: { mediaType: MEDIA_OCI_CONFIG, digest: config.digest, size: config.size },
        layers,
      };
      const written = await tx.writeJson(manifest);
      await tx.commitImage(written.digest, names);
      digests.push(written.digest);
    }
    return digests;
  });
}

function checkEntry(e: unknown, what: string): DockerManifestEntry {
  const entry = e as Partial<DockerManifestEntry> | null;
  if (typeof entry !== 'object' || entry === null) throw new InvalidImage(`${what}: expected an object`);
  if (typeof entry.Config !== 'string') throw new InvalidImage(`${what}: Config must be a file name`);
  if (!Array.isArray(entry.Layers) || !entry.Layers.every((l) => typeof l === 'string')) throw new InvalidImage(`${what}: Layers must be a list of file names`);
  if (entry.RepoTags != null && (!Array.isArray(entry.RepoTags) || !entry.RepoTags.every((t) => typeof t === 'string'))) {
    throw new InvalidImage(`${what}: RepoTags must be a list of names`);
  }
  return entry as DockerManifestEntry;
}

// docker save writes uncompressed layers, but newer tools may not: look at the bytes.
async function layerMediaType(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    const kind = sniffCompression(head.subarray(0, bytesRead));
    return kind === 'gzip' ? MEDIA_OCI_LAYER_GZIP : kind === 'zstd' ? MEDIA_OCI_LAYER_ZSTD : MEDIA_OCI_LAYER;
  } finally {
    await fh.close();
  }
}
