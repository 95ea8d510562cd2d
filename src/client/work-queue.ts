// A rate-limited work queue of keys (client-go util/workqueue): a key is queued at most once,
// never handed to two workers at once, and re-queued after done() if it was added meanwhile.
// Failures back off per key exponentially; an overall token bucket bounds the retry rate.

export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall retry rate (per second) and burst. */
  qps?: number;
  burst?: number;
}

export class WorkQueue<K = string> {
  readonly #queue: K[] = [];
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #failures = new Map<K, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  #waiters: Array<(k: K | undefined) => void> = [];
  #shutdown = false;
  readonly #base: number;
  readonly #max: number;
  readonly #qps: number;
  readonly #burst: number;
  #tokens: number;
  #lastRefill = Date.now();

  constructor(opts: WorkQueueOptions = {}) {
    this.#base = opts.baseDelayMs ?? 5;
    this.#max = opts.maxDelayMs ?? 1000_000;
    this.#qps = opts.qps ?? 10;
    this.#burst = opts.burst ?? 100;
    this.#tokens = this.#burst;
  }

  get length(): number { return this.#queue.length; }
  get shuttingDown(): boolean { return this.#shutdown; }

  add(key: K): void {
    if (this.#shutdown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  #push(key: K): void {
    const w = this.#waiters.shift();
    if (w) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      w(key);
    } else {
      this.#queue.push(key);
    }
  }

  /** The next key, or undefined once the queue is shut down. */
  async get(): Promise<K | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      return key;
    }
    if (this.#shutdown) return undefined;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: K): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#push(key);
  }

  /**
   * Adds `key` once `ms` have passed. A key waits at most once: a later time for a key already
   * waiting is ignored, an earlier one replaces it (client-go's delaying queue), so two callers
   * asking for the same retry do not sync the key twice back to back.
   */
  addAfter(key: K, ms: number): void {
    if (this.#shutdown) return;
    if (ms <= 0) { this.add(key); return; }
    const at = Date.now() + ms;
    const waiting = this.#delayed.get(key);
    if (waiting && waiting.at <= at) return;
    if (waiting) {
      clearTimeout(waiting.timer);
      this.#timers.delete(waiting.timer);
    }
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (this.#delayed.get(key)?.timer === t) this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#timers.add(t);
    this.#delayed.set(key, { at, timer: t });
  }

  /** Re-queue after a failure, with per-key exponential backoff. */
  addRateLimited(key: K): void {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    const perItem = Math.min(this.#base * 2 ** n, this.#max);
    this.addAfter(key, Math.max(perItem, this.#bucketDelay()));
  }

  #bucketDelay(): number {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#lastRefill) / 1000) * this.#qps);
    this.#lastRefill = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#qps) * 1000;
  }

  forget(key: K): void { this.#failures.delete(key); }
  numRequeues(key: K): number { return this.#failures.get(key) ?? 0; }

  shutDown(): void {
    this.#shutdown = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#delayed.clear();
    for (const w of this.#waiters) w(undefined);
    this.#waiters = [];
  }
}
