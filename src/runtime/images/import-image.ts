// `importImage`: an OCI image layout or a `docker save` archive, given as a directory or as a tar
// (optionally gzip or zstd compressed) holding one. A tar is first unpacked into the store's temp
// directory with the same safe applier layers use. Whatever fails, the store is left as it was
// (ImageStore.update rolls back) and the error names the file and what was wrong with it.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decompressLayer } from './decompress.ts';
import { InvalidImage, errorMessage } from './errors.ts';
import type { ImageStore, ImageSummary } from './image-store.ts';
import { importDockerArchive } from './import-docker-archive.ts';
import { importOciLayout } from './import-oci-layout.ts';
import { applyLayer } from './layer-apply.ts';
import type { Platform } from './oci-types.ts';
import { hostPlatform } from './platform.ts';

export interface ImportOptions {
  /** Name for the image, instead of the one the archive gives (only when it holds one image). */
  name?: string;
  /** Platform to pick from manifest lists; defaults to this machine's (linux/amd64 here). */
  platform?: Platform;
}

export class ImportFailed extends InvalidImage {
  override readonly name = 'ImportFailed';
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(`Cannot import "${path}": ${errorMessage(cause)}`, { cause });
    this.path = path;
  }
}

export async function importImage(store: ImageStore, path: string, options: ImportOptions = {}): Promise<ImageSummary[]> {
  const source = resolve(path);
  let digests: string[];
  try {
    const st = await stat(source).catch((err: unknown) => {
      throw new InvalidImage((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : errorMessage(err), { cause: err });
    });
    if (st.isDirectory()) {
      digests = await importDirectory(store, source, options);
    } else {
      await mkdir(store.blobs.tmpDir, { recursive: true });
      const tmp = await mkdtemp(join(store.blobs.tmpDir, 'import-'));
      try {
        await applyLayer(decompressLayer(createReadStream(source), undefined, 'archive'), tmp, 'archive');
        digests = await importDirectory(store, tmp, options);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
  } catch (err) {
    throw new ImportFailed(path, err);
  }
  const all = await store.listImages();
  return digests.map((d) => all.find((i) => i.digest === d)).filter((i): i is ImageSummary => i !== undefined);
}

async function importDirectory(store: ImageStore, dir: string, options: ImportOptions): Promise<string[]> {
  const name = options.name !== undefined ? { name: options.name } : {};
  if (await isFile(join(dir, 'oci-layout'))) {
    return importOciLayout(store, dir, { ...name, platform: options.platform ?? hostPlatform() });
  }
  if (await isFile(join(dir, 'manifest.json'))) return importDockerArchive(store, dir, name);
  throw new InvalidImage('neither an OCI image layout (oci-layout, index.json) nor a docker-save archive (manifest.json)');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
