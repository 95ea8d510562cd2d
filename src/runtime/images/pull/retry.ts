// Retries for failures that a second attempt may not meet: dropped connections, timeouts, and
// the statuses registries answer while overloaded (429, 5xx but 501). Exponential backoff from
// `baseDelayMs`; the signal cuts the wait short.
import { setTimeout as sleep } from 'node:timers/promises';
import { isRegistryError } from './errors.ts';

export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  baseDelayMs?: number;
  signal?: AbortSignal | undefined;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE', 'TRUNCATED_BODY',
]);
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export function isTransient(err: unknown): boolean {
  if (isRegistryError(err)) return err.status !== undefined && TRANSIENT_STATUS.has(err.status) || isTransient(err.cause);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= retries || !isTransient(err) || options.signal?.aborted) throw err;
      await sleep((options.baseDelayMs ?? 250) * 2 ** attempt, undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}

/** A body that ended before its declared length: worth resuming. */
export class TruncatedBody extends Error {
  readonly code = 'TRUNCATED_BODY';
  constructor(what: string, got: number, want: number) {
    super(`${what}: connection closed after ${got} of ${want} bytes; pulling again resumes it`);
    this.name = 'TruncatedBody';
  }
}
