// What the engine keeps on disk per container, under `<dataDir>/containers/<id>/`, so a new
// process on the same data directory finds its containers again. Writes are atomic (temp + rename).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerNotFound } from './errors.ts';
import type { RuntimeSelector } from './oci-runtime.ts';

export type ContainerReason = 'Completed' | 'Error' | 'OOMKilled';

export interface ContainerFinished {
  exitCode: number;
  reason: ContainerReason;
  finishedAt: string;
  message?: string;
}

export type RootfsRecord =
  | { kind: 'directory'; path: string }
  | { kind: 'overlay'; lowerDirs: string[]; target: string; stateDir: string };

export interface ContainerRecord {
  id: string;
  name: string;
  runtime: RuntimeSelector;
  /** `creating` until the runtime holds the container; a crash in between leaves only litter. */
  phase: 'creating' | 'created' | 'started';
  createdAt: string;
  startedAt?: string;
  rootfs: RootfsRecord;
  logPath: string;
  cgroupsPath: string;
  /** The ancestor (manager's cgroup root) up to which empty parents are removed. */
  cgroupRoot: string;
  tty: boolean;
  labels: Record<string, string>;
  pid?: number;
  /** `starttime` of the pid in /proc/PID/stat, to tell it from a reused pid. */
  pidStartTime?: string;
  conmonPid?: number;
  finished?: ContainerFinished;
}

export interface ContainerPaths {
  dir: string;
  record: string;
  bundle: string;
  config: string;
  rootfs: string;
  overlayState: string;
  exitDir: string;
  exitFile: string;
  persistDir: string;
  conmonDir: string;
  pidFile: string;
  conmonPidFile: string;
  conmonStderr: string;
  defaultLog: string;
  ctlFifo: string;
}

export function containerPaths(dataDir: string, id: string): ContainerPaths {
  const dir = join(dataDir, 'containers', id);
  const bundle = join(dir, 'bundle');
  const exitDir = join(dir, 'exits');
  const conmonDir = join(dir, 'conmon');
  return {
    dir,
    record: join(dir, 'container.json'),
    bundle,
    config: join(bundle, 'config.json'),
    rootfs: join(bundle, 'rootfs'),
    overlayState: join(dir, 'overlay'),
    exitDir,
    exitFile: join(exitDir, id),
    persistDir: join(dir, 'persist'),
    conmonDir,
    pidFile: join(conmonDir, 'container.pid'),
    conmonPidFile: join(conmonDir, 'conmon.pid'),
    conmonStderr: join(conmonDir, 'conmon.stderr'),
    defaultLog: join(dir, 'container.log'),
    ctlFifo: join(bundle, 'ctl'),
  };
}

/**
 * Writes the record atomically. With `existing`, only over a record still there: a status read
 * that races the container's removal must not bring its directory back.
 */
export async function writeRecord(dataDir: string, record: ContainerRecord, options: { existing?: boolean } = {}): Promise<void> {
  const p = containerPaths(dataDir, record.id);
  if (!options.existing) await mkdir(p.dir, { recursive: true });
  const tmp = `${p.record}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(record, null, 2));
  await rename(tmp, p.record);
}

export async function readRecord(dataDir: string, id: string): Promise<ContainerRecord> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)) throw new ContainerNotFound(id);
  try {
    return JSON.parse(await readFile(containerPaths(dataDir, id).record, 'utf8')) as ContainerRecord;
  } catch (err) {
    throw new ContainerNotFound(id, { cause: err });
  }
}

/** Names of the container directories present (with or without a readable record). */
export async function listContainerDirs(dataDir: string): Promise<string[]> {
  try {
    return (await readdir(join(dataDir, 'containers'))).filter((n) => !n.startsWith('.'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
