// Read access to an informer's cache, by namespace and label selector (client-go listers).
import type { KubeObject } from '../api/meta.ts';
import { matchesLabels, parseLabelSelector } from '../api/selectors/labels.ts';
import type { Informer } from './informer.ts';

export class Lister<T extends KubeObject = KubeObject> {
  readonly #informer: Informer<T>;
  constructor(informer: Informer<T>) { this.#informer = informer; }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#informer.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Objects in a namespace (all when undefined) matching a label selector string. */
  list(namespace?: string, labelSelector?: string): T[] {
    const sel = labelSelector ? parseLabelSelector(labelSelector) : undefined;
    const out: T[] = [];
    for (const o of this.#informer.values()) {
      if (namespace && o.metadata.namespace !== namespace) continue;
      if (sel && !matchesLabels(sel, o.metadata.labels)) continue;
      out.push(o);
    }
    return out;
  }
}
