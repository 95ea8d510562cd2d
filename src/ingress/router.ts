// The Ingress controller's routing table: which backend endpoints a request's host and path lead
// to, and which certificate a TLS server name gets. A table is built whole from the informers'
// objects and swapped in at once, so a request always sees one consistent version; requests
// look it up each time, so connections kept alive follow every change.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Ingress, IngressBackend, IngressClass, PathType } from '../api/types/networking-v1-ingress.ts';
import { ClassFilter } from './ingress-class.ts';
import { pathMatches, pathWeight } from './match.ts';
import { LABEL_SERVICE_NAME, SECRET_TYPE_TLS, type EndpointSlice, type Secret, type Service } from './objects.ts';

export interface RouterInputs {
  ingresses: Iterable<Ingress>;
  ingressClasses: Iterable<IngressClass>;
  services: Iterable<Service>;
  endpointSlices: Iterable<EndpointSlice>;
  secrets: Iterable<Secret>;
}

export interface Endpoint { ip: string; port: number }

/** One Ingress backend resolved to a Service port's ready endpoints. */
export interface Upstream {
  /** `namespace/service:port`, for logs and round-robin state. */
  key: string;
  endpoints: readonly Endpoint[];
  /** Why there are no endpoints, when there are none. */
  reason?: string;
}

interface PathRoute {
  pathType: PathType;
  path: string;
  weight: number;
  upstream: Upstream;
  /** Age order of the Ingress that declared the route: older wins a tie. */
  order: number;
}

export type RouteResult =
  | { kind: 'upstream'; upstream: Upstream; endpoint: Endpoint | undefined }
  | { kind: 'not-found' };

export interface RoutingTable {
  /** Ingresses served (namespace/name), oldest first. */
  readonly served: readonly Ingress[];
  lookup(host: string, path: string): Upstream | undefined;
  secureContext(serverName: string): SecureContext | undefined;
}

/** Secrets turned into TLS contexts, kept between tables while the Secret does not change. */
type ContextCache = Map<string, SecureContext | Error>;

export class Router {
  #table: RoutingTable = emptyTable();
  readonly #cursor = new Map<string, number>();
  #contexts: ContextCache = new Map();
  readonly #onError: (msg: string) => void;

  constructor(onError: (msg: string) => void = () => undefined) {
    this.#onError = onError;
  }

