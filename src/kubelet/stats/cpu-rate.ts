// CPU usage as a rate: cgroups only count cumulative CPU time, so the rate is the difference
// between two samples over the time between them (what cAdvisor's housekeeping keeps per
// container and the kubelet reports as usageNanoCores, pkg/kubelet/stats/helper.go).

export interface CpuSample {
  /** Milliseconds since the epoch. */
  atMs: number;
  /** Cumulative CPU time, nanoseconds. */
  usageNanos: number;
}

export interface CpuRateOptions {
  /** A baseline must be at least this much older than the sample (ms). */
  minWindowMs?: number;
  /** Samples older than this are forgotten (ms). */
  maxAgeMs?: number;
  /** Samples kept per key. */
  maxSamples?: number;
}

export class CpuRateTracker {
  readonly #samples = new Map<string, CpuSample[]>();
  readonly #minWindowMs: number;
  readonly #maxAgeMs: number;
  readonly #maxSamples: number;

  constructor(opts: CpuRateOptions = {}) {
    this.#minWindowMs = opts.minWindowMs ?? 500;
    this.#maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.#maxSamples = opts.maxSamples ?? 4;
  }

  get minWindowMs(): number {
    return this.#minWindowMs;
  }

  /** True when `key` has a sample a rate at `atMs` can be computed against. */
  hasBaseline(key: string, atMs: number): boolean {
    return this.#baseline(key, atMs) !== undefined;
  }

  /** Remembers a sample (older ones beyond the limits are dropped). */
  record(key: string, sample: CpuSample): void {
    const list = (this.#samples.get(key) ?? []).filter((s) => s.atMs < sample.atMs && sample.atMs - s.atMs <= this.#maxAgeMs);
    list.push(sample);
    this.#samples.set(key, list.slice(-this.#maxSamples));
  }

  /**
   * Nanocores between the newest sample old enough and `sample`, or undefined without one. A
   * counter that went backwards (the cgroup was recreated under the same path) gives no rate.
   */
  rate(key: string, sample: CpuSample): number | undefined {
    const base = this.#baseline(key, sample.atMs);
    if (!base || sample.usageNanos < base.usageNanos) return undefined;
    const elapsedNs = (sample.atMs - base.atMs) * 1e6;
    return Math.round(((sample.usageNanos - base.usageNanos) / elapsedNs) * 1e9);
  }

  /** Forgets every key not in `live` (containers and pods that are gone). */
  retain(live: ReadonlySet<string>): void {
    for (const key of this.#samples.keys()) if (!live.has(key)) this.#samples.delete(key);
  }

  #baseline(key: string, atMs: number): CpuSample | undefined {
    const list = this.#samples.get(key) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i]!;
      const age = atMs - s.atMs;
      if (age >= this.#minWindowMs && age <= this.#maxAgeMs) return s;
    }
    return undefined;
  }
}
