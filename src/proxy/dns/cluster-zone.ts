// Authoritative answers for the cluster domain and for the reverse names of Service and endpoint
// addresses, per the Kubernetes DNS-Based Service Discovery specification
// (kubernetes/dns docs/specification.md). Where the specification is silent, CoreDNS's
// kubernetes plugin is followed: plugin/kubernetes/parse.go for the shapes of names,
// kubernetes.go findServices/findPods for what exists, handler.go for NXDOMAIN (the name does not
// exist) versus NODATA (it exists, without records of the asked type) with the zone's SOA in the
// authority section of both, pods in "insecure" mode (the kubeadm default), a 5 s TTL.
import { isIPv4, isIPv6 } from 'node:net';
import type { Answer, SrvData } from 'dns-packet';
import { clusterIPs, isExternalName, isHeadless, type IndexedEndpoint, type RecordIndex } from './record-index.ts';
import type { Service } from './types.ts';

export const DEFAULT_TTL = 5;
/** The schema version dns-version.<zone> answers (specification §1). */
export const DNS_SCHEMA_VERSION = '1.0.1';
/** How many CNAMEs inside the zone are followed before giving up (a loop of ExternalNames). */
const MAX_CNAME_CHAIN = 8;

export type Rcode = 'NOERROR' | 'NXDOMAIN';

export interface ZoneAnswer {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** A name outside the zone the answer's last CNAME points to, for the server to resolve upstream. */
  chase?: string;
}

export type ZoneResult = { kind: 'answer'; answer: ZoneAnswer } | { kind: 'forward' };

export interface ClusterZoneOptions {
  /** e.g. cluster.local */
  domain?: string;
  ttl?: number;
  /** The address the zone's NS (ns.dns.<zone>) resolves to: the cluster DNS Service's IP. */
  nameserverIP?: string;
}

/** What one name holds; undefined from #records means the name does not exist. */
interface NameRecords {
  a: string[];
  aaaa: string[];
  srv: SrvData[];
  txt: string[];
  cname?: string;
  apex?: boolean;
}

function emptyRecords(): NameRecords {
  return { a: [], aaaa: [], srv: [], txt: [] };
}

function trimDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

/** a-b-c-d as an IPv4 address, or undefined (pod names: specification §2.6). */
function dashedIPv4(label: string): string | undefined {
  const parts = label.split('-');
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p))) return undefined;
  const ip = parts.map((p) => String(Number(p))).join('.');
  return isIPv4(ip) ? ip : undefined;
}

export class ClusterZone {
  readonly #index: RecordIndex;
  readonly domain: string;
  readonly ttl: number;
  readonly #nameserverIP: string | undefined;

  constructor(index: RecordIndex, opts: ClusterZoneOptions = {}) {
    this.#index = index;
    this.domain = trimDot(opts.domain ?? 'cluster.local').toLowerCase();
    this.ttl = opts.ttl ?? DEFAULT_TTL;
    this.#nameserverIP = opts.nameserverIP;
  }

