// Which Ingresses are skiff's to serve: those whose class is handled by skiff's controller,
// by spec.ingressClassName, by the older kubernetes.io/ingress.class annotation, or by having no
// class while skiff's class is the cluster default (the rule every controller follows; see
// https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class).
import type { Ingress, IngressClass } from '../api/types/networking-v1-ingress.ts';
import { ANNOTATION_DEFAULT_INGRESS_CLASS, ANNOTATION_INGRESS_CLASS } from '../api/types/networking-v1-ingress.ts';

export const SKIFF_INGRESS_CLASS = 'skiff';
export const SKIFF_INGRESS_CONTROLLER = 'skiff.io/ingress';

/** The IngressClass skiff creates when it is missing: its own, and the cluster's default. */
export function skiffIngressClass(): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: SKIFF_INGRESS_CLASS, annotations: { [ANNOTATION_DEFAULT_INGRESS_CLASS]: 'true' } },
    spec: { controller: SKIFF_INGRESS_CONTROLLER },
  };
}

export function isDefaultClass(c: IngressClass): boolean {
  return c.metadata.annotations?.[ANNOTATION_DEFAULT_INGRESS_CLASS] === 'true';
}

/**
 * The default class among several, as the DefaultIngressClass admission plugin picks it: the newest
 * (plugin/pkg/admission/network/defaultingressclass/admission.go), ties broken by name.
 */
export function defaultClass(classes: Iterable<IngressClass>): IngressClass | undefined {
  let best: IngressClass | undefined;
  for (const c of classes) {
    if (!isDefaultClass(c)) continue;
    if (!best) { best = c; continue; }
    const a = c.metadata.creationTimestamp ?? '';
    const b = best.metadata.creationTimestamp ?? '';
    if (a > b || (a === b && (c.metadata.name ?? '') < (best.metadata.name ?? ''))) best = c;
  }
  return best;
}

export class ClassFilter {
  readonly #ours: ReadonlySet<string>;
  readonly #defaultIsOurs: boolean;

  constructor(classes: Iterable<IngressClass>) {
    const all = [...classes];
    const ours = new Set<string>();
    for (const c of all) if (c.spec?.controller === SKIFF_INGRESS_CONTROLLER && c.metadata.name) ours.add(c.metadata.name);
    // Until the informer has seen the class skiff creates at start, its name is still skiff's
    // (unless someone else took the name for another controller), and the default it will be.
    const seen = all.some((c) => c.metadata.name === SKIFF_INGRESS_CLASS);
    if (!seen) ours.add(SKIFF_INGRESS_CLASS);
    this.#ours = ours;
    const def = defaultClass(all);
    this.#defaultIsOurs = def === undefined ? !seen : ours.has(def.metadata.name ?? '');
  }

  serves(ing: Ingress): boolean {
    const name = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[ANNOTATION_INGRESS_CLASS];
    if (name !== undefined && name !== '') return this.#ours.has(name);
    return this.#defaultIsOurs;
  }
}
