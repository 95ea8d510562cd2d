// The informer's copy of a resource plus the controller's own latest writes, so a sync right after
// a write sees it before the watch delivers it (pv_controller.go keeps its volumes/claims stores up
// to date the same way with storeObjectUpdate). A written copy is used until the informer holds
// that resourceVersion or a newer one.
import type { KubeObject } from '../../api/meta.ts';
import type { Informer } from '../../client/informer.ts';

function newer(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}

export class AssumedCache<T extends KubeObject> {
  readonly #informer: Informer<T>;
  readonly #written = new Map<string, T>();

  constructor(informer: Informer<T>) {
    this.#informer = informer;
  }

  static key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  get(key: string): T | undefined {
    const seen = this.#informer.get(key);
    const mine = this.#written.get(key);
    if (!mine) return seen;
    if (seen && newer(mine.metadata.resourceVersion, seen.metadata.resourceVersion)) return mine;
    this.#written.delete(key);
    return seen;
  }

  list(): T[] {
    const out: T[] = [];
    for (const o of this.#informer.values()) {
      const v = this.get(AssumedCache.key(o.metadata.namespace, o.metadata.name ?? ''));
      if (v) out.push(v);
    }
    return out;
  }

  /** Remember the object a write returned. */
  assume(obj: T): void {
    this.#written.set(AssumedCache.key(obj.metadata.namespace, obj.metadata.name ?? ''), obj);
  }

  forget(key: string): void {
    this.#written.delete(key);
  }
}
