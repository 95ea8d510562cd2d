// Reading files of an unpacked OCI layout or docker-save archive by the names its JSON gives,
// without following a name (or a symlink) out of the directory.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { digestHex } from './digest.ts';
import { DigestMismatch, InvalidImage } from './errors.ts';
import type { Descriptor } from './oci-types.ts';
import { cleanEntryName } from './safe-path.ts';

const MAX_JSON_BYTES = 8 << 20;

/** The real path of `name` inside `dir`; throws InvalidImage when missing or outside. */
export async function layoutFile(dir: string, name: string, what: string): Promise<string> {
  let parts: string[];
  try {
    parts = cleanEntryName(name);
  } catch {
    throw new InvalidImage(`${what}: "${name}" points outside the archive`);
  }
  const realDir = await realpath(dir);
  let real: string;
  try {
    real = await realpath(join(dir, ...parts));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidImage(`${what}: "${name}" is missing`, { cause: err });
    throw err;
  }
  if (!real.startsWith(realDir + sep)) throw new InvalidImage(`${what}: "${name}" points outside the archive`);
  if (!(await stat(real)).isFile()) throw new InvalidImage(`${what}: "${name}" is not a regular file`);
  return real;
}

export async function readLayoutJson(dir: string, name: string, what: string): Promise<unknown> {
  const path = await layoutFile(dir, name, what);
  return parseJson(await readSmall(path, what), what);
}

/** Path of a blob of an OCI layout, checked to exist and to have the descriptor's size. */
export async function layoutBlob(dir: string, desc: Descriptor, what: string): Promise<string> {
  const path = await layoutFile(dir, `blobs/sha256/${digestHex(desc.digest)}`, what).catch((err: unknown) => {
    throw new InvalidImage(`${what}: blob ${desc.digest} is missing from the layout`, { cause: err });
  });
  const size = (await stat(path)).size;
  if (size !== desc.size) throw new InvalidImage(`${what}: blob ${desc.digest} is ${size} bytes, descriptor says ${desc.size}`);
  return path;
}

/** A small JSON blob of an OCI layout, verified against its digest. */
export async function readLayoutBlobJson(dir: string, desc: Descriptor, what: string): Promise<unknown> {
  const data = await readSmall(await layoutBlob(dir, desc, what), what);
  const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  if (actual !== desc.digest) throw new DigestMismatch(what, desc.digest, actual);
  return parseJson(data, what);
}

async function readSmall(path: string, what: string): Promise<Buffer> {
  if ((await stat(path)).size > MAX_JSON_BYTES) throw new InvalidImage(`${what}: larger than ${MAX_JSON_BYTES} bytes`);
  return readFile(path);
}

function parseJson(data: Buffer, what: string): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new InvalidImage(`${what}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
