// Atomic projection of files into a volume directory, as pkg/volume/util/atomic_writer.go: the
// payload goes into a fresh `..<timestamp>` directory, the `..data` symlink is swapped to it with a
// rename, and each top-level name is a symlink through `..data`. A container that has the volume
// open sees either the old set of files or the new one, never a mix, and sees updates without a
// restart.
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { VolumeError } from './errors.ts';

const DATA_DIR = '..data';
const NEW_DATA_DIR = '..data_tmp';
const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

export interface FileProjection {
  data: Buffer;
  mode: number;
}

export type Payload = Map<string, FileProjection>;

/** Checks a payload path the way atomic_writer.go validatePath does (same messages). */
export function validatePayloadPath(p: string): void {
  if (p === '') throw new VolumeError(`invalid path: must not be empty: "${p}"`);
  if (p.startsWith('/')) throw new VolumeError(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH) throw new VolumeError(`invalid path: must be less than or equal to ${MAX_PATH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new VolumeError(`invalid path: must not contain '..': ${p}`);
    if (item.length > MAX_FILE_NAME) throw new VolumeError(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME} characters`);
  }
  const first = items[0] ?? '';
  if (first.startsWith('..') && first.length > 2) throw new VolumeError(`invalid path: must not start with '..': ${p}`);
}

function cleanPayload(payload: Payload): Payload {
  const out: Payload = new Map();
  for (const [p, f] of payload) {
    validatePayloadPath(p);
    out.set(posix.normalize(p), f);
  }
  return out;
}

const topLevel = (p: string): string => p.split('/')[0] ?? p;

function timestampName(): string {
  const d = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const ts = `${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}`;
  return `..${ts}.${randomBytes(5).readUInt32BE(0)}`;
}

async function readLinkOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await readlink(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Relative paths of the regular files under dir. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * True when the files in oldDir differ from the payload (content, mode or the set of paths).
 * Upstream's shouldWritePayload compares contents only; comparing modes and removed keys too keeps
 * `..data` from holding files the volume no longer has.
 */
async function differs(payload: Payload, oldDir: string): Promise<boolean> {
  let existing: string[];
  try {
    existing = await filesUnder(oldDir);
  } catch {
    return true;
  }
  if (existing.length !== payload.size || existing.some((p) => !payload.has(p))) return true;
  for (const [p, f] of payload) {
    const full = join(oldDir, p);
    const st = await stat(full);
    if ((st.mode & 0o7777) !== f.mode) return true;
    if (!f.data.equals(await readFile(full))) return true;
  }
  return false;
}

/** Writes the payload into targetDir (which must exist). Returns whether anything changed. */
export async function writeAtomically(targetDir: string, payload: Payload): Promise<boolean> {
  const clean = cleanPayload(payload);
  const dataLink = join(targetDir, DATA_DIR);
  const oldTsName = await readLinkOrUndefined(dataLink);
  const oldTsDir = oldTsName === undefined ? undefined : join(targetDir, oldTsName);
  const oldPaths = oldTsDir ? await filesUnder(oldTsDir).catch(() => []) : [];
  let changed = false;
  if (!oldTsDir || (await differs(clean, oldTsDir))) {
    changed = true;
    const tsName = timestampName();
    const tsDir = join(targetDir, tsName);
    await mkdir(tsDir, { mode: 0o755 });
    await chmod(tsDir, 0o755);
    try {
      for (const [p, f] of clean) {
        const full = join(tsDir, p);
        await mkdir(dirname(full), { recursive: true });
        await writeFile(full, f.data, { mode: f.mode });
        await chmod(full, f.mode); // the umask narrowed writeFile's mode
      }
      const tmpLink = join(targetDir, NEW_DATA_DIR);
      await rm(tmpLink, { force: true });
      await symlink(tsName, tmpLink);
      await rename(tmpLink, dataLink);
    } catch (err) {
      await rm(tsDir, { recursive: true, force: true });
      throw err;
    }
  }
  const newTop = new Set([...clean.keys()].map(topLevel));
  for (const name of newTop) {
    const visible = join(targetDir, name);
    if ((await readLinkOrUndefined(visible)) === undefined) await symlink(join(DATA_DIR, name), visible);
  }
  for (const name of new Set(oldPaths.map(topLevel))) {
    if (!newTop.has(name)) await rm(join(targetDir, name), { force: true });
  }
  if (changed && oldTsDir) await rm(oldTsDir, { recursive: true, force: true });
  return changed;
}

/** For tests and checks: the directory `..data` currently points to, if any. */
export async function currentDataDir(targetDir: string): Promise<string | undefined> {
  const name = await readLinkOrUndefined(join(targetDir, DATA_DIR));
  if (name === undefined) return undefined;
  await lstat(join(targetDir, name));
  return join(targetDir, name);
}
