// What the proxy makes of a Service and its EndpointSlices: one ServicePortInfo per port that is
// proxied, the endpoints of each port, and which of them take new connections under each traffic
// policy (pkg/proxy/serviceport.go, pkg/proxy/endpoint.go, pkg/proxy/topology.go CategorizeEndpoints).
import { DEFAULT_AFFINITY_SECONDS, LABEL_SERVICE_NAME, type EndpointSlice, type Service } from './types.ts';

export type L4 = 'tcp' | 'udp' | 'sctp';

export interface ServicePortInfo {
  /** `ns/name`: the unit of an incremental sync. */
  serviceKey: string;
  namespace: string;
  name: string;
  /** The port's name, '' for a Service's single unnamed port. */
  portName: string;
  protocol: L4;
  clusterIP: string;
  port: number;
  /** 0 when the port has none. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  internalPolicyLocal: boolean;
  externalPolicyLocal: boolean;
  /** ClientIP affinity timeout in seconds, or 0 without affinity. */
  affinitySeconds: number;
}

export interface EndpointInfo {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this node (nodeName is the proxy's hostname). */
  local: boolean;
}

export interface ServicePortEndpoints {
  info: ServicePortInfo;
  /** Every endpoint of the port, sorted by ip:port so renders are stable. */
  endpoints: EndpointInfo[];
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIPv4(s: string | undefined): s is string {
  const m = s === undefined ? null : IPV4.exec(s);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

export function serviceKeyOf(obj: { metadata: { namespace?: string; name?: string } }): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** The Service a slice belongs to (`ns/name` from its service-name label), if any. */
export function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return svc ? `${slice.metadata.namespace ?? ''}/${svc}` : undefined;
}

/**
 * The proxied ports of a Service. Headless Services (clusterIP None) and ExternalName Services
 * get no rules: DNS alone answers for them (pkg/proxy/servicechangetracker.go
 * serviceToServiceMap skips them). Only IPv4 is proxied: the cluster is single-stack.
 */
export function servicePorts(svc: Service): ServicePortInfo[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const clusterIP = spec.clusterIP;
  if (!isIPv4(clusterIP)) return [];
  const type = spec.type ?? 'ClusterIP';
  const namespace = svc.metadata.namespace ?? '';
  const name = svc.metadata.name ?? '';
  const lbIPs = type === 'LoadBalancer'
    ? [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(isIPv4))]
    : [];
  const externalIPs = [...new Set((spec.externalIPs ?? []).filter(isIPv4))];
  const affinitySeconds = spec.sessionAffinity === 'ClientIP'
    ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS
    : 0;
  const out: ServicePortInfo[] = [];
  for (const p of spec.ports ?? []) {
    const nodePort = (type === 'NodePort' || type === 'LoadBalancer') ? p.nodePort ?? 0 : 0;
    const externallyAccessible = nodePort !== 0 || lbIPs.length > 0 || externalIPs.length > 0;
    out.push({
      serviceKey: `${namespace}/${name}`,
      namespace,
      name,
      portName: p.name ?? '',
      protocol: (p.protocol ?? 'TCP').toLowerCase() as L4,
      clusterIP,
      port: p.port,
      nodePort,
      externalIPs,
      loadBalancerIPs: lbIPs,
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      externalPolicyLocal: externallyAccessible && spec.externalTrafficPolicy === 'Local',
      affinitySeconds,
    });
  }
  return out;
}

/**
 * The endpoints of each port from the Service's slices: a slice port matches a service port by
 * name and protocol (the EndpointSlice controller has already resolved named targetPorts to
 * numbers). Only a slice endpoint's first address counts, and an address seen in several slices
 * (as during a slice handover) counts once, ready if any copy is (pkg/proxy/endpointslicecache.go).
 */
export function portEndpoints(ports: readonly ServicePortInfo[], slices: Iterable<EndpointSlice>, hostname: string): ServicePortEndpoints[] {
  const byPort = new Map<string, Map<string, EndpointInfo>>();
  const portKey = (name: string, proto: string): string => `${name}\0${proto}`;
  for (const p of ports) byPort.set(portKey(p.portName, p.protocol), new Map());
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    for (const sp of slice.ports ?? []) {
      const target = byPort.get(portKey(sp.name ?? '', (sp.protocol ?? 'TCP').toLowerCase()));
      const port = sp.port;
      if (target === undefined || typeof port !== 'number' || port <= 0) continue;
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses[0];
        if (!isIPv4(ip)) continue;
        const c = ep.conditions ?? {};
        // Unset conditions mean ready, serving as ready, not terminating (discovery/v1 types.go).
        const ready = c.ready ?? true;
        const info: EndpointInfo = {
          ip, port, ready, serving: c.serving ?? ready, terminating: c.terminating ?? false,
          local: ep.nodeName !== undefined && ep.nodeName === hostname,
        };
        const key = `${ip}:${port}`;
        const seen = target.get(key);
        if (seen === undefined || (!seen.ready && info.ready)) target.set(key, info);
      }
    }
  }
  return ports.map((info) => ({
    info,
    endpoints: [...byPort.get(portKey(info.portName, info.protocol))!.values()].sort(compareEndpoints),
  }));
}

function compareEndpoints(a: EndpointInfo, b: EndpointInfo): number {
  const x = ipNumber(a.ip) - ipNumber(b.ip);
  return x !== 0 ? x : a.port - b.port;
}

export function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export interface CategorizedEndpoints {
  /** Endpoints for Cluster traffic policy; empty when no policy of the port uses them. */
  cluster: EndpointInfo[];
  /** Endpoints on this node for Local traffic policy; empty when no policy uses them. */
  local: EndpointInfo[];
  /** Whether any endpoint anywhere can take a new connection. */
  hasAny: boolean;
}

/**
 * Ready endpoints take new connections; when a set has none ready, its serving-and-terminating
 * ones do, so a Service being rolled to zero keeps answering while its last pods drain
 * (pkg/proxy/topology.go CategorizeEndpoints, KEP-1669).
 */
export function categorizeEndpoints(info: ServicePortInfo, endpoints: readonly EndpointInfo[]): CategorizedEndpoints {
  const usable = (set: readonly EndpointInfo[]): EndpointInfo[] => {
    const ready = set.filter((e) => e.ready);
    return ready.length > 0 ? ready : set.filter((e) => e.serving && e.terminating);
  };
  const externallyAccessible = info.nodePort !== 0 || info.loadBalancerIPs.length > 0 || info.externalIPs.length > 0;
  const usesCluster = !info.internalPolicyLocal || (externallyAccessible && !info.externalPolicyLocal);
  const usesLocal = info.internalPolicyLocal || info.externalPolicyLocal;
  const all = usable(endpoints);
  return {
    cluster: usesCluster ? all : [],
    local: usesLocal ? usable(endpoints.filter((e) => e.local)) : [],
    hasAny: all.length > 0,
  };
}
