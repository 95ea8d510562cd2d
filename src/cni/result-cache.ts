// What was used to attach each container, kept on disk so a DEL after a restart of the engine
// runs with the same configuration, capability args and prevResult as the ADD. Mirrors libcni's
// result cache (<cacheDir>/results/<network>-<containerID>-<ifname>). An entry is written before ADD
// (without result) so a crash in the middle of ADD still leaves enough behind to undo it.
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidNetworkConfig } from './errors.ts';
import type { CniResult, NetworkConfigList } from './types.ts';

export interface CacheEntry {
  kind: 'skiff-cni-cache/v1';
  containerId: string;
  ifName: string;
  netns: string;
  config: NetworkConfigList;
  args?: Record<string, string>;
  capabilityArgs?: Record<string, unknown>;
  /** Absent while the ADD is in flight (or if it crashed). */
  result?: CniResult;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkContainerId(id: string): void {
  if (!ID_PATTERN.test(id)) {
    throw new InvalidNetworkConfig(`invalid container id "${id}": must match ${ID_PATTERN.source}`);
  }
}

export class ResultCache {
  readonly #dir: string;
  readonly #network: string;

  constructor(dir: string, networkName: string) {
    this.#dir = dir;
    this.#network = networkName;
  }

  #path(containerId: string, ifName: string): string {
    checkContainerId(containerId);
    return join(this.#dir, `${this.#network}-${containerId}-${ifName}.json`);
  }

  async write(entry: CacheEntry): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const path = this.#path(entry.containerId, entry.ifName);
    const tmp = `${path}.tmp`;
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(entry));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  }

  async read(containerId: string, ifName: string): Promise<CacheEntry | undefined> {
    const path = this.#path(containerId, ifName);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return parseEntry(text, path);
  }

  async remove(containerId: string, ifName: string): Promise<void> {
    await rm(this.#path(containerId, ifName), { force: true });
  }

  /** Every entry of this network; unreadable files are reported, not skipped silently. */
  async list(): Promise<CacheEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const prefix = `${this.#network}-`;
    const entries: CacheEntry[] = [];
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.endsWith('.json')) continue;
      const path = join(this.#dir, name);
      const entry = parseEntry(await readFile(path, 'utf8'), path);
      if (entry.config.name === this.#network) entries.push(entry);
    }
    return entries;
  }
}

function parseEntry(text: string, path: string): CacheEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidNetworkConfig(`Cannot parse CNI cache "${path}": ${(err as Error).message}`, { cause: err });
  }
  const e = value as Partial<CacheEntry> | null;
  if (e?.kind !== 'skiff-cni-cache/v1' || typeof e.containerId !== 'string' || typeof e.ifName !== 'string' ||
    typeof e.netns !== 'string' || typeof e.config !== 'object' || !Array.isArray(e.config.plugins)) {
    throw new InvalidNetworkConfig(`Cannot parse CNI cache "${path}": not a skiff-cni-cache/v1 entry`);
  }
  return e as CacheEntry;
}
