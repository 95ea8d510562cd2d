// Resolving tar entry names inside a snapshot root without ever leaving it. Names are cleaned
// lexically first (`./a/b`, `a//b`, `a/./b` → a/b); absolute names and `..` climbing above the root
// are refused. Parent components are then walked with lstat: a symlink met on the way is followed
// the way the container will see it (absolute targets start again at the snapshot root), and a
// relative target climbing above the root is refused. Mirrors the intent of
// github.com/cyphar/filepath-securejoin as used by containerd's archive.applyNaive.
import { lstat, mkdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsafeLayerEntry } from './errors.ts';

const MAX_SYMLINK_HOPS = 40;

/** The components of a tar entry name; `[]` for the root itself (`./`). */
export function cleanEntryName(name: string): string[] {
  if (name.startsWith('/')) throw new UnsafeLayerEntry(name, 'absolute path');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new UnsafeLayerEntry(name, 'path escapes the layer root');
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts;
}

/**
 * The real directory inside `root` that `parts` names, following symlinks inside the root.
 * Missing directories are created (mode 0755) when `create` is set; otherwise a missing component
 * throws UnsafeLayerEntry naming `entry`.
 */
export async function resolveDirInRoot(root: string, parts: readonly string[], entry: string, create: boolean): Promise<string> {
  const resolved: string[] = [];
  const pending = [...parts];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.length === 0) throw new UnsafeLayerEntry(entry, 'a symlink in its path points outside the layer root');
      resolved.pop();
      continue;
    }
    const path = join(root, ...resolved, part);
    const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (st === undefined) {
      if (!create) throw new UnsafeLayerEntry(entry, `"${[...resolved, part].join('/')}" does not exist in the layer`);
      await mkdir(path, { mode: 0o755 });
      resolved.push(part);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) throw new UnsafeLayerEntry(entry, 'too many levels of symbolic links');
      const target = await readlink(path);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/'));
      continue;
    }
    if (!st.isDirectory()) throw new UnsafeLayerEntry(entry, `"${[...resolved, part].join('/')}" is not a directory`);
    resolved.push(part);
  }
  return join(root, ...resolved);
}
