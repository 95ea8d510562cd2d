// Bounds on requests being served at once, so a burst of clients slows down instead of piling
// work onto the event loop without end (k8s.io/apiserver/pkg/server/filters/maxinflight.go):
// read-only and mutating requests each have a limit; a request over it is answered 429 with
// Retry-After at once. Long-running requests (watches, logs, exec, attach, port-forward) hold no
// slot, nor do members of system:masters or health probes, as upstream exempts them.
import { newStatus, StatusError } from '../api/errors.ts';
import type { RequestInfo } from './request-info.ts';

export interface InflightLimits {
  /** --max-requests-inflight: read-only requests at once (0: no limit). */
  readOnly: number;
  /** --max-mutating-requests-inflight: mutating requests at once (0: no limit). */
  mutating: number;
}

export type RequestKind = 'readOnly' | 'mutating';

/** Members are never limited (k8s.io/apiserver's user.SystemPrivilegedGroup). */
export const PRIVILEGED_GROUP = 'system:masters';

const READ_ONLY_VERBS = new Set(['get', 'list', 'watch', 'head']);
const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

/** Upstream's BasicLongRunningRequestCheck: watch and proxy verbs and the streaming subresources. */
export function isLongRunning(ri: RequestInfo): boolean {
  return ri.isResourceRequest && (LONG_RUNNING_VERBS.has(ri.verb) || LONG_RUNNING_SUBRESOURCES.has(ri.subresource));
}

export function requestKind(ri: RequestInfo): RequestKind {
  return READ_ONLY_VERBS.has(ri.verb) ? 'readOnly' : 'mutating';
}

/** The 429 answer: upstream's tooManyRequests with Retry-After of one second. */
export function tooManyRequests(): StatusError {
  return new StatusError(newStatus(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }));
}

export class MaxInflight {
  readonly #limits: InflightLimits;
  readonly #current: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };

  constructor(limits: InflightLimits) {
    this.#limits = limits;
  }

  /** Requests of each kind being served now. */
  current(kind: RequestKind): number { return this.#current[kind]; }

  /** Take a slot for a request of `kind`: the release function, or undefined when none is free. */
  tryAcquire(kind: RequestKind): (() => void) | undefined {
    const limit = this.#limits[kind];
    if (limit > 0 && this.#current[kind] >= limit) return undefined;
    this.#current[kind]++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#current[kind]--;
    };
  }
}
