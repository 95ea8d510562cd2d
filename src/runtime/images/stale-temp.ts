// Leftovers of writes a crash interrupted are removed when a store opens, but only once nobody
// has touched them for a while: another process (the CLI beside the engine) may be writing.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const STALE_TEMP_MS = 60 * 60 * 1000;

export async function removeStale(dir: string, matches: (name: string) => boolean, olderThanMs: number): Promise<void> {
  const cutoff = Date.now() - olderThanMs;
  for (const name of await readdir(dir)) {
    if (!matches(name)) continue;
    const path = join(dir, name);
    try {
      if ((await lstat(path)).mtimeMs > cutoff) continue;
    } catch {
      continue;
    }
    await rm(path, { recursive: true, force: true });
  }
}
