// resourceVersion query parameters, and the answer for versions the server has not reached
// (k8s.io/apiserver/pkg/storage: APIObjectVersioner.ParseResourceVersion, which parses a uint64,
// and NewTooLargeResourceVersionError, which the cacher returns after waiting ~3 s for its watch
// to catch up: 504 Timeout with cause ResourceVersionTooLarge).
import { badRequest, newStatus, StatusError, truncateEcho } from '../../api/errors.ts';

const UINT64_MAX = 18446744073709551615n;

/** How long a read waits for the cache to reach a resourceVersion it asked for (upstream: 3 s). */
export const RESOURCE_VERSION_WAIT_MS = 3000;

/**
 * A resourceVersion query parameter: undefined when absent or empty, else its value. Like Go's
 * ParseUint: decimal digits only (leading zeros allowed, no sign or spaces), at most 2^64-1.
 * Versions beyond 2^53 come out rounded, which is harmless: they are far beyond any real version.
 */
export function parseResourceVersion(value: string | null, param = 'resourceVersion'): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^[0-9]+$/.test(value)) throw badRequest(`${param}: Invalid value: "${truncateEcho(value)}": must be a non-negative integer`);
  if (value.length > 20 || BigInt(value) > UINT64_MAX) throw badRequest(`${param}: Invalid value: "${truncateEcho(value)}": value out of range`);
  return Number(value);
}

/** A read for a version the cache did not reach in time: 504, so clients retry or re-list. */
export class TooLargeResourceVersionError extends StatusError {
  readonly requested: number;
  readonly current: number;
  constructor(requested: number, current: number) {
    super(newStatus(504, 'Timeout', `Timeout: Too large resource version: ${formatVersion(requested)}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1,
    }));
    this.name = 'TooLargeResourceVersionError';
    this.requested = requested;
    this.current = current;
  }
}

export function isTooLargeResourceVersion(err: unknown): err is TooLargeResourceVersionError {
  return err instanceof TooLargeResourceVersionError;
}

/** Integers print in full (1e+21 would be 1000000000000000000000); only exact values below 2^64 reach here. */
function formatVersion(rev: number): string {
  return Number.isSafeInteger(rev) ? String(rev) : BigInt(Math.round(rev)).toString();
}
