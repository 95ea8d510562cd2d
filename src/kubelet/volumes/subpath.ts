// subPath / subPathExpr for container mounts, as pkg/kubelet/kubelet_pods.go makeMounts and
// pkg/volume/util/subpath (SafeMakeDir, PrepareSafeSubpath): the path must be relative without
// `..`; missing directories are created with the volume root's mode, one component at a time so
// no symlink can lead the creation outside the volume; the result must resolve inside the volume.
import { chmod, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expand } from '../env/index.ts';
import { ContainerMountError } from './errors.ts';

const within = (p: string, root: string): boolean => p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);

/** subPathExpr expanded with the container's env; every referenced variable must be non-empty. */
export function expandSubPathExpr(expr: string, env: ReadonlyMap<string, string>): string {
  const missing = new Set<string>();
  const out = expand(expr, (name) => {
    const v = env.get(name);
    if (v === undefined || v === '') missing.add(name);
    return v ?? '';
  });
  if (missing.size > 0) throw new ContainerMountError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

/** Returns the real host path to bind for `subPath` inside the volume at volumePath. */
export async function prepareSubPath(volumePath: string, subPath: string, mountName: string, containerName: string): Promise<string> {
  if (subPath.startsWith('/')) throw new ContainerMountError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new ContainerMountError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  // Details stay in the cause: upstream does not tell the user about the host's filesystem.
  const createFailed = (cause: unknown): ContainerMountError =>
    new ContainerMountError(`failed to create subPath directory for volumeMount "${mountName}" of container "${containerName}"`, { cause });
  const prepareFailed = (cause: unknown): ContainerMountError =>
    new ContainerMountError(`failed to prepare subPath for volumeMount "${mountName}" of container "${containerName}"`, { cause });
  let root: string;
  let mode: number;
  try {
    root = await realpath(volumePath);
    mode = (await stat(root)).mode & 0o7777;
  } catch (err) {
    throw prepareFailed(err);
  }
  let cur = root;
  for (const part of subPath.split('/')) {
    if (part === '' || part === '.') continue;
    const next = join(cur, part);
    const st = await lstat(next).catch(() => undefined);
    if (!st) {
      try {
        await mkdir(next, { mode });
        await chmod(next, mode);
      } catch (err) {
        throw createFailed(err);
      }
      cur = next;
      continue;
    }
    const resolved = st.isSymbolicLink() ? await realpath(next).catch((err: unknown) => Promise.reject(prepareFailed(err))) : next;
    if (!within(resolved, root)) throw prepareFailed(new Error(`${next} resolves to ${resolved}, outside ${root}`));
    cur = resolved;
  }
  const final = await realpath(cur).catch((err: unknown) => Promise.reject(prepareFailed(err)));
  if (!within(final, root)) throw prepareFailed(new Error(`${final} is outside ${root}`));
  return final;
}