  get table(): RoutingTable { return this.#table; }

  /** Builds a new table from the objects and swaps it in. */
  update(inputs: RouterInputs): RoutingTable {
    const next: ContextCache = new Map();
    this.#table = buildTable(inputs, this.#contexts, next, this.#onError);
    this.#contexts = next;
    return this.#table;
  }

  /** The upstream for a request and the endpoint to try first (round robin over the ready ones). */
  route(host: string, path: string): RouteResult {
    const upstream = this.#table.lookup(host, path);
    if (!upstream) return { kind: 'not-found' };
    return { kind: 'upstream', upstream, endpoint: this.next(upstream) };
  }

  /** The upstream's next endpoint in turn. */
  next(upstream: Upstream): Endpoint | undefined {
    const n = upstream.endpoints.length;
    if (n === 0) return undefined;
    const i = this.#cursor.get(upstream.key) ?? 0;
    this.#cursor.set(upstream.key, (i + 1) % n);
    return upstream.endpoints[i % n];
  }

  secureContext(serverName: string): SecureContext | undefined {
    return this.#table.secureContext(serverName);
  }
}

function emptyTable(): RoutingTable {
  return { served: [], lookup: () => undefined, secureContext: () => undefined };
}

function ingressKey(i: Ingress): string {
  return `${i.metadata.namespace ?? ''}/${i.metadata.name ?? ''}`;
}

/** Oldest first, then by namespace/name: the order conflicts between Ingresses are settled in (as ingress-nginx does). */
function byAge(a: Ingress, b: Ingress): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = ingressKey(a);
  const kb = ingressKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function buildTable(inputs: RouterInputs, oldContexts: ContextCache, contexts: ContextCache, onError: (msg: string) => void): RoutingTable {
  const filter = new ClassFilter(inputs.ingressClasses);
  const served = [...inputs.ingresses].filter((i) => !i.metadata.deletionTimestamp && filter.serves(i)).sort(byAge);

  const services = new Map<string, Service>();
  for (const s of inputs.services) services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
  const slices = new Map<string, EndpointSlice[]>();
  for (const sl of inputs.endpointSlices) {
    const svc = sl.metadata.labels?.[LABEL_SERVICE_NAME];
    if (!svc) continue;
    const k = `${sl.metadata.namespace}/${svc}`;
    const list = slices.get(k);
    if (list) list.push(sl);
    else slices.set(k, [sl]);
  }
  const secrets = new Map<string, Secret>();
  for (const s of inputs.secrets) secrets.set(`${s.metadata.namespace}/${s.metadata.name}`, s);

  const upstreams = new Map<string, Upstream>();
  const resolve = (ns: string, backend: IngressBackend): Upstream => {
    const svc = backend.service;
    const port = svc?.port?.number ?? svc?.port?.name ?? '';
    const key = svc ? `${ns}/${svc.name}:${port}` : `${ns}/resource:${backend.resource?.kind ?? ''}/${backend.resource?.name ?? ''}`;
    let u = upstreams.get(key);
    if (!u) {
      u = resolveUpstream(key, ns, backend, services, slices);
      upstreams.set(key, u);
    }
    return u;
  };

  const exact = new Map<string, PathRoute[]>();
  const wildcard = new Map<string, PathRoute[]>();
  const anyHost: PathRoute[] = [];
  let defaultBackend: Upstream | undefined;
  served.forEach((ing, order) => {
    const ns = ing.metadata.namespace ?? 'default';
    if (ing.spec?.defaultBackend && !defaultBackend) defaultBackend = resolve(ns, ing.spec.defaultBackend);
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      let bucket: PathRoute[];
      if (host === '') bucket = anyHost;
      else {
        const map = host.startsWith('*.') ? wildcard : exact;
        const k = host.startsWith('*.') ? host.slice(1) : host;
        bucket = map.get(k) ?? [];
        map.set(k, bucket);
      }
      for (const p of rule.http?.paths ?? []) {
        const pathType: PathType = p.pathType === 'Exact' ? 'Exact' : 'Prefix';
        const path = p.path || '/';
        // The same host, path and type in two Ingresses: the older one keeps it.
        if (bucket.some((r) => r.pathType === pathType && r.path === path)) continue;
        bucket.push({ pathType, path, weight: pathWeight(pathType, path), upstream: resolve(ns, p.backend), order });
      }
    }
  });
  const sortRoutes = (rs: PathRoute[]): void => { rs.sort((a, b) => b.weight - a.weight || a.order - b.order); };
  for (const rs of exact.values()) sortRoutes(rs);
  for (const rs of wildcard.values()) sortRoutes(rs);
  sortRoutes(anyHost);

  const certs = buildCerts(served, secrets, oldContexts, contexts, onError);

  const firstMatch = (rs: readonly PathRoute[] | undefined, path: string): Upstream | undefined => {
    if (!rs) return undefined;
    for (const r of rs) if (pathMatches(r.pathType, r.path, path)) return r.upstream;
    return undefined;
  };
  return {
    served,
    lookup(host: string, path: string): Upstream | undefined {
      // The most specific host first: its exact rule, then the wildcard one level up, then the
      // rules for every host; what none of them route goes to the default backend.
      const dot = host.indexOf('.');
      return firstMatch(exact.get(host), path)
        ?? (dot > 0 ? firstMatch(wildcard.get(host.slice(dot)), path) : undefined)
        ?? firstMatch(anyHost, path)
        ?? defaultBackend;
    },
    secureContext(serverName: string): SecureContext | undefined {
      const name = serverName.toLowerCase();
      const dot = name.indexOf('.');
      return certs.exact.get(name) ?? (dot > 0 ? certs.wildcard.get(name.slice(dot)) : undefined) ?? certs.fallback;
    },
  };
}

