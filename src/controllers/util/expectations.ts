// What a controller is still waiting to see from its informers after it acted
// (pkg/controller/controller_utils.go: ControllerExpectations, UIDTrackingControllerExpectations).
// A controller that created 10 pods must not create them again on its next sync merely because the
// pod informer has not delivered them yet: it records "expect 10 adds" and syncs only once the
// informer has observed them all, or once the record is older than the TTL (a lost watch event
// must not wedge the controller forever).

/** Upstream's ExpectationsTimeout: after this, expectations count as satisfied. */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
  /** Keys (ns/name) of objects whose deletion is awaited; deletes observed only once per key. */
  deleting: Set<string>;
}

export interface ExpectationsOptions {
  ttlMs?: number;
  now?: () => number;
}

export class ControllerExpectations {
  readonly #items = new Map<string, Expectation>();
  readonly #ttl: number;
  readonly #now: () => number;

  constructor(opts: ExpectationsOptions = {}) {
    this.#ttl = opts.ttlMs ?? EXPECTATIONS_TTL_MS;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * True when the controller may sync `key`: nothing is expected, everything expected was seen,
   * or the expectations expired. Upstream's SatisfiedExpectations.
   */
  satisfied(key: string): boolean {
    const e = this.#items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.#now() - e.at > this.#ttl;
  }

  /** Replaces whatever was expected for `key` (upstream's SetExpectations). */
  set(key: string, add: number, del: number): void {
    this.#items.set(key, { add, del, at: this.#now(), deleting: new Set() });
  }

  expectCreations(key: string, n: number): void {
    this.set(key, n, 0);
  }

  /**
   * Expect the deletion of these objects (ns/name keys). A deletion counts once per object, so the
   * informer's delete event and a tombstone, or a delete seen after a graceful update, do not
   * count twice (UIDTrackingControllerExpectations.ExpectDeletions).
   */
  expectDeletions(key: string, objectKeys: readonly string[]): void {
    this.#items.set(key, { add: 0, del: objectKeys.length, at: this.#now(), deleting: new Set(objectKeys) });
  }

  /** Raise the counts without resetting the timestamp's meaning (upstream's RaiseExpectations). */
  raise(key: string, add: number, del: number): void {
    const e = this.#items.get(key);
    if (!e) {
      this.set(key, add, del);
      return;
    }
    e.add += add;
    e.del += del;
  }

  /** One expected object was created, or its creation failed (so will never be observed). */
  creationObserved(key: string): void {
    const e = this.#items.get(key);
    if (e) e.add -= 1;
  }

  /**
   * One expected deletion was seen (or failed). With `objectKey`, only an object whose deletion
   * was expected counts, and only once.
   */
  deletionObserved(key: string, objectKey?: string): void {
    const e = this.#items.get(key);
    if (!e) return;
    if (objectKey !== undefined && e.deleting.size > 0) {
      if (!e.deleting.delete(objectKey)) return;
    }
    e.del -= 1;
  }

  /** Forget `key` (its controller object was deleted). */
  delete(key: string): void {
    this.#items.delete(key);
  }

  /** The pending counts for `key`, for tests and logs. */
  get(key: string): { add: number; del: number } | undefined {
    const e = this.#items.get(key);
    return e ? { add: e.add, del: e.del } : undefined;
  }
}
