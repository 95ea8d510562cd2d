// The API server's in-memory view of the store (the role of k8s.io/apiserver/pkg/storage/cacher):
// one store watch on the whole registry feeds a map of current objects per resource and a bounded
// window of recent events, so lists and watches never touch the store and a thousand watchers cost
// one store watch. Objects are kept parsed (for selectors) and serialized once (for responses).
import type { KubeObject } from '../../api/meta.ts';
import type { Store, StoreEvent } from '../../store/types.ts';
import { isCompacted } from '../../store/errors.ts';
import { RESOURCE_VERSION_WAIT_MS, TooLargeResourceVersionError } from './resource-version.ts';

export interface CachedObject {
  key: string;
  rev: number;
  obj: KubeObject;
  json: string;
}

export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rev: number;
  key: string;
  /** For DELETED: the last state, with the deletion's revision. */
  obj: CachedObject;
  prev?: CachedObject;
  /** Serialized watch lines by event type, shared by every watcher that sends this event as is. */
  lines?: Record<string, string>;
}

export type CacheListener = (ev: CacheEvent) => void;

export interface Subscription {
  close(): void;
}

export class TooOldError extends Error {
  readonly code = 'TooOld';
  constructor(rev: number, oldest: number) {
    super(`too old resource version: ${rev} (${oldest})`);
  }
}

/** `/registry/apps/deployments/ns/name` → `/registry/apps/deployments/`. */
export function resourcePrefixOf(key: string): string {
  let slashes = 0;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === 47 && ++slashes === 4) return key.slice(0, i + 1);
  }
  return key;
}

class ResourceState {
  readonly objects = new Map<string, CachedObject>();
  #sortedKeys: string[] | undefined;
  readonly history: CacheEvent[] = [];
  /** Watches from a revision below this cannot be served from history. */
  historyFrom: number;
  readonly listeners = new Set<{ keyPrefix: string; fn: CacheListener }>();
  constructor(from: number) { this.historyFrom = from; }

  /** Objects in key order. The key order is kept until a key is added or removed. */
  sorted(): CachedObject[] {
    this.#sortedKeys ??= [...this.objects.keys()].sort();
    return this.#sortedKeys.map((k) => this.objects.get(k)!);
  }
  invalidate(): void { this.#sortedKeys = undefined; }
}

export interface WatchCacheOptions {
  root?: string;
  /** Events kept per resource for watch resumption. */
  historyLimit?: number;
  onError?: (err: unknown) => void;
  /** How long waitFor waits for a version by default (upstream's cacher: 3 s). */
  resourceVersionWaitMs?: number;
}

export function materialize(key: string, value: string, rev: number): CachedObject {
  const obj = JSON.parse(value) as KubeObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(rev);
  return { key, rev, obj, json: JSON.stringify(obj) };
}

export class WatchCache {
  readonly #store: Store;
  readonly #root: string;
  readonly #historyLimit: number;
  readonly #onError: (err: unknown) => void;
  readonly #waitMs: number;
  readonly #resources = new Map<string, ResourceState>();
  #revision = 0;
  #ready = false;
  /** The store's revision when the cache was filled: ready once the replay reaches it. */
  #readyAt = 0;
  /** Revision the cache was filled at: history of every resource is complete from here. */
  #base = 0;
  #waiters: Array<{ rev: number; resolve: () => void }> = [];
  #readyWaiters: Array<() => void> = [];

  constructor(store: Store, opts: WatchCacheOptions = {}) {
    this.#store = store;
    this.#root = opts.root ?? '/registry/';
    this.#historyLimit = opts.historyLimit ?? 20_000;
    this.#onError = opts.onError ?? (() => {});
    this.#waitMs = opts.resourceVersionWaitMs ?? RESOURCE_VERSION_WAIT_MS;
  }

