// Endpoints, EndpointSlice, Ingress, IngressClass and NetworkPolicy rows, mirroring their print
// functions in pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col } from './columns.ts';
import { joinHostPort, listWithMore } from './format.ts';
import { since } from './human-duration.ts';
import type { LabelSelector } from './labels.ts';
import { formatLabelSelector } from './labels.ts';
import { loadBalancerAddresses } from './print-service.ts';
import type { Printer } from './types.ts';

const MAX_SHOWN = 3;

interface Endpoints extends KubeObject {
  subsets?: Array<{ addresses?: Array<{ ip?: string }>; ports?: Array<{ port?: number }> }>;
}

/** "10.0.0.1:80,10.0.0.2:80 + 3 more..."; "<none>" without subsets. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    // Headless services may have no ports: list bare addresses.
    const targets = ports.length === 0 ? [undefined] : ports.map((p) => p.port ?? 0);
    for (const port of targets) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === MAX_SHOWN) break;
        list.push(port === undefined ? a.ip ?? '' : joinHostPort(a.ip ?? '', port));
      }
    }
  }
  const s = list.join(',');
  return count > MAX_SHOWN ? `${s} + ${count - MAX_SHOWN} more...` : s;
}

export const endpointsPrinter: Printer = {
  columns: [NAME, col('Endpoints', 'string', 'Addresses and ports that back the service.'), AGE],
  cells: (obj, now) => [obj.metadata.name ?? '', formatEndpoints(obj), since(obj.metadata.creationTimestamp, now)],
};

interface EndpointSlice extends KubeObject {
  addressType?: string;
  ports?: Array<{ port?: number; name?: string }>;
  endpoints?: Array<{ addresses?: string[] }>;
}

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME,
    col('AddressType', 'string', 'Kind of addresses in the slice: IPv4, IPv6 or FQDN.'),
    col('Ports', 'string', 'Ports every endpoint in the slice serves.'),
    col('Endpoints', 'string', 'Addresses of the endpoints in the slice.'),
    AGE,
  ],
  cells(obj, now) {
    const s = obj as EndpointSlice;
    const ports = (s.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name ?? '*'));
    const addrs = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [
      s.metadata.name ?? '', s.addressType ?? '', listWithMore(ports, ports.length, MAX_SHOWN),
      listWithMore(addrs, addrs.length, MAX_SHOWN), since(s.metadata.creationTimestamp, now),
    ];
  },
};

interface Ingress extends KubeObject {
  spec?: { ingressClassName?: string; rules?: Array<{ host?: string }>; tls?: unknown[] };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

/** Up to three hosts, "*" when no rule names one (upstream's formatHosts, quirks included). */
export function formatHosts(rules: Array<{ host?: string }> | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const r of rules ?? []) {
    if (list.length === MAX_SHOWN) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  const s = list.join(',');
  return more ? `${s} + ${(rules ?? []).length - MAX_SHOWN} more...` : s;
}

export const ingressPrinter: Printer = {
  columns: [
    NAME,
    col('Class', 'string', 'Ingress class that handles this ingress.'),
    col('Hosts', 'string', 'Host names the rules match.'),
    col('Address', 'string', 'Addresses of the load balancer serving the ingress.'),
    col('Ports', 'string', 'Ports the ingress listens on.'),
    AGE,
  ],
  cells(obj, now) {
    const ing = obj as Ingress;
    const spec = ing.spec ?? {};
    return [
      ing.metadata.name ?? '', spec.ingressClassName ?? '<none>', formatHosts(spec.rules),
      loadBalancerAddresses(ing.status?.loadBalancer?.ingress), (spec.tls ?? []).length > 0 ? '80, 443' : '80',
      since(ing.metadata.creationTimestamp, now),
    ];
  },
};

interface IngressClass extends KubeObject {
  spec?: { controller?: string; parameters?: { apiGroup?: string; kind?: string; name?: string } };
}

export const ingressClassPrinter: Printer = {
  columns: [
    NAME,
    col('Controller', 'string', 'Controller that implements ingresses of this class.'),
    col('Parameters', 'string', 'Resource holding extra configuration for the controller.'),
    AGE,
  ],
  cells(obj, now) {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters;
    const params = p ? `${p.kind ?? ''}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name ?? ''}` : '<none>';
    return [ic.metadata.name ?? '', ic.spec?.controller ?? '', params, since(ic.metadata.creationTimestamp, now)];
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [NAME, col('Pod-Selector', 'string', 'Labels of the pods the policy applies to.'), AGE],
  cells(obj, now) {
    const spec = (obj as KubeObject & { spec?: { podSelector?: LabelSelector } }).spec;
    return [obj.metadata.name ?? '', formatLabelSelector(spec?.podSelector ?? {}), since(obj.metadata.creationTimestamp, now)];
  },
};
