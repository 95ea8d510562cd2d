// The legacy Endpoints of a service computed from its pods (pkg/controller/endpoint/
// endpoints_controller.go syncService, addEndpointSubset, truncateEndpoints) and packed into the
// canonical form (pkg/api/v1/endpoints/util.go RepackSubsets): one subset per distinct port set,
// addresses and ports sorted, so equal contents compare equal and no write is needed.
import type { Pod } from '../../api/types/core-v1.ts';
import { findPort } from '../endpointslice/endpoint-ports.ts';
import { isPodReady, podAddresses, podTargetRef, shouldPodBeInEndpoints, shouldSetHostname } from '../endpointslice/pod-endpoint.ts';
import type { EndpointAddress, EndpointPort, EndpointSubset, Service } from '../endpointslice/types.ts';

/** Upstream's maxCapacity: beyond it Endpoints are truncated and say so. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

interface Entry { address: EndpointAddress; ready: boolean; port: EndpointPort | undefined }

/**
 * Unlike slices, Endpoints leave terminating pods out (unless publishNotReadyAddresses) and only
 * carry a pod for the ports it resolves; a headless service without ports lists addresses alone.
 */
export function endpointsSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const tolerate = svc.spec?.publishNotReadyAddresses === true;
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerate)) continue;
    const [ip] = podAddresses(pod);
    if (!ip) continue;
    const address: EndpointAddress = { ip };
    if (shouldSetHostname(pod, svc)) address.hostname = pod.spec!.hostname!;
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    address.targetRef = podTargetRef(pod);
    const ready = tolerate || isPodReady(pod);
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) {
      if (svc.spec?.clusterIP === 'None') entries.push({ address, ready, port: undefined });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      entries.push({ address, ready, port: { ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) } });
    }
  }
  return repack(entries);
}

const addrKey = (a: EndpointAddress): string => JSON.stringify([a.ip, a.hostname ?? '', a.nodeName ?? '', a.targetRef?.uid ?? '', a.targetRef?.name ?? '']);
const portKey = (p: EndpointPort): string => JSON.stringify([p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? '']);
const byKey = <T>(key: (x: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** Group addresses (with their readiness) by the set of ports they serve. */
function repack(entries: Entry[]): EndpointSubset[] {
  const portsOf = new Map<string, { address: EndpointAddress; ready: boolean; ports: Map<string, EndpointPort> }>();
  for (const e of entries) {
    const k = JSON.stringify([addrKey(e.address), e.ready]);
    let a = portsOf.get(k);
    if (!a) portsOf.set(k, (a = { address: e.address, ready: e.ready, ports: new Map() }));
    if (e.port) a.ports.set(portKey(e.port), e.port);
  }
  const subsets = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const a of portsOf.values()) {
    const ports = [...a.ports.values()].sort(byKey(portKey));
    const k = JSON.stringify(ports.map(portKey));
    let s = subsets.get(k);
    if (!s) subsets.set(k, (s = { ports, ready: [], notReady: [] }));
    (a.ready ? s.ready : s.notReady).push(a.address);
  }
  return [...subsets.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => ({
    ...(s.ready.length ? { addresses: s.ready.sort(byKey(addrKey)) } : {}),
    ...(s.notReady.length ? { notReadyAddresses: s.notReady.sort(byKey(addrKey)) } : {}),
    ...(s.ports.length ? { ports: s.ports } : {}),
  }));
}

/**
 * At most MAX_ENDPOINTS_CAPACITY addresses: ready ones first; each subset gives up its share in
 * proportion to its size. Answers whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_ENDPOINTS_CAPACITY): boolean {
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (ready + notReady <= max) return false;
  const cut = (field: 'addresses' | 'notReadyAddresses', total: number, budget: number): void => {
    let left = budget;
    subsets.forEach((s, i) => {
      const list = s[field];
      if (!list) return;
      const share = i === subsets.length - 1 ? left : Math.min(left, Math.floor((list.length / total) * budget));
      s[field] = list.slice(0, Math.max(0, share));
      left -= s[field].length;
      if (s[field].length === 0) delete s[field];
    });
  };
  if (ready >= max) {
    cut('addresses', ready, max);
    for (const s of subsets) delete s.notReadyAddresses;
  } else {
    cut('notReadyAddresses', notReady, max - ready);
  }
  return true;
}

/** Semantic equality of two subset lists in canonical form. */
export function subsetsEqual(a: readonly EndpointSubset[] | undefined, b: readonly EndpointSubset[] | undefined): boolean {
  const norm = (l: readonly EndpointSubset[] | undefined): string => JSON.stringify((l ?? []).map((s) => [
    (s.addresses ?? []).map(addrKey), (s.notReadyAddresses ?? []).map(addrKey), (s.ports ?? []).map(portKey),
  ]));
  return norm(a) === norm(b);
}
