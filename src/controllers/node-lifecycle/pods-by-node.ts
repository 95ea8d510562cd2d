// Pods grouped by spec.nodeName, kept current from the pod informer, so a node's change reaches
// its pods without walking every pod of the cluster (upstream's pod-by-node-name indexer).
import type { Pod } from '../../api/types/core-v1.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';

export class PodsByNode {
  readonly #byNode = new Map<string, Map<string, Pod>>();
  readonly #nodeOf = new Map<string, string>();

  constructor(informer: Informer<Pod>) {
    informer.addHandlers({
      add: (p) => this.#put(p),
      update: (_old, p) => this.#put(p),
      delete: (p) => this.#remove(objectKeyOf(p)),
    });
  }

  #put(p: Pod): void {
    const key = objectKeyOf(p);
    const node = p.spec?.nodeName;
    if (this.#nodeOf.get(key) !== node) this.#remove(key);
    if (!node) return;
    let m = this.#byNode.get(node);
    if (!m) {
      m = new Map();
      this.#byNode.set(node, m);
    }
    m.set(key, p);
    this.#nodeOf.set(key, node);
  }

  #remove(key: string): void {
    const node = this.#nodeOf.get(key);
    if (node === undefined) return;
    this.#nodeOf.delete(key);
    const m = this.#byNode.get(node);
    m?.delete(key);
    if (m?.size === 0) this.#byNode.delete(node);
  }

  /** The pods bound to `node`. */
  list(node: string): Pod[] {
    return [...(this.#byNode.get(node)?.values() ?? [])];
  }
}
