// Bad request targets: dot and empty segments, unknown resources and subresources, every method
// on every subresource (upstream's verbs per subresource, 405 otherwise), componentstatuses.
// Verbs mirror the REST storage each subresource has upstream (pkg/registry/*/rest/storage_*.go).
import type { FuzzCase } from './case.ts';
import { COLLECTION_NS, KINDS, PATH_NS, pathOf, pathTargetName, type FuzzKind } from './kinds.ts';
import type { Rng } from './prng.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const ODD_METHODS = ['HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO'];
/** Methods node's HTTP parser does not know: it answers a bare 400 and closes, before any handler. */
const UNPARSABLE = new Set(['FOO']);

/** The HTTP methods upstream serves on each subresource. */
const SUBRESOURCE_METHODS: Record<string, readonly string[]> = {
  status: ['GET', 'PUT', 'PATCH'],
  scale: ['GET', 'PUT', 'PATCH'],
  ephemeralcontainers: ['GET', 'PUT', 'PATCH'],
  binding: ['POST'],
  eviction: ['POST'],
  token: ['POST'],
  finalize: ['PUT'],
  log: ['GET'],
  exec: ['GET', 'POST'],
  attach: ['GET', 'POST'],
  portforward: ['GET', 'POST'],
  proxy: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
};

/** Subresources the scheme lists that skiff does not serve (src/apiserver/verbs.ts UNSERVED, proxy aside). */
const NOT_SERVED = new Set(['ephemeralcontainers']);

/** Subresources that reach a pod or node over the network: with none there, 502/503 is upstream's answer. */
const CONNECTING = new Set(['proxy', 'exec', 'attach', 'portforward', 'log']);

function bodyFor(method: string, k: FuzzKind): Pick<FuzzCase, 'body' | 'contentType'> {
  if (method === 'PUT') return { body: Buffer.from(JSON.stringify(k.valid(pathTargetName(k), PATH_NS))), contentType: 'application/json' };
  if (method === 'PATCH') return { body: Buffer.from('{}'), contentType: 'application/merge-patch+json' };
  if (method === 'POST') return { body: Buffer.from('{}'), contentType: 'application/json' };
  return {};
}

/** Every method on every subresource of every fuzz kind, and on the object and collection paths. */
export function verbMatrixCases(): FuzzCase[] {
  const out: FuzzCase[] = [];
  // DELETEs (and evictions) go last: one the server serves removes the target the other cases aim at.
  const deletes: FuzzCase[] = [];
  const group = 'paths: methods on subresources';
  for (const k of KINDS) {
    const obj = pathOf(k, PATH_NS, pathTargetName(k));
    for (const sub of k.info.subresources) {
      const allowed = SUBRESOURCE_METHODS[sub] ?? [];
      for (const m of [...METHODS, ...ODD_METHODS]) {
        const known = (METHODS as readonly string[]).includes(m);
        const c: FuzzCase = { group, method: m, path: `${obj}/${sub}`, ...bodyFor(m, k), what: `${m} on ${k.info.resource}/${sub}`, stream: CONNECTING.has(sub), allowUnavailable: CONNECTING.has(sub) };
        if (known && !allowed.includes(m)) c.expect = { code: 405, reason: 'MethodNotAllowed' };
        // Not served by skiff yet (the node agent runs no ephemeral containers): no route, so 404 for every method.
        if (known && NOT_SERVED.has(sub)) c.expect = { code: 404, reason: 'NotFound' };
        if (UNPARSABLE.has(m)) c.violation = true;
        // Upstream's eviction REST checks the body names the pod of the URL (pkg/registry/core/pod/storage/eviction.go).
        if (sub === 'eviction' && m === 'POST') { c.mayDelete = true; c.expect = { code: 400, reason: 'BadRequest' }; }
        (m === 'DELETE' || c.mayDelete ? deletes : out).push(c);
      }
    }
    out.push({ group, method: 'POST', path: obj, ...bodyFor('POST', k), what: `POST on one ${k.info.singular}`, expect: { code: 405, reason: 'MethodNotAllowed' } });
    for (const m of ['PUT', 'PATCH']) out.push({ group, method: m, path: pathOf(k, PATH_NS), ...bodyFor(m, k), what: `${m} on the ${k.info.resource} collection`, expect: { code: 405, reason: 'MethodNotAllowed' } });
    for (const m of ODD_METHODS) out.push({ group, method: m, path: obj, what: `${m} on one ${k.info.singular}`, ...(UNPARSABLE.has(m) ? { violation: true } : {}) });
  }
  // Upstream serves namespaces without deletecollection.
  deletes.push({ group, method: 'DELETE', path: '/api/v1/namespaces', what: 'DELETE on the namespaces collection', expect: { code: 405, reason: 'MethodNotAllowed' } });
  return [...out, ...deletes];
}

/** componentstatuses is a read-only list upstream (get, list); nothing else may touch any store. */
export function componentStatusCases(): FuzzCase[] {
  const group = 'paths: componentstatuses';
  const out: FuzzCase[] = [
    { group, method: 'GET', path: '/api/v1/componentstatuses', what: 'list componentstatuses' },
    { group, method: 'GET', path: '/api/v1/componentstatuses/etcd-0', what: 'get one componentstatus' },
    { group, method: 'GET', path: '/api/v1/componentstatuses?watch=true', what: 'watch componentstatuses', stream: true },
    { group, method: 'GET', path: '/api/v1/namespaces/fuzz/componentstatuses', what: 'componentstatuses under a namespace', expectFailure: true },
  ];
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    for (const p of ['/api/v1/componentstatuses', '/api/v1/componentstatuses/etcd-0', '/api/v1/componentstatuses/scheduler']) {
      const body = m === 'PATCH' ? { body: Buffer.from('{}'), contentType: 'application/merge-patch+json' } : m === 'DELETE' ? {} : { body: Buffer.from('{"apiVersion":"v1","kind":"ComponentStatus","metadata":{"name":"etcd-0"}}'), contentType: 'application/json' };
      out.push({ group, method: m, path: p, ...body, what: `${m} ${p}`, expect: { code: 405, reason: 'MethodNotAllowed' } });
    }
  }
  return out;
}

