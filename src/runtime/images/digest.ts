// sha256 digests in their OCI form, `sha256:<64 lowercase hex>`.
import { createHash } from 'node:crypto';
import { InvalidImage } from './errors.ts';

const DIGEST = /^sha256:([a-f0-9]{64})$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/** The hex part of a digest; throws when the value is not a sha256 digest (the only algorithm stored). */
export function digestHex(digest: string): string {
  const m = DIGEST.exec(digest);
  if (!m) throw new InvalidImage(`"${digest}" is not a sha256 digest`);
  return m[1]!;
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
