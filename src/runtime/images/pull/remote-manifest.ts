// Makes sense of a manifest as a registry served it: checks its digest against what was asked
// for and what the registry claims, tells indexes from image manifests, and picks the platform's
// entry from an index (docker manifest lists and OCI indexes alike).
import { DigestMismatch, InvalidImage } from '../errors.ts';
import { parseIndex, parseManifest } from '../image-documents.ts';
import { isIndexMediaType, isManifestMediaType, layerCompression } from '../media-types.ts';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from '../oci-types.ts';
import { formatPlatform, platformMatches } from '../platform.ts';
import { NoMatchingPlatform } from './errors.ts';
import type { FetchedManifest } from './registry-client.ts';

export type RemoteDocument =
  | { kind: 'index'; index: ImageIndex }
  | { kind: 'manifest'; manifest: ImageManifest };

/**
 * Throws DigestMismatch when the body does not hash to `expected` (the digest the reference or
 * the parent index named), or to the registry's Docker-Content-Digest.
 */
export function verifyManifestDigest(fetched: FetchedManifest, expected: string | undefined, what: string): void {
  if (expected !== undefined && fetched.digest !== expected) throw new DigestMismatch(what, expected, fetched.digest);
  const claimed = fetched.headerDigest;
  if (claimed !== undefined && claimed.startsWith('sha256:') && claimed !== fetched.digest) {
    throw new DigestMismatch(`${what} (against the registry's Docker-Content-Digest)`, claimed, fetched.digest);
  }
}

export function decodeManifest(fetched: FetchedManifest, what: string): RemoteDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(fetched.body.toString('utf8'));
  } catch (err) {
    throw new InvalidImage(`${what} is not valid JSON`, { cause: err });
  }
  const fields = (typeof doc === 'object' && doc !== null ? doc : {}) as { mediaType?: unknown; manifests?: unknown; layers?: unknown; schemaVersion?: unknown };
  if (fields.schemaVersion === 1) throw new InvalidImage(`${what} is a Docker schema 1 manifest, which skiff does not pull`);
  // The body's own mediaType wins over Content-Type, which some registries send as plain JSON.
  const mediaType = typeof fields.mediaType === 'string' ? fields.mediaType : fetched.mediaType;
  const isIndex = isIndexMediaType(mediaType) || (!isManifestMediaType(mediaType) && Array.isArray(fields.manifests));
  if (isIndex) return { kind: 'index', index: parseIndex(doc, what) };
  const manifest = parseManifest(doc, what);
  for (const [i, layer] of manifest.layers.entries()) {
    if (layerCompression(layer.mediaType) === undefined) throw new InvalidImage(`${what}: layer ${i + 1} has media type "${layer.mediaType}", which skiff cannot unpack`);
  }
  return { kind: 'manifest', manifest };
}

/** The index entry for `platform` (an image manifest, or a nested index to follow). */
export function selectPlatform(index: ImageIndex, platform: Platform, what: string): Descriptor {
  const entries = index.manifests;
  const match = entries.find((m) => isManifestMediaType(m.mediaType) && platformMatches(platform, m.platform))
    ?? entries.find((m) => isIndexMediaType(m.mediaType) && (m.platform === undefined || platformMatches(platform, m.platform)))
    ?? (entries.length === 1 && entries[0]!.platform === undefined ? entries[0] : undefined);
  if (match) return match;
  const have = entries.map((m) => formatPlatform(m.platform)).join(', ') || 'nothing';
  throw new NoMatchingPlatform(`${what}: no ${formatPlatform(platform)} image (it has: ${have})`);
}
