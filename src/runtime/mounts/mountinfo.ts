// Mount points of this process's mount namespace, read from /proc/self/mountinfo, and a cheap
// check for one path.
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points (field 5 of mountinfo), unescaped; a path mounted twice appears once per mount. */
export function mountPoints(mountinfo?: string): string[] {
  const text = mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8');
  const points: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined) points.push(unescapeMountField(field));
  }
  return points;
}

/** mountPoints(), read without blocking. */
export async function readMountPoints(): Promise<string[]> {
  return mountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
}

/**
 * Whether a filesystem of its own (an overlay, a tmpfs: it has its own device number) is mounted
 * on `path`: two stat calls, where reading mountinfo costs time in proportion to every container's
 * mounts on the host.
 */
export async function hasOwnFilesystem(path: string): Promise<boolean> {
  try {
    const [self, parent] = await Promise.all([stat(path), stat(dirname(path))]);
    return self.dev !== parent.dev;
  } catch {
    return false;
  }
}
