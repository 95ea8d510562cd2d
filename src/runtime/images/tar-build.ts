// Builds tar archives in memory with tar-stream, deterministically: same entries, same bytes.
// Used for the base images and by tests to craft layers.
import * as tar from 'tar-stream';
import type { Header } from 'tar-stream';

export interface TarEntrySpec {
  name: string;
  type?: Header['type'];
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  data?: Uint8Array | string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

export interface BuildTarOptions {
  /** Leave out the two zero blocks ending an archive, as umoci does (for tests). */
  omitEndBlocks?: boolean;
}

export const EPOCH = new Date(0);

export async function buildTar(entries: readonly TarEntrySpec[], options: BuildTarOptions = {}): Promise<Buffer> {
  const pack = tar.pack();
  const collected = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header: Parameters<typeof pack.entry>[0] = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? EPOCH,
    };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    if (e.devmajor !== undefined) header.devmajor = e.devmajor;
    if (e.devminor !== undefined) header.devminor = e.devminor;
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, e.data ?? '', cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  const archive = await collected;
  return options.omitEndBlocks ? archive.subarray(0, archive.length - 1024) : archive;
}
