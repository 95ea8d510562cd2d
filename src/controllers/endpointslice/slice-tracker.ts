// What this controller wrote and its informer has not shown yet (upstream's EndpointSliceTracker,
// staging/src/k8s.io/endpointslice/endpointslice_tracker.go). A sync that works from a cache
// missing its own last writes would create duplicate slices (names are generated) or undo them,
// so such a sync waits for the informer. Upstream compares generations; skiff's API server leaves
// EndpointSlice generation unset, so resourceVersions stand in for them: one store orders them.
import type { EndpointSlice } from './types.ts';

type Expectation = { rv: bigint; at: number } | { deleted: true; at: number };

/** How long an expectation may stay unmet before it is dropped (a write the watch never shows). */
const EXPECTATION_TTL_MS = 10_000;

function rvOf(s: EndpointSlice): bigint {
  try {
    return BigInt(s.metadata.resourceVersion ?? '0');
  } catch {
    return 0n;
  }
}

export class SliceTracker {
  /** service key → slice name → what the informer should show next */
  readonly #pending = new Map<string, Map<string, Expectation>>();

  wrote(serviceKey: string, slice: EndpointSlice): void {
    this.#set(serviceKey, slice.metadata.name ?? '', { rv: rvOf(slice), at: Date.now() });
  }

  deleted(serviceKey: string, name: string): void {
    this.#set(serviceKey, name, { deleted: true, at: Date.now() });
  }

  #set(serviceKey: string, name: string, e: Expectation): void {
    let m = this.#pending.get(serviceKey);
    if (!m) this.#pending.set(serviceKey, (m = new Map()));
    m.set(name, e);
  }

  /**
   * An informer event for a slice of `serviceKey`. Answers whether it is news to the controller
   * (someone else's change), as opposed to the echo of one of its own writes.
   */
  observe(serviceKey: string, slice: EndpointSlice, deleted: boolean): boolean {
    const m = this.#pending.get(serviceKey);
    const name = slice.metadata.name ?? '';
    const e = m?.get(name);
    if (!m || !e) return true;
    let news: boolean;
    if ('deleted' in e) {
      if (!deleted) return false;
      news = false;
    } else if (!deleted && rvOf(slice) < e.rv) {
      return false;
    } else {
      news = deleted || rvOf(slice) > e.rv;
    }
    m.delete(name);
    if (m.size === 0) this.#pending.delete(serviceKey);
    return news;
  }

  /**
   * Whether the informer (`cached`: its slice of that name) still lags behind this controller's
   * writes for the service. The cache is asked, not only the events: a watch event can arrive
   * before the answer to the write that caused it.
   */
  stale(serviceKey: string, cached: (name: string) => EndpointSlice | undefined, now = Date.now()): boolean {
    const m = this.#pending.get(serviceKey);
    if (!m) return false;
    for (const [name, e] of m) {
      const s = cached(name);
      const met = 'deleted' in e ? s === undefined : s !== undefined && rvOf(s) >= e.rv;
      if (met || now - e.at > EXPECTATION_TTL_MS) m.delete(name);
    }
    if (m.size === 0) this.#pending.delete(serviceKey);
    return m.size > 0;
  }

  forget(serviceKey: string): void { this.#pending.delete(serviceKey); }
}