  get index(): RecordIndex { return this.#index; }

  /** Whether a name is answered here rather than forwarded (before looking at what exists). */
  isInZone(name: string): boolean {
    const n = trimDot(name).toLowerCase();
    return n === this.domain || n.endsWith(`.${this.domain}`);
  }

  /** The answer for one question; `forward` for names this zone is not authoritative for. */
  resolve(qname: string, qtype: string): ZoneResult {
    const name = trimDot(qname);
    const lower = name.toLowerCase();
    if (this.isInZone(lower)) return { kind: 'answer', answer: this.#answerInZone(name, qtype, 0) };
    if (lower.endsWith('.in-addr.arpa')) return this.#reverse(name, lower, qtype);
    return { kind: 'forward' };
  }

  #answerInZone(name: string, qtype: string, depth: number): ZoneAnswer {
    const records = this.#records(name.toLowerCase());
    if (!records) return this.#negative('NXDOMAIN', this.domain);
    if (records.cname !== undefined && qtype !== 'CNAME') {
      // A CNAME stands for the name whatever the type asked (RFC 1034 §3.6.2); a target inside the
      // zone is followed here, one outside by the server through the upstream resolvers.
      const cname: Answer = { name, type: 'CNAME', ttl: this.ttl, data: records.cname };
      if (this.isInZone(records.cname) && depth < MAX_CNAME_CHAIN) {
        const rest = this.#answerInZone(records.cname, qtype, depth + 1);
        return { ...rest, answers: [cname, ...rest.answers] };
      }
      if (this.isInZone(records.cname)) return { rcode: 'NOERROR', answers: [cname], authorities: [], additionals: [] };
      return { rcode: 'NOERROR', answers: [cname], authorities: [], additionals: [], chase: records.cname };
    }
    const answers = this.#select(name, qtype, records);
    if (answers.length === 0) return this.#negative('NOERROR', this.domain);
    const additionals: Answer[] = [];
    if (qtype === 'SRV' || qtype === 'ANY') {
      // The specification allows the A records the SRV targets name in the additional section.
      const seen = new Set<string>();
      for (const srv of records.srv) {
        const target = srv.target.toLowerCase();
        if (seen.has(target)) continue;
        seen.add(target);
        const t = this.#records(target);
        for (const ip of t?.a ?? []) additionals.push({ name: srv.target, type: 'A', ttl: this.ttl, data: ip });
        for (const ip of t?.aaaa ?? []) additionals.push({ name: srv.target, type: 'AAAA', ttl: this.ttl, data: ip });
      }
    }
    if (qtype === 'NS' && records.apex && this.#nameserverIP) {
      additionals.push({ name: `ns.dns.${this.domain}`, type: isIPv6(this.#nameserverIP) ? 'AAAA' : 'A', ttl: this.ttl, data: this.#nameserverIP });
    }
    return { rcode: 'NOERROR', answers, authorities: [], additionals };
  }

  #select(name: string, qtype: string, r: NameRecords): Answer[] {
    const ttl = this.ttl;
    const out: Answer[] = [];
    const want = (t: string): boolean => qtype === t || qtype === 'ANY';
    if (want('A')) for (const ip of r.a) out.push({ name, type: 'A', ttl, data: ip });
    if (want('AAAA')) for (const ip of r.aaaa) out.push({ name, type: 'AAAA', ttl, data: ip });
    if (want('SRV')) for (const data of r.srv) out.push({ name, type: 'SRV', ttl, data });
    if (want('TXT')) for (const t of r.txt) out.push({ name, type: 'TXT', ttl, data: t });
    if (want('CNAME') && r.cname !== undefined) out.push({ name, type: 'CNAME', ttl, data: r.cname });
    if (r.apex) {
      if (want('SOA')) out.push(this.#soa(this.domain));
      if (want('NS') && this.#nameserverIP) out.push({ name, type: 'NS', ttl, data: `ns.dns.${this.domain}` });
    }
    return out;
  }

  #soa(zone: string): Answer {
    return {
      name: zone, type: 'SOA', ttl: this.ttl,
      data: {
        mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`,
        // The serial moves with the index, as CoreDNS's follows the last change it saw.
        serial: this.#index.generation >>> 0,
        refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl,
      },
    };
  }

  #negative(rcode: Rcode, zone: string): ZoneAnswer {
    return { rcode, answers: [], authorities: [this.#soa(zone)], additionals: [] };
  }

  /** What a lower-case name inside the zone holds. */
  #records(lower: string): NameRecords | undefined {
    const n = trimDot(lower);
    if (n === this.domain) return { ...emptyRecords(), apex: true };
    const segs = n.slice(0, -(this.domain.length + 1)).split('.');
    const last = segs.length - 1;
    const kind = segs[last];
    if (segs.length === 1) {
      if (kind === 'dns-version') return { ...emptyRecords(), txt: [DNS_SCHEMA_VERSION] };
      // svc and pod are empty non-terminals: NODATA, as CoreDNS answers apex-like queries.
      if (kind === 'svc' || kind === 'pod') return emptyRecords();
      if (kind === 'dns' && this.#nameserverIP) return emptyRecords();
      return undefined;
    }
    if (kind === 'dns' && this.#nameserverIP && segs.length === 2 && segs[0] === 'ns') {
      return isIPv6(this.#nameserverIP) ? { ...emptyRecords(), aaaa: [this.#nameserverIP] } : { ...emptyRecords(), a: [this.#nameserverIP] };
    }
    if (kind !== 'svc' && kind !== 'pod') return undefined;
    const ns = segs[last - 1]!;
    if (!this.#index.namespaceExists(ns)) return undefined;
    if (segs.length === 2) return emptyRecords();
    if (kind === 'pod') return segs.length === 3 ? this.#pod(segs[0]!) : undefined;
    const svc = this.#index.service(ns, segs[last - 2]!);
    if (!svc) return undefined;
    switch (segs.length) {
      case 3: return this.#service(svc);
      case 4: return this.#endpoint(svc, segs[0]!);
      case 5: return this.#port(svc, stripUnderscore(segs[0]!), stripUnderscore(segs[1]!));
      default: return undefined;
    }
  }

  #pod(label: string): NameRecords | undefined {
    const ip = dashedIPv4(label);
    return ip === undefined ? undefined : { ...emptyRecords(), a: [ip] };
  }

  #svcName(svc: Service): string {
    return `${svc.metadata.name}.${svc.metadata.namespace}.svc.${this.domain}`;
  }

  #withAddresses(r: NameRecords, ips: Iterable<string>): NameRecords {
    for (const ip of ips) {
      if (isIPv4(ip)) { if (!r.a.includes(ip)) r.a.push(ip); }
      else if (isIPv6(ip) && !r.aaaa.includes(ip)) r.aaaa.push(ip);
    }
    return r;
  }

  #endpoints(svc: Service): IndexedEndpoint[] {
    return this.#index.endpoints(svc.metadata.namespace ?? '', svc.metadata.name ?? '');
  }

  /** `<service>.<ns>.svc.<zone>` (specification §2.3.1, §2.4.1, §2.5). */
  #service(svc: Service): NameRecords | undefined {
    if (isExternalName(svc)) {
      const target = trimDot(svc.spec?.externalName ?? '');
      // An address is no name to point a CNAME at; CoreDNS publishes nothing for it either.
      return target === '' || isIPv4(target) || isIPv6(target) ? undefined : { ...emptyRecords(), cname: target };
    }
    const self = this.#svcName(svc);
    if (isHeadless(svc)) {
      const eps = this.#endpoints(svc);
      // A headless Service without ready endpoints does not exist in DNS (specification §2.4.1).
      if (eps.length === 0) return undefined;
      const r = this.#withAddresses(emptyRecords(), eps.map((e) => e.ip));
      r.srv = this.#endpointSrv(eps, () => true, self);
      return r;
    }
    const r = this.#withAddresses(emptyRecords(), clusterIPs(svc));
    r.srv = (svc.spec?.ports ?? []).filter((p) => p.name).map((p) => ({ priority: 0, weight: 100, port: p.port, target: self }));
    return r;
  }

  /** SRV records to each endpoint for each port `match` accepts; targets `<hostname>.<service>…`. */
  #endpointSrv(eps: IndexedEndpoint[], match: (name: string, protocol: string) => boolean, self: string): SrvData[] {
    const out: SrvData[] = [];
    for (const ep of eps) {
      for (const p of ep.ports) {
        if (!p.name || p.port === undefined || !match(p.name.toLowerCase(), (p.protocol ?? 'TCP').toLowerCase())) continue;
        const target = `${ep.hostname}.${self}`;
        if (!out.some((s) => s.target === target && s.port === p.port)) out.push({ priority: 0, weight: 100, port: p.port, target });
      }
    }
    return out;
  }

  /** `<hostname>.<service>.<ns>.svc.<zone>` (specification §2.4.1; CoreDNS answers it for any Service with endpoints). */
  #endpoint(svc: Service, hostname: string): NameRecords | undefined {
    if (isExternalName(svc)) return undefined;
    const eps = this.#endpoints(svc).filter((e) => e.hostname === hostname);
    if (eps.length === 0) return undefined;
    return this.#withAddresses(emptyRecords(), eps.map((e) => e.ip));
  }

  /** `_<port>._<proto>.<service>.<ns>.svc.<zone>` (specification §2.3.2, §2.4.2); unnamed ports have none. */
  #port(svc: Service, port: string, proto: string): NameRecords | undefined {
    if (isExternalName(svc)) return undefined;
    const self = this.#svcName(svc);
    const match = (name: string, protocol: string): boolean => name === port && protocol === proto;
    if (isHeadless(svc)) {
      const eps = this.#endpoints(svc);
      const srv = this.#endpointSrv(eps, match, self);
      if (srv.length === 0) return undefined;
      const r = this.#withAddresses(emptyRecords(), eps.filter((e) => srv.some((s) => s.target === `${e.hostname}.${self}`)).map((e) => e.ip));
      r.srv = srv;
      return r;
    }
    const ports = (svc.spec?.ports ?? []).filter((p) => p.name && match(p.name.toLowerCase(), (p.protocol ?? 'TCP').toLowerCase()));
    if (ports.length === 0) return undefined;
    const r = this.#withAddresses(emptyRecords(), clusterIPs(svc));
    r.srv = ports.map((p) => ({ priority: 0, weight: 100, port: p.port, target: self }));
    return r;
  }

  /**
   * `<d>.<c>.<b>.<a>.in-addr.arpa` for Service and endpoint addresses (specification §2.3.3,
   * §2.4.3). Other addresses go upstream, as the default Corefile's `fallthrough in-addr.arpa`.
   */
  #reverse(name: string, lower: string, qtype: string): ZoneResult {
    const labels = lower.slice(0, -'.in-addr.arpa'.length).split('.');
    if (labels.length !== 4) return { kind: 'forward' };
    const ip = labels.reverse().join('.');
    if (!isIPv4(ip)) return { kind: 'forward' };
    const names = this.#index.reverse(ip);
    if (names.length === 0) return { kind: 'forward' };
    if (qtype !== 'PTR' && qtype !== 'ANY') return { kind: 'answer', answer: this.#negative('NOERROR', 'in-addr.arpa') };
    const answers: Answer[] = names.map((n) => ({ name, type: 'PTR', ttl: this.ttl, data: `${n}.${this.domain}` }));
    return { kind: 'answer', answer: { rcode: 'NOERROR', answers, authorities: [], additionals: [] } };
  }
}
