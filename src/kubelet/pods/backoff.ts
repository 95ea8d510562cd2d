// Per-key exponential backoff for container restarts and image pulls (client-go util/flowcontrol
// backoff.go as the kubelet uses it): the first retry is immediate, each later one waits twice as
// long as the one before, up to `maxMs`; a key left alone for 2×max starts over.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

interface Entry { delayMs: number; lastMs: number }

export class Backoff {
  readonly #o: BackoffOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: BackoffOptions) {
    this.#o = options;
  }

  /** The time (ms) before which `key` must not be retried, counted from `since`; undefined: go now. */
  blockedUntil(key: string, since: number, now = Date.now()): number | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (now - e.lastMs > 2 * this.#o.maxMs) {
      this.#entries.delete(key);
      return undefined;
    }
    const until = since + e.delayMs;
    return now < until ? until : undefined;
  }

  /** The current delay for `key` (what a BackOff message shows). */
  delayMs(key: string): number {
    return this.#entries.get(key)?.delayMs ?? this.#o.baseMs;
  }

  /** Records a retry: the next one waits longer. */
  next(key: string, now = Date.now()): void {
    const e = this.#entries.get(key);
    this.#entries.set(key, { delayMs: e ? Math.min(e.delayMs * 2, this.#o.maxMs) : this.#o.baseMs, lastMs: now });
  }

  reset(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every key starting with `prefix` (a pod that went away). */
  forgetPrefix(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }
}
