// hostPath type checks, as pkg/volume/hostpath/host_path.go (checkTypeInternal, fileTypeChecker)
// and pkg/volume/util/hostutil/hostutil_linux.go (GetFileType); same error texts.
import type { Stats } from 'node:fs';
import { close, open } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { VolumeError } from './errors.ts';

type FileType = 'Directory' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function fileType(path: string): Promise<FileType> {
  const st = await statOrUndefined(path);
  if (!st) throw new VolumeError(`path "${path}" does not exist`);
  if (st.isDirectory()) return 'Directory';
  if (st.isSocket()) return 'Socket';
  if (st.isCharacterDevice()) return 'CharDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  return 'File';
}

/**
 * Upstream's IsDir/IsFile check existence first (with their own wording); the device and socket
 * checks go straight to GetFileType, whose error for a missing path is `path "x" does not exist`.
 */
async function requireType(path: string, want: FileType, what: string, missing?: string): Promise<void> {
  if (missing !== undefined && !(await statOrUndefined(path))) throw new VolumeError(`hostPath type check failed: ${path} ${missing}`);
  if ((await fileType(path)) !== want) throw new VolumeError(`hostPath type check failed: ${path} ${what}`);
}

/** Creates the file if missing (parent must exist), like os.OpenFile(O_CREATE, 0644). */
async function makeFile(path: string): Promise<void> {
  const fd = await promisify(open)(path, 'a', 0o644);
  await promisify(close)(fd);
}

/** Checks (and for the *OrCreate types creates) a hostPath of the given type; '' checks nothing. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!(await statOrUndefined(path))) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return;
      }
      return requireType(path, 'Directory', 'is not a directory', 'is not a directory');
    case 'Directory':
      return requireType(path, 'Directory', 'is not a directory', 'is not a directory');
    case 'FileOrCreate':
      if (!(await statOrUndefined(path))) return makeFile(path);
      return requireType(path, 'File', 'is not a file', 'does not exist');
    case 'File':
      return requireType(path, 'File', 'is not a file', 'does not exist');
    case 'Socket':
      return requireType(path, 'Socket', 'is not a socket file');
    case 'CharDevice':
      return requireType(path, 'CharDevice', 'is not a character device');
    case 'BlockDevice':
      return requireType(path, 'BlockDevice', 'is not a block device');
    default:
      throw new VolumeError(`${type} is an invalid volume type`);
  }
}
