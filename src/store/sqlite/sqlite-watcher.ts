// One watch on the SQLite store. A watcher is in one of two modes:
//   catch-up: events are read from the log table, a bounded revision span at a time, whenever the
//             consumer asks for more; live events are ignored because the log already has them.
//   live:     events are pushed by the store's write path right after each commit.
// The switch from catch-up to live happens in the same synchronous step as the read that reached
// the current revision, and commits also happen synchronously (one JS thread, one connection), so
// no commit can slip between the two: no gap and no duplicate at the seam. If the consumer falls
// more than `maxBuffer` events behind, the buffer is dropped and the watcher goes back to catch-up
// from the first undelivered revision, so memory stays bounded and the stream stays complete
// (like etcd's unsynced watchers). It only fails if compaction overtakes it.

import { StoreError, compacted } from '../errors.ts';
import type { StoreEvent, Watcher } from '../types.ts';

/** What a watcher needs from its store; all calls are synchronous. */
export interface WatchSource {
  revision(): number;
  compactedRevision(): number;
  isClosed(): boolean;
  /** Events for keys under prefix with fromRev <= revision <= toRev, in revision order. */
  readEvents(prefix: string, fromRev: number, toRev: number): StoreEvent[];
  removeWatcher(w: SqliteWatcher): void;
}

export interface WatcherLimits {
  /** Live events buffered for a slow consumer before falling back to catch-up. */
  maxBuffer: number;
  /** Revisions read from the log per catch-up step. */
  catchUpSpan: number;
}

export const closedError = (): StoreError => new StoreError('Closed', '', 'store is closed');

export class SqliteWatcher implements Watcher {
  readonly prefix: string;
  #src: WatchSource;
  #limits: WatcherLimits;
  #after: number;
  #signal: AbortSignal;
  #queue: StoreEvent[] = [];
  #head = 0;
  /** Next revision to read from the log; undefined once live. */
  #catchUpFrom: number | undefined;
  #error: StoreError | undefined;
  #done = false;
  #wake: (() => void) | undefined;

  constructor(src: WatchSource, prefix: string, afterRevision: number, signal: AbortSignal, limits: WatcherLimits) {
    this.prefix = prefix;
    this.#src = src;
    this.#limits = limits;
    this.#after = Number.isFinite(afterRevision) ? Math.max(0, Math.floor(afterRevision)) : 0;
    this.#catchUpFrom = this.#after + 1;
    this.#signal = signal;
    if (signal.aborted) this.#done = true;
    else signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** True once the watcher will accept no more events. */
  get finished(): boolean {
    return this.#done || this.#error !== undefined;
  }

  /** Called by the store after each commit, in revision order, for events under `prefix`. */
  push(ev: StoreEvent): void {
    if (this.finished || this.#catchUpFrom !== undefined || ev.kv.modRevision <= this.#after) return;
    const buffered = this.#queue.length - this.#head;
    if (buffered >= this.#limits.maxBuffer) {
      // Too slow: forget the buffer and re-read it (and this event) from the log later.
      const first = this.#queue[this.#head];
      this.#catchUpFrom = first === undefined ? ev.kv.modRevision : first.kv.modRevision;
      this.#queue = [];
      this.#head = 0;
      return;
    }
    this.#queue.push(ev);
    this.#notify();
  }

  /** Ends the watch with an error, after the events already buffered. */
  fail(err: StoreError): void {
    if (this.finished) return;
    this.#error = err;
    this.#detach();
    this.#notify();
  }

  [Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    return {
      next: () => this.#next(),
      return: async () => {
        this.#stop();
        return { done: true, value: undefined };
      },
    };
  }

  async #next(): Promise<IteratorResult<StoreEvent>> {
    for (;;) {
      const ev = this.#shift();
      if (ev !== undefined) return { done: false, value: ev };
      if (this.#done) return { done: true, value: undefined };
      if (this.#error !== undefined) {
        const err = this.#error;
        this.#done = true;
        throw err;
      }
      if (this.#catchUpFrom !== undefined) {
        this.#catchUp(this.#catchUpFrom);
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #catchUp(from: number): void {
    if (this.#src.isClosed()) return this.fail(closedError());
    const current = this.#src.revision();
    if (from > current) {
      this.#catchUpFrom = undefined;
      return;
    }
    // Revisions at or below the compacted one are forgotten, so a watch that still needs to
    // start from one of them cannot be served (from - 1 < current here, so history really is
    // needed). Like a list at that revision, it must relist.
    const compactedRev = this.#src.compactedRevision();
    if (compactedRev > 0 && from - 1 <= compactedRev) return this.fail(compacted(from - 1, compactedRev));
    const to = Math.min(current, from + this.#limits.catchUpSpan - 1);
    const events = this.#src.readEvents(this.prefix, from, to);
    for (const ev of events) this.#queue.push(ev);
    this.#catchUpFrom = to === current ? undefined : to + 1;
  }

  #shift(): StoreEvent | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const ev = this.#queue[this.#head];
    this.#queue[this.#head] = undefined as unknown as StoreEvent;
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return ev;
  }

  #onAbort = (): void => {
    this.#stop();
  };

  #stop(): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue = [];
    this.#head = 0;
    this.#detach();
    this.#notify();
  }

  #detach(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#src.removeWatcher(this);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
