// Applies one layer's uncompressed tar to an empty snapshot directory. Each layer is its own
// overlayfs lower dir, so whiteouts are recorded as overlay markers here rather than applied to
// the layers below. Every entry is placed through safe-path.ts: nothing lands outside `root`.
import type { Stats } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import type { Extract, Header } from 'tar-stream';
import { InvalidImage, UnsafeLayerEntry } from './errors.ts';
import { makeDeviceNode, makeWhiteout, setOpaque } from './overlay-markers.ts';
import { cleanEntryName, resolveDirInRoot } from './safe-path.ts';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export interface ApplyStats {
  entries: number;
  whiteouts: number;
}

/** Applies `tarStream` into `root` (an existing, empty directory). `what` names the layer in errors. */
export async function applyLayer(tarStream: AsyncIterable<Uint8Array>, root: string, what: string): Promise<ApplyStats> {
  const extract = tar.extract();
  let sourceError: unknown;
  const fed = feed(tarStream, extract).then(
    () => undefined,
    (err: unknown) => { sourceError = err; },
  );
  let extractError: unknown;
  extract.on('error', (err: unknown) => { extractError ??= err; });
  const stats: ApplyStats = { entries: 0, whiteouts: 0 };
  const dirTimes: { path: string; mtime: Date }[] = [];
  let entryError: unknown;
  try {
    for await (const entry of extract) {
      stats.entries++;
      try {
        await applyEntry(root, entry, dirTimes, stats);
      } catch (err) {
        entryError = err;
        throw err;
      }
    }
  } catch (err) {
    extract.destroy();
    await fed;
    // A failing source (truncated gzip) or a tar the extractor rejects is the real cause even
    // when an entry's write saw it first (as "Stream was destroyed").
    const entryIsCause = entryError instanceof UnsafeLayerEntry || entryError instanceof InvalidImage;
    throw wrap(sourceError ?? (entryIsCause ? entryError : extractError ?? entryError ?? err), what);
  }
  await fed;
  if (sourceError !== undefined) throw wrap(sourceError, what);
  // Directory mtimes last: creating their children changed them.
  for (const { path, mtime } of dirTimes.reverse()) await utimes(path, mtime, mtime);
  return stats;
}

type TarEntry = Extract extends AsyncIterable<infer E> ? E : never;

/**
 * Writes `source` into the extractor with backpressure; stops early when the extractor is
 * destroyed. umoci 0.4 ends its tars right after the last file's data, without padding that data
 * to a 512-byte block nor the end-of-archive blocks: the padding is supplied here (tar-stream
 * itself accepts a missing end-of-archive). Truncated layers are still caught: their diff_id
 * is hashed over the bytes as received.
 */
async function feed(source: AsyncIterable<Uint8Array>, sink: Extract): Promise<void> {
  let total = 0;
  async function* padded(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      total += chunk.length;
      yield chunk;
    }
    if (total % 512 !== 0) yield new Uint8Array(512 - (total % 512));
  }
  try {
    for await (const chunk of padded()) {
      if (sink.destroyed) return;
      if (!sink.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            sink.off('drain', done);
            sink.off('close', done);
            resolve();
          };
          sink.on('drain', done);
          sink.on('close', done);
        });
      }
    }
    if (!sink.destroyed) sink.end(undefined);
  } catch (err) {
    sink.destroy(err as Error);
    throw err;
  }
}

function wrap(err: unknown, what: string): Error {
  if (err instanceof InvalidImage) return err;
  if (err instanceof UnsafeLayerEntry) return new UnsafeLayerEntry(err.entry, `${what}: ${err.message.replace(/^unsafe layer entry "[^"]*": /, '')}`, { cause: err });
  const message = (err as Error).message;
  if (/Unexpected end of data|Invalid tar header|Invalid header/i.test(message)) {
    return new InvalidImage(`${what}: truncated or corrupt tar: ${message}`, { cause: err });
  }
  return new InvalidImage(`${what}: ${message}`, { cause: err });
}

