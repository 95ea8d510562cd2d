// The cluster DNS's in-memory view of Services, EndpointSlices and Namespaces, fed by informers,
// so that answering a query never calls the API server (CoreDNS plugin/kubernetes/controller.go
// keeps the same indexes: services by name, endpoints by service, both by IP for PTR).
import { isIPv4, isIPv6 } from 'node:net';
import { LABEL_SERVICE_NAME, type EndpointPort, type EndpointSlice, type Service } from './types.ts';

/** One address of a ready endpoint, with the name it answers to under its Service. */
export interface IndexedEndpoint {
  /** The endpoint's hostname, or its address with dashes (CoreDNS endpointHostname). */
  hostname: string;
  ip: string;
  /** The ports of the EndpointSlice the endpoint came from. */
  ports: EndpointPort[];
}

function key(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** The name an endpoint without a hostname answers to: its address, dots (or colons) made dashes. */
export function dashedAddress(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

export function isExternalName(svc: Service): boolean {
  return svc.spec?.type === 'ExternalName';
}

export function clusterIPs(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.filter((ip) => isIPv4(ip) || isIPv6(ip));
}

export class RecordIndex {
  readonly #services = new Map<string, Service>();
  /** Service key → slice key → slice. */
  readonly #slicesByService = new Map<string, Map<string, EndpointSlice>>();
  /** Slice key → the service key it was filed under (the label may change on update). */
  readonly #sliceOwner = new Map<string, string>();
  readonly #namespaces = new Set<string>();
  /** Namespace → number of Services in it: a namespace with Services exists even before its Namespace is seen. */
  readonly #servicesPerNamespace = new Map<string, number>();
  #generation = 0;
  #reverse: Map<string, string[]> | undefined;

  /** Changes on every update; answers computed at one generation hold until it moves. */
  get generation(): number { return this.#generation; }

  #changed(): void {
    this.#generation += 1;
    this.#reverse = undefined;
  }

  upsertService(svc: Service): void {
    const k = key(svc.metadata.namespace, svc.metadata.name);
    if (!this.#services.has(k)) this.#countService(svc.metadata.namespace ?? '', 1);
    this.#services.set(k, svc);
    this.#changed();
  }

  deleteService(svc: Service): void {
    const k = key(svc.metadata.namespace, svc.metadata.name);
    if (this.#services.delete(k)) this.#countService(svc.metadata.namespace ?? '', -1);
    this.#changed();
  }

  #countService(ns: string, delta: number): void {
    const n = (this.#servicesPerNamespace.get(ns) ?? 0) + delta;
    if (n <= 0) this.#servicesPerNamespace.delete(ns);
    else this.#servicesPerNamespace.set(ns, n);
  }

  upsertSlice(slice: EndpointSlice): void {
    const sk = key(slice.metadata.namespace, slice.metadata.name);
    this.#removeSlice(sk);
    const svcName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    if (svcName !== undefined && svcName !== '') {
      const owner = key(slice.metadata.namespace, svcName);
      let m = this.#slicesByService.get(owner);
      if (!m) this.#slicesByService.set(owner, (m = new Map()));
      m.set(sk, slice);
      this.#sliceOwner.set(sk, owner);
    }
    this.#changed();
  }

  deleteSlice(slice: EndpointSlice): void {
    this.#removeSlice(key(slice.metadata.namespace, slice.metadata.name));
    this.#changed();
  }

  #removeSlice(sk: string): void {
    const owner = this.#sliceOwner.get(sk);
    if (owner === undefined) return;
    this.#sliceOwner.delete(sk);
    const m = this.#slicesByService.get(owner);
    m?.delete(sk);
    if (m?.size === 0) this.#slicesByService.delete(owner);
  }

  upsertNamespace(name: string): void {
    if (this.#namespaces.has(name)) return;
    this.#namespaces.add(name);
    this.#changed();
  }

  deleteNamespace(name: string): void {
    if (this.#namespaces.delete(name)) this.#changed();
  }

  namespaceExists(ns: string): boolean {
    return this.#namespaces.has(ns) || this.#servicesPerNamespace.has(ns);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.#services.get(key(namespace, name));
  }

  /**
   * The addresses DNS publishes for a Service: those of ready endpoints, or of every endpoint when
   * the Service sets publishNotReadyAddresses (the EndpointSlice controller already marks them
   * ready then; slices from other managers may not). A missing ready condition means ready
   * (discovery/v1 EndpointConditions). Each address once, in a stable order.
   */
  endpoints(namespace: string, name: string): IndexedEndpoint[] {
    const slices = this.#slicesByService.get(key(namespace, name));
    if (!slices) return [];
    const svc = this.service(namespace, name);
    const all = svc?.spec?.publishNotReadyAddresses === true;
    const out: IndexedEndpoint[] = [];
    const seen = new Set<string>();
    const sorted = [...slices.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, slice] of sorted) {
      if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
      const ports = slice.ports ?? [];
      for (const ep of slice.endpoints ?? []) {
        if (!all && ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? []) {
          const hostname = (ep.hostname || dashedAddress(ip)).toLowerCase();
          const id = `${hostname}/${ip}`;
          if (seen.has(id)) {
            // Same address in two slices (a slice being replaced): keep the ports of both.
            const prev = out.find((e) => e.hostname === hostname && e.ip === ip);
            if (prev) prev.ports = [...prev.ports, ...ports.filter((p) => !prev.ports.some((q) => q.name === p.name && q.protocol === p.protocol))];
            continue;
          }
          seen.add(id);
          out.push({ hostname, ip, ports });
        }
      }
    }
    return out;
  }

  /**
   * Names (relative to the zone, e.g. `web.default.svc`) an IP answers PTR with: the Service
   * whose ClusterIP it is, else every Service endpoint with that address (CoreDNS
   * plugin/kubernetes/reverse.go). Built once per generation.
   */
  reverse(ip: string): string[] {
    if (!this.#reverse) this.#reverse = this.#buildReverse();
    return this.#reverse.get(ip) ?? [];
  }

  #buildReverse(): Map<string, string[]> {
    const byIP = new Map<string, string[]>();
    const add = (ip: string, name: string, first: boolean): void => {
      const names = byIP.get(ip);
      if (!names) byIP.set(ip, [name]);
      else if (!names.includes(name)) {
        if (first) names.unshift(name);
        else names.push(name);
      }
    };
    for (const svc of this.#services.values()) {
      const ns = svc.metadata.namespace ?? '';
      const name = svc.metadata.name ?? '';
      if (isExternalName(svc)) continue;
      if (!isHeadless(svc)) for (const ip of clusterIPs(svc)) add(ip, `${name}.${ns}.svc`, true);
      for (const ep of this.endpoints(ns, name)) add(ep.ip, `${ep.hostname}.${name}.${ns}.svc`, false);
    }
    return byIP;
  }
}
