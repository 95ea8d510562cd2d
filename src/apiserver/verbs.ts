// Which verbs each resource and subresource serves: the one table routing, discovery and OpenAPI
// read (upstream derives all three from the REST storage interfaces each resource implements, in
// k8s.io/apiserver/pkg/endpoints/installer.go; pkg/registry/*/storage says which those are).
import { methodNotAllowed, notServed } from '../api/errors.ts';
import { REVIEW_RESOURCES, VERBS, type ResourceInfo } from '../api/scheme.ts';
import type { RequestInfo } from './request-info.ts';

export type Verb = (typeof VERBS)[number];
export type Subresource = ResourceInfo['subresources'][number];

/** Upstream's words for a verb the route does not take (installer.go answers them from go-restful). */
export const METHOD_NOT_ALLOWED = 'the server does not allow this method on the requested resource';

/**
 * Verbs per subresource, as upstream's storage for each implements them: status and scale are
 * Getter+Updater (PATCH is served wherever PUT is); finalize is Updater only; binding, eviction and
 * token are Creaters; log is a Getter; exec, attach and portforward are Connecters (GET and POST,
 * each also as an Upgrade).
 */
const SUBRESOURCE_VERBS: Readonly<Partial<Record<Subresource, readonly Verb[]>>> = {
  status: ['get', 'patch', 'update'],
  approval: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  finalize: ['update'],
  binding: ['create'],
  eviction: ['create'],
  token: ['create'],
  log: ['get'],
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
};

/**
 * Subresources the scheme names that this server does not serve: proxy (to nodes, pods and
 * services) and ephemeralcontainers. They are left out of discovery and answer 404, as a
 * subresource upstream has no route for does.
 */
const UNSERVED: ReadonlySet<Subresource> = new Set(['proxy', 'ephemeralcontainers']);

/** The subresources of a resource this server serves, in scheme order. */
export function servedSubresources(info: Pick<ResourceInfo, 'subresources'>): Subresource[] {
  return info.subresources.filter((s) => !UNSERVED.has(s));
}

/** The verbs of a subresource (undefined for one that is not served). */
export function subresourceVerbs(sub: Subresource): readonly Verb[] | undefined {
  return UNSERVED.has(sub) ? undefined : SUBRESOURCE_VERBS[sub];
}

const NAMESPACE_VERBS: readonly Verb[] = VERBS.filter((v) => v !== 'deletecollection');

/**
 * The verbs of a resource itself. Bindings are create-only (pkg/registry/core/pod/storage
 * BindingREST); componentstatuses is a read-only Lister/Getter with no watch
 * (pkg/registry/core/componentstatus/rest.go).
 */
export function resourceVerbs(info: Pick<ResourceInfo, 'group' | 'resource'>): readonly Verb[] {
  if (info.group === '' && info.resource === 'bindings') return ['create'];
  if (info.group === '' && info.resource === 'componentstatuses') return ['get', 'list'];
  // The reviews are Creaters only (pkg/registry/authorization/*/rest.go).
  if (REVIEW_RESOURCES.has(info.resource)) return ['create'];
  // Namespaces are deleted one by one, each through its finalizers: no DeleteCollection
  // (pkg/registry/core/namespace/storage/storage.go).
  if (info.group === '' && info.resource === 'namespaces') return NAMESPACE_VERBS;
  return VERBS;
}

/**
 * Check that a resource request names a route this server has and uses a verb it takes:
 * the generic 404 for a path with more than a subresource after the name, or an unknown or
 * unserved subresource; 405 for a verb the resource or subresource does not take.
 */
export function checkRoute(info: ResourceInfo, ri: RequestInfo, method: string): void {
  const sub = ri.subresource;
  // No route: kube-apiserver's not-found handler answers, whatever the name (the generic 404
  // client-go reads as "the server could not find the requested resource").
  if (ri.verb === 'proxy' || ri.parts.length > 3) throw notServed();
  let verbs: readonly Verb[] | undefined;
  if (sub) {
    verbs = info.subresources.includes(sub as Subresource) ? subresourceVerbs(sub as Subresource) : undefined;
    if (!verbs) throw notServed();
  } else {
    verbs = resourceVerbs(info);
  }
  // The deprecated /watch/ prefix is a GET route only.
  if (ri.verb === 'watch' && method !== 'GET') throw methodNotAllowed(METHOD_NOT_ALLOWED);
  if (!verbs.includes(ri.verb as Verb)) throw methodNotAllowed(METHOD_NOT_ALLOWED);
}
