// DefaultIngressClass (plugin/pkg/admission/network/defaultingressclass/admission.go): an
// Ingress created without a class, by field or by the older annotation, gets the default
// IngressClass's name in spec.ingressClassName. With several defaults the newest is taken, as
// upstream does since several defaults stopped being an error.
import type { KubeObject } from '../../api/meta.ts';
import type { Ingress } from '../../api/types/networking-v1-ingress.ts';
import { ANNOTATION_DEFAULT_INGRESS_CLASS, ANNOTATION_INGRESS_CLASS } from '../../api/types/networking-v1-ingress.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

/** The default class's name among the IngressClasses, if any is marked default. */
export function defaultIngressClassName(classes: readonly KubeObject[]): string | undefined {
  let best: KubeObject | undefined;
  for (const c of classes) {
    if (c.metadata.annotations?.[ANNOTATION_DEFAULT_INGRESS_CLASS] !== 'true') continue;
    const t = c.metadata.creationTimestamp ?? '';
    const bt = best?.metadata.creationTimestamp ?? '';
    if (!best || t > bt || (t === bt && (c.metadata.name ?? '') < (best.metadata.name ?? ''))) best = c;
  }
  return best?.metadata.name;
}

export function defaultIngressClass(listIngressClasses: () => Promise<KubeObject[]>): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    async mutate(a: AdmissionAttributes): Promise<void> {
      if (a.operation !== 'CREATE' || a.subresource !== '' || a.info.group !== 'networking.k8s.io' || a.info.resource !== 'ingresses') return;
      const ing = a.object as Ingress | undefined;
      if (!ing) return;
      if (ing.spec?.ingressClassName !== undefined && ing.spec.ingressClassName !== null) return;
      if (ing.metadata.annotations?.[ANNOTATION_INGRESS_CLASS] !== undefined) return;
      const name = defaultIngressClassName(await listIngressClasses());
      if (name === undefined) return;
      ing.spec = { ...ing.spec, ingressClassName: name };
    },
  };
}
