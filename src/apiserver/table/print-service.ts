// Service rows, mirroring printService in pkg/printers/internalversion/printers.go. The server
// prints "wide", so load-balancer addresses are never clipped.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col, wide } from './columns.ts';
import { sortedUnique } from './format.ts';
import { since } from './human-duration.ts';
import { formatLabels } from './labels.ts';
import type { Printer } from './types.ts';

interface Service extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    selector?: Record<string, string>;
    ports?: Array<{ port?: number; nodePort?: number; protocol?: string }>;
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

/** IPs (or hostnames) of a load balancer status, sorted and distinct. */
export function loadBalancerAddresses(ingress: Array<{ ip?: string; hostname?: string }> | undefined): string {
  return sortedUnique((ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== ''));
}

function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer?.ingress);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** "80/TCP,443:30443/TCP"; "<none>" without ports. */
export function servicePorts(ports: NonNullable<Service['spec']>['ports']): string {
  const s = (ports ?? []).map((p) => {
    const proto = p.protocol || 'TCP';
    return p.nodePort ? `${p.port ?? 0}:${p.nodePort}/${proto}` : `${p.port ?? 0}/${proto}`;
  }).join(',');
  return s || '<none>';
}

export const servicePrinter: Printer = {
  columns: [
    NAME,
    col('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    col('Cluster-IP', 'string', 'Virtual IP the service is reachable at inside the cluster.'),
    col('External-IP', 'string', 'Addresses the service is reachable at from outside the cluster.'),
    col('Port(s)', 'string', 'Ports the service exposes, with node ports where allocated.'),
    AGE,
    wide('Selector', 'string', 'Labels of the pods that back the service.'),
  ],
  cells(obj, now) {
    const svc = obj as Service;
    const spec = svc.spec ?? {};
    const clusterIP = spec.clusterIPs?.[0] || spec.clusterIP || '<none>';
    return [
      svc.metadata.name ?? '', spec.type ?? '', clusterIP, externalIP(svc), servicePorts(spec.ports),
      since(svc.metadata.creationTimestamp, now), formatLabels(spec.selector),
    ];
  },
};
