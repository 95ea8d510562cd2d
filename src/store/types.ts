// A revisioned key-value store in the spirit of k8s.io/apiserver/pkg/storage.Interface and etcd's
// KV + Watch: one global revision, strictly increasing; every write gets the next revision.
// Values are opaque strings (the API server stores JSON). Nothing backend-specific appears here:
// SQLite (default) and etcd both implement it.

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to this key. Used as the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Read at this revision (0/undefined = current). Fails with Compacted if older than history. */
  revision?: number;
  /** Maximum number of items; 0/undefined = all. */
  limit?: number;
  /** Start strictly after this key (exclusive), for pagination. */
  startAfter?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The snapshot revision the list was read at. */
  revision: number;
  /** True when more keys under the prefix follow the last item returned. */
  more: boolean;
  /** Count of keys after the last one returned, when known. */
  remaining?: number;
}

export type StoreEvent =
  | { type: 'put'; kv: KeyValue; prev?: KeyValue }
  | { type: 'delete'; kv: KeyValue; prev: KeyValue };
// For 'delete', kv.modRevision is the deletion's revision and kv.value the last value.

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision. Compacted history → the watch ends with a Compacted error. */
  afterRevision: number;
  signal: AbortSignal;
}

export interface Watcher {
  /** Events in revision order, no gaps. Ends with an error (Compacted, Closed) or when the signal aborts. */
  [Symbol.asyncIterator](): AsyncIterator<StoreEvent>;
}

export interface Store {
  /** Fails with KeyExists if the key is present. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Fails with KeyNotFound. */
  get(key: string): Promise<KeyValue>;
  /** Keys with this prefix, in key order, at one consistent revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of live keys under a prefix. */
  count(prefix: string): Promise<number>;
  /** Compare-and-swap: succeeds only if the key's modRevision is still expectedRevision. */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Delete, optionally only if modRevision is still expectedRevision. Returns the deleted pair with the deletion revision as modRevision. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /** Events for keys under prefix after a revision. */
  watch(prefix: string, opts: WatchOptions): Watcher;
  /** The latest committed revision. */
  currentRevision(): Promise<number>;
  /** Forget history at or below `revision`. Watches and list reads from before it fail with Compacted. */
  compact(revision: number): Promise<void>;
  /** The newest revision that has been compacted away (0 if none). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Read-modify-write with retries on conflict, as storage.Interface.GuaranteedUpdate.
 * `tryUpdate` gets the current value (or undefined if absent and allowCreate) and returns the new one.
 */
export async function guaranteedUpdate(
  store: Store,
  key: string,
  tryUpdate: (current: KeyValue) => string | Promise<string>,
  opts: { maxRetries?: number } = {},
): Promise<KeyValue> {
  const max = opts.maxRetries ?? 16;
  for (let i = 0; ; i++) {
    const cur = await store.get(key);
    const next = await tryUpdate(cur);
    try {
      return await store.update(key, next, cur.modRevision);
    } catch (err) {
      if (i < max && err instanceof Error && (err as { code?: string }).code === 'ResourceVersionConflict') continue;
      throw err;
    }
  }
}
