// What the engine keeps on disk per sandbox, `<dataDir>/sandboxes/<id>.json`, so a new process on
// the same data directory finds its pods again. Written atomically (temp + rename).
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PortMapping } from '../../cni/index.ts';
import type { RuntimeSelector } from '../oci-runtime.ts';
import { SandboxNotFound } from './errors.ts';

export type SandboxNetworkMode = 'pod' | 'host' | 'none';

export interface SandboxRecord {
  id: string;
  name: string;
  hostname: string;
  /** Absolute cgroup of the pod; the pause and every app container live below it. */
  cgroupParent: string;
  network: SandboxNetworkMode;
  shareProcessNamespace: boolean;
  portMappings: PortMapping[];
  /** `creating` until everything is set up: a crash in between leaves litter `recover()` removes. */
  phase: 'creating' | 'ready' | 'removing';
  createdAt: string;
  /** Pinned namespace files. */
  namespaces: { net?: string; ipc: string; uts?: string };
  pauseContainerId?: string;
  pausePid?: number;
  ip?: string;
  labels: Record<string, string>;
  /** The runtime handler of the pause and, unless they name another, the app containers (RuntimeClass). */
  runtime?: RuntimeSelector;
}

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function sandboxDir(dataDir: string): string {
  return join(dataDir, 'sandboxes');
}

function recordPath(dataDir: string, id: string): string {
  return join(sandboxDir(dataDir), `${id}.json`);
}

export async function writeSandboxRecord(dataDir: string, record: SandboxRecord): Promise<void> {
  await mkdir(sandboxDir(dataDir), { recursive: true });
  const file = recordPath(dataDir, record.id);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(record, null, 2));
  await rename(tmp, file);
}

export async function readSandboxRecord(dataDir: string, id: string): Promise<SandboxRecord> {
  if (!ID_PATTERN.test(id)) throw new SandboxNotFound(id);
  try {
    return JSON.parse(await readFile(recordPath(dataDir, id), 'utf8')) as SandboxRecord;
  } catch (err) {
    throw new SandboxNotFound(id, { cause: err });
  }
}

export async function removeSandboxRecord(dataDir: string, id: string): Promise<void> {
  await rm(recordPath(dataDir, id), { force: true });
}

/** Ids with a record file (readable or not). */
export async function listSandboxIds(dataDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(sandboxDir(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const n of names) if (n.endsWith('.json')) out.push(n.slice(0, -'.json'.length));
  return out.sort();
}
