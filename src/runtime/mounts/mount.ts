// mount(2) and umount2(2) for the engine's overlay and tmpfs mounts: run inside skiff-spawner
// ("@mount", "@umount": no process at all), or by mount(8)/umount(8) without it.
import { RuntimeCommandFailed } from '../errors.ts';
import { execFile } from '../exec-file.ts';
import { sharedSpawner } from '../spawner/run-process.ts';

/** Mounts `source` (of `fstype`, with the comma-separated `data` options) on `target`. */
export async function mountFilesystem(fstype: string, source: string, target: string, data = ''): Promise<void> {
  const spawner = await sharedSpawner();
  if (!spawner) {
    await execFile('mount', ['-t', fstype, ...(data ? ['-o', data] : []), source, target]);
    return;
  }
  const r = await spawner.run('@mount', [source, target, fstype, data]);
  if (r.code !== 0) throw new RuntimeCommandFailed(`mount -t ${fstype} ${source} ${target}`, r.code, r.stderr.toString().trim());
}

/** Unmounts `target`; `lazy` detaches it even while busy. Resolves false (with why) when it failed. */
export async function unmountFilesystem(target: string, options: { lazy?: boolean } = {}): Promise<{ ok: boolean; error: string }> {
  const spawner = await sharedSpawner();
  if (!spawner) {
    const r = await execFile('umount', [...(options.lazy ? ['-l'] : []), target], { allowFailure: true });
    return { ok: r.exitCode === 0, error: r.stderr.trim() };
  }
  const r = await spawner.run('@umount', options.lazy ? [target, 'detach'] : [target]);
  return { ok: r.code === 0, error: r.stderr.toString().trim() };
}
