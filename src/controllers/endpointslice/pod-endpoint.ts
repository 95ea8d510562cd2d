// Which pods back a service and how each becomes an endpoint: the conditions, addresses,
// hostname, node and zone (staging/src/k8s.io/endpointslice/utils.go podToEndpoint,
// pkg/controller/util/endpoint/controller_utils.go ShouldPodBeInEndpoints / ShouldSetHostname).
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { LABEL_ZONE, type Endpoint, type Service } from './types.ts';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * A pod backs a service once it has an IP and until it has finished; a terminating pod still
 * counts where the caller wants terminating endpoints (EndpointSlices always do; the legacy
 * Endpoints only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && (pod.status?.podIPs?.length ?? 0) === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** A pod's DNS hostname belongs in its service's endpoints only when its subdomain names that service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

function isIPv6(ip: string): boolean { return ip.includes(':'); }

/** The pod's IPs of the slice's family: podIPs when set, else podIP. */
export function podAddresses(pod: Pod, family: 'IPv4' | 'IPv6' = 'IPv4'): string[] {
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  return ips.filter((ip) => isIPv6(ip) === (family === 'IPv6'));
}

export function podTargetRef(pod: Pod): NonNullable<Endpoint['targetRef']> {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) };
}

/**
 * The slice endpoint for a pod. serving follows the pod's Ready condition; ready is serving and not
 * terminating, except that publishNotReadyAddresses makes every endpoint ready (upstream keeps
 * "ready" false for terminating endpoints for the sake of consumers that only read ready).
 */
export function podToEndpoint(pod: Pod, svc: Service, node: Node | undefined): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = { addresses: podAddresses(pod), conditions: { ready, serving, terminating } };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname!;
  ep.targetRef = podTargetRef(pod);
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_ZONE];
  if (zone) ep.zone = zone;
  return ep;
}
