// Which services select a pod, and which pod changes can change a service's endpoints
// (staging/src/k8s.io/endpointslice/util/controller_utils.go GetPodServiceMemberships and
// pkg/controller/util/endpoint/controller_utils.go podEndpointsChanged).
import type { Pod } from '../../api/types/core-v1.ts';
import { isPodReady } from './pod-endpoint.ts';
import type { Service } from './types.ts';

/** A selector that selects: services with none (or an empty one) get no managed endpoints. */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** Keys (ns/name) of the services in the pod's namespace whose selector matches its labels. */
export function servicesSelectingPod(services: Iterable<Service>, pod: Pod): string[] {
  const out: string[] = [];
  for (const svc of services) {
    if (svc.metadata.namespace !== pod.metadata.namespace) continue;
    const sel = serviceSelector(svc);
    if (sel && selects(sel, pod.metadata.labels)) out.push(`${svc.metadata.namespace}/${svc.metadata.name}`);
  }
  return out;
}

function endpointView(pod: Pod): string {
  return JSON.stringify([
    pod.status?.podIP ?? null, pod.status?.podIPs ?? null, isPodReady(pod), pod.metadata.deletionTimestamp ?? null, pod.status?.phase ?? null,
    pod.spec?.nodeName ?? null, pod.spec?.hostname ?? null, pod.spec?.subdomain ?? null,
    (pod.spec?.containers ?? []).map((c) => c.ports ?? null), (pod.spec?.initContainers ?? []).map((c) => [c.restartPolicy ?? null, c.ports ?? null]),
    pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? null,
  ]);
}

/** Whether an update can change any endpoint (most pod status writes cannot). */
export function podEndpointsChanged(old: Pod, pod: Pod): boolean {
  return endpointView(old) !== endpointView(pod);
}

export function labelsChanged(old: Pod, pod: Pod): boolean {
  return JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
}
