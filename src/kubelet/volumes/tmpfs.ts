// Memory-backed volume directories: emptyDir with `medium: Memory`, and the secret, downwardAPI and
// projected volumes, which upstream wraps in such an emptyDir (pkg/volume/emptydir/empty_dir.go
// setupTmpfs) so their contents never touch the disk.
import { execFile } from '../../runtime/exec-file.ts';
import { readMountPoints } from '../../runtime/netns/mountinfo.ts';
import { hasOwnFilesystem } from '../../runtime/snapshots/overlay.ts';
import { VolumeError } from './errors.ts';

/** A tmpfs (or any filesystem of its own) mounted on dir. */
export function isMountPoint(dir: string): Promise<boolean> {
  return hasOwnFilesystem(dir);
}

/** Mounts a tmpfs on dir unless one is already there (idempotent across agent restarts). */
export async function mountTmpfs(dir: string, sizeBytes?: number): Promise<void> {
  if (await isMountPoint(dir)) return;
  const args = ['-t', 'tmpfs'];
  if (sizeBytes !== undefined) args.push('-o', `size=${Math.ceil(sizeBytes)}`);
  try {
    await execFile('mount', [...args, 'tmpfs', dir]);
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
    try {
      await execFile('umount', [p]);
    } catch (err) {
      throw new VolumeError(`unmount of ${p} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
