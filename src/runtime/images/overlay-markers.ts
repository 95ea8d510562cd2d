// overlayfs markers recorded in a layer's own snapshot: a whiteout is a character device 0:0, an
// opaque directory carries the xattr trusted.overlay.opaque=y. Node has neither mknod nor xattr
// calls, so the coreutils `mknod` and attr's `setfattr` binaries do it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function makeWhiteout(path: string): Promise<void> {
  await run('mknod', ['-m', '0000', path, 'c', '0', '0']);
}

export async function makeDeviceNode(path: string, kind: 'c' | 'b' | 'p', major = 0, minor = 0): Promise<void> {
  const args = kind === 'p' ? [path, 'p'] : [path, kind, String(major), String(minor)];
  await run('mknod', args);
}

export async function setOpaque(dir: string): Promise<void> {
  try {
    await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('setfattr not found: install the Debian package "attr"', { cause: err });
    }
    throw err;
  }
}
