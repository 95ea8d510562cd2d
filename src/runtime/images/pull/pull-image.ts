// `pullImage`: fetches an image from a registry into the store. Blobs download outside the
// store's lock into `<store>/downloads` (where a later pull resumes them); then one store
// transaction copies them in — verifying each digest again — and unpacks the layers. A failed
// pull therefore leaves the store's images, blobs and tags as they were.
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidImage } from '../errors.ts';
import type { ImageStore } from '../image-store.ts';
import type { Descriptor, ImageManifest, Platform } from '../oci-types.ts';
import { hostPlatform } from '../platform.ts';
import { formatReference, parseReference } from '../reference.ts';
import { removeStale } from '../stale-temp.ts';
import { downloadBlob } from './blob-download.ts';
import { withKeyLock } from './keyed-lock.ts';
import type { PullBlob, PullEvent } from './pull-events.ts';
import type { Credentials } from './registry-auth.ts';
import { RegistryClient } from './registry-client.ts';
import { registryEndpoint } from './registry-host.ts';
import { decodeManifest, selectPlatform, verifyManifestDigest } from './remote-manifest.ts';

export interface PullOptions {
  /** Reach loopback registries (127.0.0.0/8, localhost, [::1]) over plain HTTP (default true). */
  insecureLoopback?: boolean;
  /** Basic credentials for the registry (sent as is to a Basic challenge, or to the token realm). */
  credentials?: Credentials | undefined;
  onProgress?: (event: PullEvent) => void;
  signal?: AbortSignal | undefined;
  /** Platform picked from manifest lists (default: this machine's, e.g. linux/amd64). */
  platform?: Platform;
  /** Retries of transient failures per request and per blob (default 3). */
  retries?: number;
  /** Blobs fetched at once (default 3). */
  concurrency?: number;
}

export interface PullResult {
  /** The normalised reference, as tagged in the store. */
  ref: string;
  /** Digest of the image manifest stored (the platform's, when the reference named an index). */
  manifestDigest: string;
  /** Digest of the index the manifest was picked from, if any. */
  indexDigest?: string;
}

const MAX_INDEX_DEPTH = 4;
const STALE_DOWNLOAD_MS = 7 * 24 * 60 * 60 * 1000;

export function downloadDir(store: ImageStore): string {
  return join(store.root, 'downloads');
}

export async function pullImage(store: ImageStore, input: string, options: PullOptions = {}): Promise<PullResult> {
  const parsed = parseReference(input);
  const ref = formatReference(parsed);
  const endpoint = registryEndpoint(parsed.domain, options.insecureLoopback !== undefined ? { insecureLoopback: options.insecureLoopback } : {});
  const emit = options.onProgress ?? ((): void => {});
  emit({ type: 'resolving', ref, registry: endpoint.name, plainHttp: endpoint.plainHttp });
  const client = new RegistryClient({
    endpoint, repository: parsed.path, refName: ref, credentials: options.credentials, retries: options.retries, signal: options.signal,
  });

  const { manifest, manifestBody, manifestDigest, indexDigest } = await resolveManifest(client, ref, parsed.digest ?? parsed.tag!, parsed.digest, options.platform ?? hostPlatform());
  const blobs = blobsOf(manifest);
  emit({ type: 'resolved', ref, manifestDigest, ...(indexDigest !== undefined ? { indexDigest } : {}), blobs: blobs.map(([b]) => b) });

  const dir = downloadDir(store);
  await mkdir(dir, { recursive: true });
  await removeStale(dir, (n) => n.endsWith('.partial'), STALE_DOWNLOAD_MS);
  const downloaded = await downloadAll(store, client, blobs, dir, ref, emit, options);

  emit({ type: 'storing', ref });
  await store.update(async (tx) => {
    for (const [blob, desc] of blobs) {
      const path = downloaded.get(blob.digest);
      if (path === undefined || (await store.blobs.has(blob.digest))) continue;
      await tx.writeBlob(createReadStream(path), { digest: desc.digest, size: desc.size, what: `${ref}: ${describe(blob)}` });
    }
    await tx.writeBlob(manifestBody, { digest: manifestDigest, what: `${ref}: manifest` });
    await tx.commitImage(manifestDigest, [ref]);
  });
  for (const path of downloaded.values()) await rm(path, { force: true });
  emit({ type: 'done', ref, manifestDigest });
  return { ref, manifestDigest, ...(indexDigest !== undefined ? { indexDigest } : {}) };
}

