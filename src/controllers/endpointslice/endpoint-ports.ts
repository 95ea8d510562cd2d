// Resolving a service's target ports against a pod (pkg/api/v1/pod/util.go FindPort) and naming
// the resulting port set, by which endpoints are grouped into slices
// (staging/src/k8s.io/endpointslice/utils.go getEndpointPorts, util/controller_utils.go portMapKey).
import type { Container, Pod } from '../../api/types/core-v1.ts';
import type { EndpointPort, Service, ServicePort } from './types.ts';

/**
 * The container port a service port reaches on this pod: a number is used as it is; a name is
 * looked up among the pod's container ports of the same protocol (sidecar init containers
 * included), and a pod without it has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  const containers: Container[] = [...(pod.spec?.containers ?? []), ...sidecars];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The slice ports of a pod: one per service port it resolves, in the service's order. */
export function endpointPortsForPod(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  return out;
}

/** An order-independent key of a port set (defaults filled), equal for equal sets. */
export function portsKey(ports: readonly EndpointPort[] | undefined): string {
  const norm = (ports ?? []).map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? null, p.appProtocol ?? null] as const);
  return JSON.stringify(norm.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
}