function resolveUpstream(key: string, ns: string, backend: IngressBackend, services: Map<string, Service>, slices: Map<string, EndpointSlice[]>): Upstream {
  const ref = backend.service;
  if (!ref) return { key, endpoints: [], reason: 'resource backends are not supported' };
  const svc = services.get(`${ns}/${ref.name}`);
  if (!svc) return { key, endpoints: [], reason: `service "${ns}/${ref.name}" not found` };
  const ports = svc.spec?.ports ?? [];
  const sp = ref.port?.name !== undefined && ref.port.name !== ''
    ? ports.find((p) => p.name === ref.port?.name)
    : ports.find((p) => p.port === ref.port?.number);
  if (!sp) return { key, endpoints: [], reason: `service "${ns}/${ref.name}" has no port ${ref.port?.name ?? ref.port?.number}` };
  if ((sp.protocol ?? 'TCP') !== 'TCP') return { key, endpoints: [], reason: `service "${ns}/${ref.name}" port ${sp.port} is not TCP` };
  // An EndpointSlice names its ports as the Service does; an unnamed Service port is ''.
  const portName = sp.name ?? '';
  const seen = new Set<string>();
  const endpoints: Endpoint[] = [];
  for (const sl of slices.get(`${ns}/${ref.name}`) ?? []) {
    if (sl.addressType === 'FQDN') continue;
    const ep = (sl.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP');
    if (ep?.port === undefined) continue;
    for (const e of sl.endpoints ?? []) {
      // A nil ready condition means ready (k8s.io/api/discovery/v1 EndpointConditions).
      if (e.conditions?.ready === false) continue;
      const ip = e.addresses[0];
      if (!ip) continue;
      const k = `${ip}:${ep.port}`;
      if (seen.has(k)) continue;
      seen.add(k);
      endpoints.push({ ip, port: ep.port });
    }
  }
  endpoints.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
  return endpoints.length ? { key, endpoints } : { key, endpoints, reason: `service "${ns}/${ref.name}" has no ready endpoints` };
}

interface CertTable {
  exact: Map<string, SecureContext>;
  /** By suffix after the wildcard label: `.foo.com`. */
  wildcard: Map<string, SecureContext>;
  /** A TLS entry without hosts: the Ingress's certificate for every name no other one covers. */
  fallback: SecureContext | undefined;
}

function buildCerts(served: readonly Ingress[], secrets: Map<string, Secret>, old: ContextCache, contexts: ContextCache, onError: (msg: string) => void): CertTable {
  const out: CertTable = { exact: new Map(), wildcard: new Map(), fallback: undefined };
  for (const ing of served) {
    const ns = ing.metadata.namespace ?? 'default';
    for (const tls of ing.spec?.tls ?? []) {
      if (!tls.secretName) continue;
      const secret = secrets.get(`${ns}/${tls.secretName}`);
      if (!secret) continue;
      const ctx = contextFor(secret, old, contexts, onError);
      if (!ctx) continue;
      const hosts = tls.hosts ?? [];
      if (hosts.length === 0) out.fallback ??= ctx;
      for (const h of hosts) {
        const host = h.toLowerCase();
        if (host.startsWith('*.')) {
          if (!out.wildcard.has(host.slice(1))) out.wildcard.set(host.slice(1), ctx);
        } else if (!out.exact.has(host)) {
          out.exact.set(host, ctx);
        }
      }
    }
  }
  return out;
}

function contextFor(secret: Secret, old: ContextCache, contexts: ContextCache, onError: (msg: string) => void): SecureContext | undefined {
  const k = `${secret.metadata.namespace}/${secret.metadata.name}@${secret.metadata.uid ?? ''}/${secret.metadata.resourceVersion ?? ''}`;
  let c = contexts.get(k) ?? old.get(k);
  if (!c) {
    try {
      if (secret.type !== undefined && secret.type !== SECRET_TYPE_TLS) throw new Error(`type is ${secret.type}, not ${SECRET_TYPE_TLS}`);
      const cert = secret.data?.['tls.crt'];
      const key = secret.data?.['tls.key'];
      if (!cert || !key) throw new Error('tls.crt or tls.key is missing');
      c = createSecureContext({ cert: Buffer.from(cert, 'base64'), key: Buffer.from(key, 'base64') });
    } catch (err) {
      c = err as Error;
      onError(`secret "${secret.metadata.namespace}/${secret.metadata.name}" cannot serve TLS: ${(err as Error).message}`);
    }
  }
  contexts.set(k, c);
  return c instanceof Error ? undefined : c;
}