interface Resolved {
  manifest: ImageManifest;
  manifestBody: Buffer;
  manifestDigest: string;
  indexDigest?: string;
}

/** Fetches the reference's manifest, following indexes to the platform's image manifest. */
async function resolveManifest(client: RegistryClient, ref: string, reference: string, expected: string | undefined, platform: Platform): Promise<Resolved> {
  let indexDigest: string | undefined;
  let what = `${ref}: manifest`;
  for (let depth = 0; ; depth++) {
    const fetched = await client.getManifest(reference);
    verifyManifestDigest(fetched, expected, what);
    const doc = decodeManifest(fetched, what);
    if (doc.kind === 'manifest') {
      return { manifest: doc.manifest, manifestBody: fetched.body, manifestDigest: fetched.digest, ...(indexDigest !== undefined ? { indexDigest } : {}) };
    }
    if (depth >= MAX_INDEX_DEPTH) throw new InvalidImage(`${what}: indexes nested more than ${MAX_INDEX_DEPTH} deep`);
    indexDigest ??= fetched.digest;
    const entry = selectPlatform(doc.index, platform, `${ref}: index ${fetched.digest}`);
    reference = entry.digest;
    expected = entry.digest;
    what = `${ref}: manifest ${entry.digest} (from index ${fetched.digest})`;
  }
}

function blobsOf(manifest: ImageManifest): [PullBlob, Descriptor][] {
  const all: [PullBlob, Descriptor][] = [[{ digest: manifest.config.digest, role: 'config', index: 0, size: manifest.config.size }, manifest.config]];
  const seen = new Set([manifest.config.digest]);
  for (const [i, l] of manifest.layers.entries()) {
    if (seen.has(l.digest)) continue;
    seen.add(l.digest);
    all.push([{ digest: l.digest, role: 'layer', index: i + 1, size: l.size }, l]);
  }
  return all;
}

function describe(blob: PullBlob): string {
  return blob.role === 'config' ? `config ${blob.digest}` : `layer ${blob.index} (${blob.digest})`;
}

/** Downloads the blobs the store lacks, a few at a time; the first failure stops the rest. */
async function downloadAll(
  store: ImageStore, client: RegistryClient, blobs: [PullBlob, Descriptor][], dir: string, ref: string,
  emit: (e: PullEvent) => void, options: PullOptions,
): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const queue = [...blobs];
  const state: { failure?: { err: unknown } } = {};
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined && state.failure === undefined; next = queue.shift()) {
      const [blob, desc] = next;
      try {
        await withKeyLock(blob.digest, async () => {
          if (await store.blobs.has(blob.digest)) {
            emit({ type: 'blob', blob, state: 'exists', completed: blob.size, resumedFrom: 0 });
            return;
          }
          const path = await downloadBlob(client, desc, dir, {
            what: `${ref}: ${describe(blob)}`,
            signal,
            ...(options.retries !== undefined ? { retries: options.retries } : {}),
            onBytes: (completed, resumedFrom) => emit({ type: 'blob', blob, state: 'downloading', completed, resumedFrom }),
          });
          paths.set(blob.digest, path);
          emit({ type: 'blob', blob, state: 'downloaded', completed: blob.size, resumedFrom: 0 });
        });
      } catch (err) {
        state.failure ??= { err };
        stop.abort(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 3) }, worker));
  if (state.failure !== undefined) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw state.failure.err;
  }
  return paths;
}
