// Memory-backed volume directories: emptyDir with `medium: Memory`, and the secret, downwardAPI and
// projected volumes, which upstream wraps in such an emptyDir (pkg/volume/emptydir/empty_dir.go
// setupTmpfs) so their contents never touch the disk.
import { mountFilesystem, unmountFilesystem } from '../../runtime/mounts/mount.ts';
import { hasOwnFilesystem, readMountPoints } from '../../runtime/mounts/mountinfo.ts';
import { VolumeError } from './errors.ts';

/** Mounts a tmpfs on dir unless one is already there (idempotent across agent restarts). */
export async function mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  if (await hasOwnFilesystem(dir)) return;
  try {
    await mountFilesystem('tmpfs', 'tmpfs', dir, sizeBytes !== undefined ? `size=${Math.ceil(sizeBytes)}` : '');
  } catch (err) {
    throw new VolumeError(`mount of tmpfs on ${dir} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Unmounts every mount at or below dir, deepest first. */
export async function unmountAllUnder(dir: string): Promise<void> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = (await readMountPoints()).filter((p) => p === dir || p.startsWith(prefix));
  points.sort((a, b) => b.length - a.length);
  for (const p of points) {
    const r = await unmountFilesystem(p);
    if (!r.ok) throw new VolumeError(`unmount of ${p} failed: ${r.error}`);
  }
}
