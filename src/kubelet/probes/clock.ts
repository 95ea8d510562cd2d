// Time for the probe workers; injectable so unit tests drive it by hand (ManualClock).
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  now(): number;
  /** Resolves after ms, or early (without throwing) when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    try {
      await delay(ms, undefined, { signal });
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  },
};

interface Sleeper {
  until: number;
  resolve: () => void;
}

/** A clock that only moves when told to; `sleepers` lets a test wait until workers are idle. */
export class ManualClock implements Clock {
  #now: number;
  #sleepers = new Set<Sleeper>();
  #watchers: Array<() => void> = [];

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const s: Sleeper = { until: this.#now + ms, resolve: () => undefined };
      const done = (): void => {
        this.#sleepers.delete(s);
        signal.removeEventListener('abort', done);
        resolve();
      };
      s.resolve = done;
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', done, { once: true });
      this.#sleepers.add(s);
      this.#notify();
    });
  }

  /** Moves time forward and wakes every sleeper whose time has come. */
  advance(ms: number): void {
    this.#now += ms;
    for (const s of [...this.#sleepers]) if (s.until <= this.#now) s.resolve();
  }

  get sleepers(): number {
    return this.#sleepers.size;
  }

  /** Resolves once at least n callers are sleeping (i.e. every worker finished its probe). */
  async untilSleepers(n: number): Promise<void> {
    while (this.#sleepers.size < n) await new Promise<void>((resolve) => this.#watchers.push(resolve));
  }

  #notify(): void {
    const ws = this.#watchers;
    this.#watchers = [];
    for (const w of ws) w();
  }
}
