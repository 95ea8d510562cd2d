// Downloads one blob into `<dir>/<hex>.partial`, hashing as it goes. A partial file left by an
// earlier attempt (this pull's, or a previous one's) is resumed with a Range request; a body cut
// short is resumed the same way, a few times. The file is handed back only once its size and
// sha256 match the descriptor; on a mismatch it is deleted, so the next attempt starts clean.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { digestHex } from '../digest.ts';
import { DigestMismatch } from '../errors.ts';
import type { Descriptor } from '../oci-types.ts';
import { RegistryError } from './errors.ts';
import type { RegistryClient } from './registry-client.ts';
import { TruncatedBody, isTransient } from './retry.ts';

export interface DownloadOptions {
  /** Names the blob in messages, e.g. `"app:v1": layer 2`. */
  what: string;
  /** Bytes written so far (including a resumed prefix), as they arrive. */
  onBytes?: (completed: number, resumedFrom: number) => void;
  /** Times a cut-off body is resumed within this call (default 3). */
  retries?: number;
  signal?: AbortSignal | undefined;
}

export function partialPath(dir: string, digest: string): string {
  return join(dir, `${digestHex(digest)}.partial`);
}

export async function downloadBlob(client: RegistryClient, desc: Descriptor, dir: string, options: DownloadOptions): Promise<string> {
  const path = partialPath(dir, desc.digest);
  const retries = options.retries ?? 3;
  let restartedClean = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const prefix = await hashPrefix(path, desc.size);
      const resumedFrom = prefix.size;
      const hash = prefix.size < desc.size ? await fetchRest(client, desc, path, prefix, options) : prefix.hash;
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== desc.digest) {
        await rm(path, { force: true });
        // A resumed prefix may be what is wrong (a crash mid-write): one clean download decides.
        if (resumedFrom > 0 && !restartedClean) {
          restartedClean = true;
          attempt--;
          continue;
        }
        throw new DigestMismatch(options.what, desc.digest, actual);
      }
      return path;
    } catch (err) {
      if (attempt >= retries || !isTransient(err) || options.signal?.aborted) throw err;
      await sleep(250 * 2 ** attempt, undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}

/** Hashes what an earlier attempt left; a partial longer than the blob is discarded. */
async function hashPrefix(path: string, want: number): Promise<{ hash: Hash; size: number }> {
  const hash = createHash('sha256');
  const size = await stat(path).then((s) => s.size, () => 0);
  if (size > want) {
    await rm(path, { force: true });
    return { hash, size: 0 };
  }
  if (size > 0) for await (const chunk of createReadStream(path, { end: size - 1 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return { hash, size };
}

/** Appends the rest of the blob to `path`; resolves to the hash of the whole file. */
async function fetchRest(client: RegistryClient, desc: Descriptor, path: string, prefix: { hash: Hash; size: number }, options: DownloadOptions): Promise<Hash> {
  const { message, start } = await client.openBlob(desc.digest, prefix.size);
  if (message.statusCode === 416) {
    // The registry will not serve from there: start over (503 makes it a retry).
    message.resume();
    await rm(path, { force: true });
    throw new RegistryError(`${options.what}: the registry refused to resume at byte ${prefix.size}`, 503);
  }
  let hash = prefix.hash;
  let offset = prefix.size;
  let flags = 'a';
  if (start !== prefix.size) {
    if (start !== 0) {
      message.resume();
      throw new RegistryError(`${options.what}: asked for bytes from ${prefix.size}, got from ${start}`, 502);
    }
    // Range ignored (HTTP 200): the body is the whole blob again.
    hash = createHash('sha256');
    offset = 0;
    flags = 'w';
  }
  const fh = await open(path, flags, 0o600);
  try {
    for await (const chunk of message as AsyncIterable<Buffer>) {
      if (offset + chunk.length > desc.size) {
        message.destroy();
        await rm(path, { force: true });
        throw new DigestMismatch(options.what, desc.digest, `a body longer than the ${desc.size} bytes declared`);
      }
      hash.update(chunk);
      await fh.write(chunk);
      offset += chunk.length;
      options.onBytes?.(offset, prefix.size);
    }
  } catch (err) {
    if (err instanceof DigestMismatch || (err as { code?: unknown }).code === undefined) throw err;
    throw new RegistryError(`${options.what}: download interrupted after ${offset} of ${desc.size} bytes (${(err as Error).message}); pulling again resumes it`, undefined, { cause: err });
  } finally {
    await fh.close();
  }
  if (offset < desc.size) throw new TruncatedBody(options.what, offset, desc.size);
  return hash;
}