/** Non-canonical targets: dot segments, empty segments, encoded dots and slashes; none may be served. */
export function dotSegmentCases(rng: Rng): FuzzCase[] {
  const out: FuzzCase[] = [];
  const group = 'paths: dot and empty segments';
  for (const k of KINDS) {
    const coll = pathOf(k, PATH_NS);
    const t = pathTargetName(k);
    const variants = [
      `${coll}/.`, `${coll}/..`, `${coll}/./`, `${coll}/${t}/..`, `${coll}/${t}/.`, `${coll}/${t}/status/../..`, `${coll}/${t}/status/..`,
      `${coll}/x/status/../..`, `${coll}//`, `${coll}//${t}`, `${coll}/./${t}`, `${coll}/${t}//status`, `${coll}/%2e`, `${coll}/%2E%2E`,
      `${coll}/${t}%2Fstatus`, coll.replace('/api', '//api'), coll.replace(/\/v1\//, '//v1/'), `${coll.replace(k.info.resource, `./${k.info.resource}`)}`,
    ];
    if (k.info.namespaced) variants.push(coll.replace(`/namespaces/${PATH_NS}/`, `/namespaces/${PATH_NS}/../${PATH_NS}/`), coll.replace(`/namespaces/${PATH_NS}/`, '/namespaces//'), coll.replace(`/namespaces/${PATH_NS}/`, '/namespaces/./'));
    for (const p of variants) {
      const m = rng.pick(METHODS);
      out.push({ group, method: m, path: p, ...bodyFor(m, k), what: `${m} on a non-canonical path`, expectFailure: true });
    }
    // The forms issue 14 saw delete whole collections, each with DELETE.
    out.push({ group, method: 'DELETE', path: `${coll}/.`, what: 'DELETE collection/.', expectFailure: true });
    out.push({ group, method: 'DELETE', path: `${coll}/${t}/status/../..`, what: 'DELETE …/status/../..', expectFailure: true });
    out.push({ group, method: 'DELETE', path: `${coll}/${t}/status`, what: 'DELETE on status', expect: k.info.subresources.includes('status') ? { code: 405, reason: 'MethodNotAllowed' } : { code: 404, reason: 'NotFound' } });
  }
  return out;
}

/** Targets upstream does serve to a GET (a group's discovery; a query with a bad escape is dropped, as Go's url.ParseQuery does). */
const SERVED_ON_GET = new Set(['/apis/apps', '/apis/apps/', `/api/v1/namespaces/${PATH_NS}/pods?%ff=1`]);
/** Upstream lists (and deletes from) a namespace that does not exist as an empty collection. */
const ABSENT_NAMESPACE = `/api/v1/namespaces/${'n'.repeat(4000)}/pods`;

/** Resources, subresources and groups that do not exist, and oddly spelled known ones. */
export function unknownPathCases(rng: Rng): FuzzCase[] {
  const group = 'paths: unknown resources and subresources';
  const out: FuzzCase[] = [];
  const ns = `/api/v1/namespaces/${PATH_NS}`;
  const paths = [
    `${ns}/foos`, `${ns}/foos/x`, '/apis/apps/v1/pods', '/apis/nogroup/v1/things', '/api/v2/pods', '/apis/apps/v9/deployments',
    `${ns}/Pods`, `${ns}/pods/target-pod/unknownsub`, `${ns}/pods/target-pod/status/extra`,
    `${ns}/pods/target-pod/status/x/y/z`, `${ns}/pods/target-pod/log/extra`, `${ns}/configmaps/${'n'.repeat(4000)}`,
    ABSENT_NAMESPACE, `${ns}/namespaces`, '/api/v1/nodes/x/pods', `${ns}/nodes`,
    '/apis/apps', '/apis/apps/', '/openapi/v2/x', '/metrics/x', '/healthz/x', '/version/x', '/readyz/x', `${ns}/pods/target-pod/binding/x`,
    `/api/v1/namespaces/${COLLECTION_NS}/configmaps/x/finalize`, `${ns}/finalize`, `${ns}/status/x`, '/%ff', '/api/v1/namespaces/%ff/pods',
    `${ns}/pods?%ff=1`, '/api/v1/namespaces/fu%00zz/pods', `/api/v1/watch/namespaces/${PATH_NS}/pods/x/y`, '/api/v1/proxy/x',
  ];
  for (const p of paths) {
    // A DELETE of a real collection (the bad escape is only in the query) is a deletecollection it names.
    const methods = p === `${ns}/pods?%ff=1` ? ['GET'] : ['GET', 'DELETE', rng.pick(METHODS)];
    for (const m of methods) out.push({ group, method: m, path: p, what: `${m} on an unknown path`, expectFailure: p !== ABSENT_NAMESPACE && (!SERVED_ON_GET.has(p) || m !== 'GET'), stream: p.includes('/watch/') });
  }
  return out;
}
