// An informer keeps a local copy of a resource: list, then watch from the list's version;
// re-watch on a clean close, re-list on 410 Expired; handlers see add/update/delete
// (client-go tools/cache reflector.go + shared_informer.go).
import { isExpired, isStatusError, StatusError } from '../api/errors.ts';
import type { KubeObject, Status } from '../api/meta.ts';
import type { ResourceClient } from './resource-client.ts';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(old: T, obj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Called with errors the informer recovers from (connection lost, relists). */
  onError?: (err: unknown) => void;
  pageSize?: number;
  /**
   * How long each watch may stay open before the server closes it and the informer re-watches.
   * Default: random in [300, 600) s, so many informers do not re-watch at the same moment
   * (client-go reflector.go: minWatchTimeout * (1 + rand)).
   */
  watchTimeoutSeconds?: number;
  /** Keep only metadata (PartialObjectMetadata), as upstream's metadata informers. */
  metadataOnly?: boolean;
}

export function objectKeyOf(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name ?? '';
}

class ExpiredWatch extends Error {}

export class Informer<T extends KubeObject = KubeObject> {
  readonly #client: ResourceClient<T>;
  readonly #opts: InformerOptions;
  readonly #items = new Map<string, T>();
  readonly #handlers: Array<InformerHandlers<T>> = [];
  #synced = false;
  #syncWaiters: Array<() => void> = [];
  #resourceVersion = '';
  /** Number of full lists done (for tests and metrics). */
  lists = 0;
  /** Number of watches opened. */
  watches = 0;

  constructor(client: ResourceClient<T>, opts: InformerOptions = {}) {
    this.#client = client;
    this.#opts = opts;
  }

  get resourceVersion(): string { return this.#resourceVersion; }
  hasSynced(): boolean { return this.#synced; }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return;
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#syncWaiters = this.#syncWaiters.filter((w) => w !== done);
        reject(signal?.reason as Error);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#syncWaiters.push(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Add handlers; if already synced, the current objects are delivered as adds first. */
  addHandlers(h: InformerHandlers<T>): void {
    this.#handlers.push(h);
    if (this.#synced) {
      for (const o of this.#items.values()) {
        try {
          h.add?.(o);
        } catch (err) {
          this.#opts.onError?.(err);
        }
      }
    }
  }

  get(key: string): T | undefined { return this.#items.get(key); }
  values(): IterableIterator<T> { return this.#items.values(); }
  get size(): number { return this.#items.size; }

  async run(outer: AbortSignal): Promise<void> {
    // One listener on the caller's signal however many requests this informer makes: many
    // informers commonly share one signal, and each request listens on the signal it is given.
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(outer.reason);
    if (outer.aborted) return;
    outer.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#run(ac.signal);
    } finally {
      outer.removeEventListener('abort', onAbort);
    }
  }

  async #run(signal: AbortSignal): Promise<void> {
    let backoff = 100;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#list();
          needList = false;
        }
        await this.#watch(signal);
        backoff = 100;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ExpiredWatch || isExpired(err) || (isStatusError(err) && err.code === 410)) {
          needList = true;
          continue;
        }
        this.#opts.onError?.(err);
        // As client-go's reflector: a connection failure or 429 re-watches from the same version;
        // anything else the server refuses a watch with (an ERROR event, "Too large resource
        // version" after the store went back in time, 5xx) starts over with a list, or the
        // informer would ask for the same version forever.
        if (isStatusError(err) && err.code !== 429) needList = true;
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  async #list(): Promise<void> {
    const seen = new Map<string, T>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.#client.list(this.#opts.namespace, {
        ...(this.#opts.labelSelector ? { labelSelector: this.#opts.labelSelector } : {}),
        ...(this.#opts.fieldSelector ? { fieldSelector: this.#opts.fieldSelector } : {}),
        limit: this.#opts.pageSize ?? 500,
        ...(this.#opts.metadataOnly ? { metadataOnly: true } : {}),
        ...(cont ? { continue: cont } : {}),
      });
      for (const o of page.items) seen.set(objectKeyOf(o), o);
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion ?? rv;
    } while (cont);
    this.lists += 1;
    // Replace: deliver the difference between what we had and what the list says.
    for (const [k, old] of this.#items) {
      if (!seen.has(k)) {
        this.#items.delete(k);
        this.#emit((h) => h.delete?.(old));
      }
    }
    for (const [k, o] of seen) {
      const old = this.#items.get(k);
      this.#items.set(k, o);
      if (!old) this.#emit((h) => h.add?.(o));
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.#emit((h) => h.update?.(old, o));
    }
    this.#resourceVersion = rv;
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters) w();
      this.#syncWaiters = [];
    }
  }

  /**
   * Deliver to every handler. A handler that throws must not keep the event from the others, nor
   * end the watch: the cache has already moved past the event, so a re-watch would not repeat it.
   */
  #emit(fn: (h: InformerHandlers<T>) => void): void {
    for (const h of this.#handlers) {
      try {
        fn(h);
      } catch (err) {
        this.#opts.onError?.(err);
      }
    }
  }

  async #watch(signal: AbortSignal): Promise<void> {
    this.watches += 1;
    const events = this.#client.watch(this.#opts.namespace, {
      signal,
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      ...(this.#opts.metadataOnly ? { metadataOnly: true } : {}),
      timeoutSeconds: this.#opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
      ...(this.#opts.labelSelector ? { labelSelector: this.#opts.labelSelector } : {}),
      ...(this.#opts.fieldSelector ? { fieldSelector: this.#opts.fieldSelector } : {}),
    });
    for await (const ev of events) {
      if (ev.type === 'ERROR') {
        const st = ev.object as unknown as Status;
        if (st.code === 410) throw new ExpiredWatch(st.message);
        throw st?.kind === 'Status' ? new StatusError(st) : new Error(`watch error: ${JSON.stringify(ev.object)}`);
      }
      const obj = ev.object;
      if (obj.metadata?.resourceVersion) this.#resourceVersion = obj.metadata.resourceVersion;
      if (ev.type === 'BOOKMARK') continue;
      const key = objectKeyOf(obj);
      const old = this.#items.get(key);
      if (ev.type === 'DELETED') {
        this.#items.delete(key);
        this.#emit((h) => h.delete?.(obj));
      } else {
        this.#items.set(key, obj);
        if (old) this.#emit((h) => h.update?.(old, obj));
        else this.#emit((h) => h.add?.(obj));
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}