async function applyEntry(root: string, entry: TarEntry, dirTimes: { path: string; mtime: Date }[], stats: ApplyStats): Promise<void> {
  const header = entry.header;
  const name = header.name;
  const parts = cleanEntryName(name);
  const type = header.type ?? 'file';
  if (parts.length === 0) {
    await drain(entry);
    if (type !== 'directory') throw new UnsafeLayerEntry(name, 'the layer root must be a directory');
    await setAttributes(root, header, false);
    dirTimes.push({ path: root, mtime: header.mtime ?? new Date(0) });
    return;
  }
  const base = parts[parts.length - 1]!;
  const parent = await resolveDirInRoot(root, parts.slice(0, -1), name, true);
  const dest = join(parent, base);

  if (base.startsWith(WHITEOUT_PREFIX)) {
    await drain(entry);
    stats.whiteouts++;
    if (base === OPAQUE_MARKER) return setOpaque(parent);
    if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // aufs metadata (.wh..wh.plnk and the like)
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw new UnsafeLayerEntry(name, 'whiteout of an invalid name');
    const target = join(parent, hidden);
    await removeExisting(target);
    return makeWhiteout(target);
  }

  switch (type) {
    case 'directory': {
      await drain(entry);
      const st = await lstatOrUndefined(dest);
      if (!st?.isDirectory()) {
        if (st) await removeExisting(dest);
        await mkdir(dest, { mode: 0o700 });
      }
      await setAttributes(dest, header, false);
      dirTimes.push({ path: dest, mtime: header.mtime ?? new Date(0) });
      return;
    }
    case 'file':
    case 'contiguous-file': {
      await removeExisting(dest);
      await writeEntry(entry, dest);
      await setAttributes(dest, header, false);
      return;
    }
    case 'symlink': {
      await drain(entry);
      if (!header.linkname) throw new UnsafeLayerEntry(name, 'symlink without a target');
      await removeExisting(dest);
      await symlink(header.linkname, dest);
      await setAttributes(dest, header, true);
      return;
    }
    case 'link': {
      await drain(entry);
      if (!header.linkname) throw new UnsafeLayerEntry(name, 'hard link without a target');
      const targetParts = cleanEntryName(header.linkname);
      if (targetParts.length === 0) throw new UnsafeLayerEntry(name, 'hard link to the layer root');
      const targetDir = await resolveDirInRoot(root, targetParts.slice(0, -1), name, false);
      const target = join(targetDir, targetParts[targetParts.length - 1]!);
      const st = await lstatOrUndefined(target);
      if (!st) throw new UnsafeLayerEntry(name, `hard link target "${header.linkname}" is not in the layer`);
      if (st.isDirectory()) throw new UnsafeLayerEntry(name, `hard link target "${header.linkname}" is a directory`);
      if (target === dest) return;
      await removeExisting(dest);
      await link(target, dest);
      return;
    }
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      await drain(entry);
      await removeExisting(dest);
      const kind = type === 'fifo' ? 'p' : type === 'block-device' ? 'b' : 'c';
      await makeDeviceNode(dest, kind, header.devmajor ?? 0, header.devminor ?? 0);
      await setAttributes(dest, header, false);
      return;
    }
    default:
      // pax and GNU long-name headers are consumed by tar-stream; anything else is skipped.
      await drain(entry);
  }
}

async function setAttributes(path: string, header: Header, isSymlink: boolean): Promise<void> {
  await lchown(path, header.uid ?? 0, header.gid ?? 0);
  // chmod after chown: chown clears setuid/setgid bits.
  if (!isSymlink) await chmod(path, (header.mode ?? 0o644) & 0o7777);
  const mtime = header.mtime ?? new Date(0);
  if (isSymlink) await lutimes(path, mtime, mtime);
  else await utimes(path, mtime, mtime);
}

async function removeExisting(path: string): Promise<void> {
  const st = await lstatOrUndefined(path);
  if (!st) return;
  if (st.isDirectory()) await rm(path, { recursive: true, force: true });
  else await unlink(path);
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeEntry(entry: TarEntry, dest: string): Promise<void> {
  const fh = await open(dest, 'wx', 0o600);
  try {
    for await (const chunk of entry) await fh.write(chunk as Uint8Array);
  } finally {
    await fh.close();
  }
}

async function drain(entry: TarEntry): Promise<void> {
  for await (const _chunk of entry) { /* skip content */ }
}
