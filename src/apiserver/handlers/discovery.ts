// Discovery documents: /api, /apis, /apis/<group>, per group-version resource lists, and the
// aggregated form kubectl 1.30+ asks for (k8s.io/apiserver/pkg/endpoints/discovery and
// discovery/aggregated), from the scheme's catalogue as it is now (custom resources come and go).
import { allResources, groupVersion, servedGroups, VIRTUAL_RESOURCES, type ResourceInfo } from '../../api/scheme.ts';
import { resourceVerbs, servedSubresources, subresourceVerbs } from '../verbs.ts';

/**
 * A group served outside the scheme, with no storage (metrics.k8s.io): listed in discovery beside
 * the stored groups, as kube-aggregator lists the groups of registered APIServices.
 */
export interface ExtraApiGroup {
  group: string;
  version: string;
  resources: ReadonlyArray<{ resource: string; kind: string; namespaced: boolean; verbs: readonly string[] }>;
}

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

const SUBRESOURCE_KIND: Record<string, (r: ResourceInfo) => { group: string; version: string; kind: string }> = {
  scale: () => ({ group: 'autoscaling', version: 'v1', kind: 'Scale' }),
  binding: () => ({ group: '', version: 'v1', kind: 'Binding' }),
  eviction: () => ({ group: 'policy', version: 'v1', kind: 'Eviction' }),
  token: () => ({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }),
  log: (r) => ({ group: r.group, version: r.version, kind: r.kind }),
  exec: () => ({ group: '', version: 'v1', kind: 'PodExecOptions' }),
  attach: () => ({ group: '', version: 'v1', kind: 'PodAttachOptions' }),
  portforward: () => ({ group: '', version: 'v1', kind: 'PodPortForwardOptions' }),
  proxy: (r) => ({ group: '', version: 'v1', kind: r.kind === 'Pod' ? 'PodProxyOptions' : r.kind === 'Node' ? 'NodeProxyOptions' : 'ServiceProxyOptions' }),
};

/** The verbs the router serves (src/apiserver/verbs.ts is the one table). */
function verbsOf(r: ResourceInfo): string[] {
  return [...resourceVerbs(r)];
}

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: { group: string; versions: string[]; preferred: string }): object {
  const gv = (v: string) => ({ groupVersion: groupVersion(g.group, v), version: v });
  return { name: g.group, versions: g.versions.map(gv), preferredVersion: gv(g.preferred) };
}

function extraGroupInfo(g: ExtraApiGroup): { group: string; versions: string[]; preferred: string } {
  return { group: g.group, versions: [g.version], preferred: g.version };
}

export function apiGroupList(extra: readonly ExtraApiGroup[] = []): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...servedGroups().filter((g) => g.group !== ''), ...extra.map(extraGroupInfo)].map(apiGroup) };
}

export function apiGroupDoc(group: string, extra: readonly ExtraApiGroup[] = []): object | undefined {
  const g = servedGroups().find((x) => x.group === group && group !== '') ?? extra.map(extraGroupInfo).find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

export function apiResourceList(group: string, version: string, extra: readonly ExtraApiGroup[] = []): object | undefined {
  const eg = extra.find((g) => g.group === group && g.version === version);
  if (eg) {
    const resources = eg.resources.map((r) => ({ name: r.resource, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] }));
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
  }
  const rs = allResources().filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of rs) {
    const base: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r) };
    if (r.shortNames) base.shortNames = r.shortNames;
    if (r.categories) base.categories = r.categories;
    if (!VIRTUAL_RESOURCES.has(r.resource)) base.storageVersionHash = storageVersionHash(r);
    resources.push(base);
    for (const s of servedSubresources(r)) {
      const k = SUBRESOURCE_KIND[s]?.(r);
      const sub: Record<string, unknown> = { name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced, kind: k?.kind ?? r.kind, verbs: [...(subresourceVerbs(s) ?? [])] };
      if (k && (k.group !== r.group || k.version !== r.version)) { sub.group = k.group; sub.version = k.version; }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

function storageVersionHash(r: ResourceInfo): string {
  // Upstream: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>") of the storage version.
  let h = 0;
  for (const c of `${r.storage.group}/${r.storageVersion}/${r.kind}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return Buffer.from(h.toString(16).padStart(8, '0')).toString('base64').slice(0, 12);
}

/** Aggregated discovery for /api (core) or /apis (every other group). */
export function aggregatedDiscovery(which: 'api' | 'apis', apiVersion: 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1', extra: readonly ExtraApiGroup[] = []): object {
  const groups = servedGroups().filter((g) => (which === 'api' ? g.group === '' : g.group !== ''));
  const extraItems = which === 'api' ? [] : extra.map((g) => ({
    metadata: { name: g.group, creationTimestamp: null },
    versions: [{
      version: g.version,
      freshness: 'Current',
      resources: g.resources.map((r) => ({
        resource: r.resource,
        responseKind: { group: g.group, version: g.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: '',
        verbs: [...r.verbs],
      })),
    }],
  }));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: [...groups.map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: allResources().filter((r) => r.group === g.group && r.version === v).map((r) => {
          const d: Record<string, unknown> = {
            resource: r.resource,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.singular,
            verbs: verbsOf(r),
          };
          if (r.shortNames) d.shortNames = r.shortNames;
          if (r.categories) d.categories = r.categories;
          const subs = servedSubresources(r);
          if (subs.length) {
            d.subresources = subs.map((s) => ({
              subresource: s,
              responseKind: SUBRESOURCE_KIND[s]?.(r) ?? { group: r.group, version: r.version, kind: r.kind },
              verbs: [...(subresourceVerbs(s) ?? [])],
            }));
          }
          return d;
        }),
      })),
    })), ...extraItems],
  };
}

/** Pick the aggregated discovery form if the Accept header asks for it first. */
export function wantsAggregated(accept: string | undefined): typeof AGGREGATED_V2 | typeof AGGREGATED_V2BETA1 | undefined {
  for (const part of (accept ?? '').split(',')) {
    const p = part.replace(/\s+/g, '');
    if (p.includes('as=APIGroupDiscoveryList') && p.includes('g=apidiscovery.k8s.io')) {
      if (p.includes('v=v2beta1')) return AGGREGATED_V2BETA1;
      if (p.includes('v=v2')) return AGGREGATED_V2;
    }
    if (p.startsWith('application/json') && !p.includes('as=')) return undefined;
  }
  return undefined;
}
