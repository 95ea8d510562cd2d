// Volume ownership for a pod's fsGroup (pkg/volume/volume_linux.go SetVolumeOwnership): every file
// and directory of the volume gets the fsGroup as group, group read (and write unless the volume is
// read-only) on top of its mode, and directories also group search and the setgid bit, so what
// containers create later in them belongs to the fsGroup too. Symlinks are only re-grouped: a chmod
// would go through to their target. `OnRootMismatch` skips the walk when the volume's root already
// has the group, the permissions and the setgid bit.
import { chmod, lchown, lstat, readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;

export interface OwnershipOptions {
  /** configMap, secret, downwardAPI and projected volumes: group read only. */
  readOnly: boolean;
  /** The pod's fsGroupChangePolicy (only the local volume plugin passes it upstream). */
  changePolicy?: 'OnRootMismatch' | 'Always' | undefined;
}

/** Whether the root of a volume lacks the fsGroup's group, permissions or setgid bit (requiresPermissionChange). */
export async function needsOwnershipChange(root: string, fsGroup: number, readOnly: boolean): Promise<boolean> {
  const st = await stat(root).catch(() => undefined);
  if (!st || st.gid !== fsGroup || !st.isDirectory()) return true;
  const want = (readOnly ? RO : RW) | EXEC;
  return (st.mode & want) !== want || (st.mode & SETGID) === 0;
}

async function change(path: string, st: Stats, fsGroup: number, readOnly: boolean): Promise<void> {
  // Upstream logs a failed lchown or chmod and goes on with the rest of the volume.
  await lchown(path, -1, fsGroup).catch(() => undefined);
  if (st.isSymbolicLink()) return;
  let mask = readOnly ? RO : RW;
  if (st.isDirectory()) mask |= SETGID | EXEC;
  await chmod(path, (st.mode & 0o7777) | mask).catch(() => undefined);
}

/** Children first, the root last (walkDeep), so an interrupted walk leaves the root unmatched. */
async function walk(path: string, fsGroup: number, readOnly: boolean): Promise<void> {
  const st = await lstat(path);
  if (st.isDirectory()) {
    for (const name of await readdir(path)) await walk(join(path, name), fsGroup, readOnly);
  }
  await change(path, st, fsGroup, readOnly);
}

/** Applies `fsGroup` to the volume at `root`; nothing without an fsGroup. */
export async function setVolumeOwnership(root: string, fsGroup: number | undefined, o: OwnershipOptions): Promise<void> {
  if (fsGroup === undefined) return;
  if (o.changePolicy === 'OnRootMismatch' && !(await needsOwnershipChange(root, fsGroup, o.readOnly))) return;
  await walk(root, fsGroup, o.readOnly);
}
