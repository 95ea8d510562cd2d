// An informer's objects grouped by namespace, kept current from its events, so a controller lists
// one namespace's pods without walking every pod of the cluster (client-go's namespace indexer).
import type { KubeObject } from '../../api/meta.ts';
import type { Informer } from '../../client/informer.ts';

export class NamespaceIndex<T extends KubeObject> {
  readonly #byNs = new Map<string, Map<string, T>>();

  constructor(informer: Informer<T>) {
    informer.addHandlers({
      add: (o) => this.#put(o),
      update: (_old, o) => this.#put(o),
      delete: (o) => {
        const m = this.#byNs.get(o.metadata.namespace ?? '');
        m?.delete(o.metadata.name ?? '');
        if (m?.size === 0) this.#byNs.delete(o.metadata.namespace ?? '');
      },
    });
  }

  #put(o: T): void {
    const ns = o.metadata.namespace ?? '';
    let m = this.#byNs.get(ns);
    if (!m) {
      m = new Map();
      this.#byNs.set(ns, m);
    }
    m.set(o.metadata.name ?? '', o);
  }

  /** The objects of one namespace (a snapshot). */
  list(namespace: string): T[] {
    return [...(this.#byNs.get(namespace)?.values() ?? [])];
  }
}
