// Mount points of this process's mount namespace, read from /proc/self/mountinfo.
import { readFile } from 'node:fs/promises';

/** Mount points (field 5 of mountinfo), unescaped; a path mounted twice appears once per mount. */
export async function readMountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field !== undefined) points.push(unescapeMountField(field));
  }
  return points;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
