// The container's root filesystem as an overlayfs mount: read-only image layers below, a
// per-container writable upper directory above. Node has no mount(2): skiff-spawner makes the call
// (src/runtime/mounts/mount.ts), or mount(8) without it.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidContainerSpec, RuntimeCommandFailed } from '../errors.ts';
import { mountFilesystem, unmountFilesystem } from '../mounts/mount.ts';
import { hasOwnFilesystem } from '../mounts/mountinfo.ts';

export interface OverlayLayout {
  /** Mount point: the bundle's rootfs. */
  target: string;
  /** Holds `upper/` and `work/`; must be on the same filesystem. */
  stateDir: string;
}

/**
 * Mounts `lowerDirs` (topmost first, as overlayfs wants them) under a fresh upper layer onto
 * `layout.target`. A single lower dir and no upper is not supported: overlayfs needs two lowers
 * for a read-only mount, and containers always get a writable layer here.
 */
export async function mountOverlay(lowerDirs: string[], layout: OverlayLayout): Promise<void> {
  if (lowerDirs.length === 0) throw new InvalidContainerSpec('overlay rootfs needs at least one lower dir');
  for (const dir of lowerDirs) {
    if (!dir.startsWith('/') || /[,:]/.test(dir)) throw new InvalidContainerSpec(`overlay lower dir "${dir}" must be absolute and free of ',' and ':'`);
  }
  const upper = join(layout.stateDir, 'upper');
  const work = join(layout.stateDir, 'work');
  await mkdir(upper, { recursive: true });
  await mkdir(work, { recursive: true });
  await mkdir(layout.target, { recursive: true });
  if (await hasOwnFilesystem(layout.target)) return;
  const options = `lowerdir=${lowerDirs.join(':')},upperdir=${upper},workdir=${work}`;
  await mountFilesystem('overlay', 'overlay', layout.target, options);
}

/** Unmounts the overlay (lazily if busy) and removes its upper and work directories. */
export async function unmountOverlay(layout: OverlayLayout): Promise<void> {
  await unmountIfMounted(layout.target);
  await rm(layout.stateDir, { recursive: true, force: true });
}

export async function unmountIfMounted(target: string): Promise<void> {
  while (await hasOwnFilesystem(target)) {
    if ((await unmountFilesystem(target)).ok) continue;
    const lazy = await unmountFilesystem(target, { lazy: true });
    if (!lazy.ok) throw new RuntimeCommandFailed(`umount -l ${target}`, 32, lazy.error);
  }
}
