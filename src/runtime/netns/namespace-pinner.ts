// Pinned namespaces, as CRI-O's pinns and containerd do: a short-lived `unshare` creates the
// namespaces and bind-mounts its /proc/<pid>/ns/<kind> onto files under the run directory, so they
// outlive every process and can be handed to the OCI runtime and to CNI as paths.
// Layout (CRI-O's): <runDir>/netns/<id>, <runDir>/ipcns/<id>, <runDir>/utsns/<id>.
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidNamespaceId, NamespaceAlreadyPinned, NamespacePinFailed } from './errors.ts';
import { readMountPoints } from '../mounts/mountinfo.ts';
import { runCommand } from './run-command.ts';

export type NamespaceKind = 'net' | 'ipc' | 'uts';

export const NAMESPACE_KINDS: readonly NamespaceKind[] = ['net', 'ipc', 'uts'];

export type PinnedNamespaces = { id: string } & Partial<Record<NamespaceKind, string>>;

export interface PinnedEntry {
  id: string;
  /** Kinds whose file exists. */
  kinds: NamespaceKind[];
  /** False when some file exists without a namespace mounted on it (a crash mid-pin or mid-unpin). */
  mounted: boolean;
}

export interface NamespacePinnerOptions {
  /** Skiff's run directory, e.g. /run/skiff; the pinned files live in subfolders of it. */
  runDir: string;
  unshareBinary?: string;
  umountBinary?: string;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export class NamespacePinner {
  readonly #runDir: string;
  readonly #unshare: string;
  readonly #umount: string;
  #dirsMade = false;

  constructor(options: NamespacePinnerOptions) {
    this.#runDir = options.runDir;
    this.#unshare = options.unshareBinary ?? 'unshare';
    this.#umount = options.umountBinary ?? 'umount';
  }

  dirFor(kind: NamespaceKind): string {
    return join(this.#runDir, `${kind}ns`);
  }

  pathFor(kind: NamespaceKind, id: string): string {
    checkId(id);
    return join(this.dirFor(kind), id);
  }

  /**
   * Creates new namespaces of the given kinds (network only by default) and pins them. `init`, a
   * command, runs once inside them (e.g. `hostname NAME` in a new UTS namespace); its failure
   * fails the pin.
   */
  async pin(id: string, kinds: readonly NamespaceKind[] = ['net'], init: readonly string[] = ['true']): Promise<PinnedNamespaces> {
    checkId(id);
    if (!this.#dirsMade) {
      await Promise.all(NAMESPACE_KINDS.map((k) => mkdir(this.dirFor(k), { recursive: true, mode: 0o711 })));
      this.#dirsMade = true;
    }
    const pinned: PinnedNamespaces = { id };
    const created: string[] = [];
    try {
      // The mount target must exist; O_EXCL makes a second pin of the same id fail instead of
      // stacking a second namespace over the first.
      for (const kind of kinds) {
        const path = this.pathFor(kind, id);
        try {
          await (await open(path, 'wx', 0o444)).close();
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new NamespaceAlreadyPinned(path, { cause: err });
          throw err;
        }
        created.push(path);
        pinned[kind] = path;
      }
      const args = kinds.map((kind) => `--${kind}=${this.pathFor(kind, id)}`);
      const result = await runCommand(this.#unshare, [...args, ...init]);
      if (result.code !== 0) {
        throw new NamespacePinFailed(`Cannot pin namespaces of "${id}": unshare: ${result.stderr.trim() || `exit ${result.code}`}`);
      }
      return pinned;
    } catch (err) {
      // unshare may have mounted some files before failing.
      await this.#release(created).catch(() => undefined);
      throw err;
    }
  }

  /** Unmounts and removes every pinned file of `id`. Idempotent. */
  async unpin(id: string): Promise<void> {
    checkId(id);
    await this.#release(NAMESPACE_KINDS.map((kind) => this.pathFor(kind, id)));
  }

  /** Ids with at least one pinned (or half-pinned) file. */
  async list(): Promise<PinnedEntry[]> {
    const byId = new Map<string, PinnedEntry>();
    const mounts = new Set(await readMountPoints());
    for (const kind of NAMESPACE_KINDS) {
      let names: string[];
      try {
        names = await readdir(this.dirFor(kind));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      for (const name of names) {
        if (!ID_PATTERN.test(name)) continue;
        const entry = byId.get(name) ?? { id: name, kinds: [], mounted: true };
        entry.kinds.push(kind);
        if (!mounts.has(join(this.dirFor(kind), name))) entry.mounted = false;
        byId.set(name, entry);
      }
    }
    return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Crash recovery: unpins every id not in `keep`, and every id left half-pinned (some file with
   * nothing mounted on it). Returns the ids removed.
   */
  async cleanupStale(keep: Iterable<string>): Promise<string[]> {
    const known = new Set(keep);
    const removed: string[] = [];
    for (const entry of await this.list()) {
      if (known.has(entry.id) && entry.mounted) continue;
      await this.unpin(entry.id);
      removed.push(entry.id);
    }
    return removed;
  }

  async #release(paths: readonly string[]): Promise<void> {
    // A file can carry stacked mounts (pinned again by something else): unmount until none is left.
    for (let attempt = 0; attempt < 4; attempt++) {
      const mounts = new Set(await readMountPoints());
      const mounted = paths.filter((p) => mounts.has(p));
      if (mounted.length === 0) break;
      // Lazy: a process still inside the namespace (or a mount namespace holding a copy of the
      // bind mount) must not make teardown fail; the namespace goes away with its last user.
      const result = await runCommand(this.#umount, ['-l', ...mounted]);
      if (result.code !== 0 && attempt === 3) {
        throw new NamespacePinFailed(`Cannot unpin ${mounted.join(', ')}: umount: ${result.stderr.trim()}`);
      }
    }
    await Promise.all(paths.map((p) => rm(p, { force: true })));
  }
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new InvalidNamespaceId(id);
}