  get revision(): number { return this.#revision; }
  get ready(): boolean { return this.#ready; }

  /** Fill from a list, then follow the store's watch until the signal aborts. Re-lists if the watch falls behind compaction. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#fill();
        for await (const ev of this.#store.watch(this.#root, { afterRevision: this.#revision, signal })) this.#apply(ev);
        if (signal.aborted) return;
      } catch (err) {
        if (signal.aborted) return;
        if (!isCompacted(err)) this.#onError(err);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /**
   * Start from the oldest state the store still has history after, and let the watch replay the
   * rest: the cache then holds history from before this process started, so a client watching
   * from a version it saw before a restart resumes instead of re-listing.
   */
  async #fill(): Promise<void> {
    const current = await this.#store.currentRevision();
    const oldest = Math.min((await this.#store.compactedRevision()) + 1, current);
    const listed = oldest > 0 ? await this.#store.list(this.#root, { revision: oldest }) : { items: [], revision: 0 };
    const fresh = new Map<string, ResourceState>();
    for (const kv of listed.items) {
      const prefix = resourcePrefixOf(kv.key);
      let st = fresh.get(prefix);
      if (!st) { st = new ResourceState(listed.revision); fresh.set(prefix, st); }
      st.objects.set(kv.key, materialize(kv.key, kv.value, kv.modRevision));
    }
    // Keep listeners across a re-list; their history continuity is lost, so they see a fresh state only from now.
    for (const [prefix, old] of this.#resources) {
      let st = fresh.get(prefix);
      if (!st) { st = new ResourceState(listed.revision); fresh.set(prefix, st); }
      for (const l of old.listeners) st.listeners.add(l);
    }
    this.#resources.clear();
    for (const [k, v] of fresh) this.#resources.set(k, v);
    this.#revision = listed.revision;
    this.#base = listed.revision;
    this.#readyAt = current;
    this.#setRevision(listed.revision);
    this.#markReadyIfCaughtUp();
  }

  #markReadyIfCaughtUp(): void {
    if (this.#ready || this.#revision < this.#readyAt) return;
    this.#ready = true;
    for (const w of this.#readyWaiters) w();
    this.#readyWaiters = [];
  }

  #state(prefix: string): ResourceState {
    let st = this.#resources.get(prefix);
    // A resource seen for the first time has had no events since the cache's base revision.
    if (!st) { st = new ResourceState(this.#base); this.#resources.set(prefix, st); }
    return st;
  }

  #apply(ev: StoreEvent): void {
    const key = ev.kv.key;
    const st = this.#state(resourcePrefixOf(key));
    const prev = st.objects.get(key);
    let cev: CacheEvent;
    if (ev.type === 'delete') {
      const last = materialize(key, ev.kv.value, ev.kv.modRevision);
      st.objects.delete(key);
      st.invalidate();
      cev = { type: 'DELETED', rev: ev.kv.modRevision, key, obj: last };
      if (prev) cev.prev = prev;
    } else {
      const cur = materialize(key, ev.kv.value, ev.kv.modRevision);
      st.objects.set(key, cur);
      if (prev) {
        cev = { type: 'MODIFIED', rev: cur.rev, key, obj: cur, prev };
      } else {
        st.invalidate();
        cev = { type: 'ADDED', rev: cur.rev, key, obj: cur };
      }
    }
    st.history.push(cev);
    // Trim in batches (a quarter over the limit) so a full window costs O(1) per event, not a splice each.
    if (st.history.length > this.#historyLimit + Math.max(1, this.#historyLimit >> 2)) {
      const dropped = st.history.splice(0, st.history.length - this.#historyLimit);
      st.historyFrom = dropped[dropped.length - 1]!.rev;
    }
    for (const l of st.listeners) {
      if (key.startsWith(l.keyPrefix)) {
        try { l.fn(cev); } catch (err) { this.#onError(err); }
      }
    }
    this.#setRevision(cev.rev);
  }

  #setRevision(rev: number): void {
    if (rev > this.#revision) this.#revision = rev;
    this.#markReadyIfCaughtUp();
    if (this.#waiters.length === 0) return;
    rev = this.#revision;
    const still: Array<{ rev: number; resolve: () => void }> = [];
    for (const w of this.#waiters) {
      if (w.rev <= rev) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }

  /**
   * Resolve once the cache has seen `rev` (reads-your-writes); woken by the cache's own progress,
   * not by polling. After timeoutMs, rejects with TooLargeResourceVersionError (a 504 Status).
   */
  async waitFor(rev: number, timeoutMs = this.#waitMs): Promise<void> {
    if (!this.#ready) await new Promise<void>((r) => this.#readyWaiters.push(r));
    if (rev <= this.#revision) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new TooLargeResourceVersionError(rev, this.#revision));
      }, timeoutMs);
      const done = (): void => { clearTimeout(timer); resolve(); };
      this.#waiters.push({ rev, resolve: done });
    });
  }

  /** Wait until the cache is at least as fresh as the store: a consistent read. */
  async sync(): Promise<void> {
    await this.waitFor(await this.#store.currentRevision());
  }

  get(key: string): CachedObject | undefined {
    return this.#resources.get(resourcePrefixOf(key))?.objects.get(key);
  }

  /** Current objects under keyPrefix (which lies within one resource), in key order, with the cache revision. */
  list(keyPrefix: string): { items: CachedObject[]; revision: number } {
    const st = this.#resources.get(resourcePrefixOf(keyPrefix));
    if (!st) return { items: [], revision: this.#revision };
    const all = st.sorted();
    const resourceWide = keyPrefix.length === resourcePrefixOf(keyPrefix).length && keyPrefix.endsWith('/');
    return { items: resourceWide ? all : all.filter((o) => o.key.startsWith(keyPrefix)), revision: this.#revision };
  }

  count(resourcePrefix: string): number {
    return this.#resources.get(resourcePrefix)?.objects.size ?? 0;
  }

  /** Every resource prefix with its object count (for metrics). */
  counts(): Array<[string, number]> {
    return [...this.#resources].map(([k, v]) => [k, v.objects.size]);
  }

  /**
   * Listen for events under keyPrefix after revision `from`. With `from` undefined the listener gets
   * current objects as ADDED first (at the cache's revision), then every later event. Throws
   * TooOldError when history no longer reaches back to `from`.
   */
  /**
   * Listen to the events under keyPrefix, starting with the current objects (from undefined) or the
   * events after `from`. With `exact`, keyPrefix is one object's key: its current state is a map
   * lookup, not a scan of the resource (a thousand watchers of one name in a namespace of 100,000
   * objects, as upstream's cacher serves a name-only selector with a single-key get); events for
   * keys it merely prefixes still reach fn, which filters by name.
   */
  subscribe(keyPrefix: string, from: number | undefined, fn: CacheListener, exact = false): { subscription: Subscription; revision: number } {
    const st = this.#state(resourcePrefixOf(keyPrefix));
    const revision = this.#revision;
    if (from === undefined) {
      if (exact) {
        const o = st.objects.get(keyPrefix);
        if (o) fn({ type: 'ADDED', rev: o.rev, key: o.key, obj: o });
      } else {
        for (const o of st.sorted()) if (o.key.startsWith(keyPrefix)) fn({ type: 'ADDED', rev: o.rev, key: o.key, obj: o });
      }
    } else {
      if (from < st.historyFrom) throw new TooOldError(from, st.historyFrom);
      for (const ev of st.history) if (ev.rev > from && (exact ? ev.key === keyPrefix : ev.key.startsWith(keyPrefix))) fn(ev);
    }
    const entry = { keyPrefix, fn };
    st.listeners.add(entry);
    return { subscription: { close: () => { st.listeners.delete(entry); } }, revision };
  }

  /** Oldest revision a watch of this resource may start from. */
  oldestWatchable(resourcePrefix: string): number {
    return this.#resources.get(resourcePrefix)?.historyFrom ?? this.#revision;
  }

  async whenReady(): Promise<void> {
    if (this.#ready) return;
    await new Promise<void>((r) => this.#readyWaiters.push(r));
  }
}
