// Resource requests: get, list, create, update, patch, delete, deletecollection and the
// subresources status, scale, binding, eviction, finalize, serviceaccounts/token (the role of
// k8s.io/apiserver/pkg/endpoints/handlers/{get,create,update,patch,delete}.go).
import { badRequest, conflict, inGoOrder, isStatusError, methodNotAllowed, newStatus, notFound, StatusError, truncateEcho } from '../../api/errors.ts';
import type { DeleteOptions, KubeObject } from '../../api/meta.ts';
import { apiVersionOf } from '../../api/scheme.ts';
import { definitionNameFor } from '../../api/schema/index.ts';
import { DELETE_OPTIONS } from '../../api/schema/meta.ts';
import { checkTypes, decodeTypeError, describeTypeErrors, normalizeTypes, patchTypeError } from '../../api/schema/typecheck.ts';
import { pruneUnknownFields } from '../../api/validation/unknown-fields.ts';
import { duplicateFields } from '../json-duplicates.ts';
import { warningHeaderValues } from '../warning-header.ts';
import { applyServerSide } from '../apply/index.ts';
import { decodeObject, mediaType, readBody, writeJson, writeRaw } from '../http-io.ts';
import { applyPatch } from '../patch/index.ts';
import { toStorage } from '../registry/convert.ts';
import { rfc3339, type WriteContext } from '../registry/registry.ts';
import { toTable } from '../table/index.ts';
import { decodeContinue as decodeContinueToken, encodeContinue as encodeContinueToken, type ContinuePosition } from '../cache/continue-token.ts';
import { listParams } from '../cache/list-options.ts';
import { parseResourceVersion } from '../cache/resource-version.ts';
import type { CachedObject } from '../cache/watch-cache.ts';
import type { RequestScope } from './context.ts';
import { buildFilter } from './filter.ts';
import { negotiate } from './negotiate.ts';
import { listJson, partialMetadata, served, servedJson } from './objects.ts';
import { handlePodStreamRequest, POD_STREAM_SUBRESOURCES, type PodStreamSubresource } from './pod-streams.ts';
import { handleWatch } from './watch.ts';
import { checkRoute } from '../verbs.ts';
import { createToken } from '../serviceaccount/token-request.ts';
import { evictPod } from './eviction.ts';
import { customToScale, setPath } from '../apiextensions/scale.ts';
import { boolParam } from '../query-params.ts';

type Obj = Record<string, any>;

const PATCH_TYPES = new Set(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);

export async function handleResource(s: RequestScope): Promise<void> {
  const { ri } = s;
  const sub = ri.subresource;
  // The route table decides first (404 unknown subresource, 405 verb not served); everything
  // below only sees a verb its resource or subresource takes.
  checkRoute(s.info, ri, s.req.method ?? 'GET');
  if (sub === 'scale') return handleScale(s);
  if (sub === 'binding') return handleBinding(s, ri.name);
  if (sub === 'eviction') return handleEviction(s);
  if (sub === 'token' && s.info.resource === 'serviceaccounts') return handleTokenRequest(s);
  if (sub && s.info.resource === 'pods' && POD_STREAM_SUBRESOURCES.has(sub)) {
    return handlePodStreamRequest(s.req, s.res, {
      registries: s.server.registries, sub: sub as PodStreamSubresource, namespace: ri.namespace, name: ri.name,
      query: s.query, kubeletClient: s.server.kubeletClient, signal: s.server.signal,
    });
  }
  if (sub && sub !== 'status' && sub !== 'finalize' && sub !== 'approval') throw notFound({ group: s.info.group, resource: `${s.info.resource}/${sub}` }, ri.name);
  if (s.info.resource === 'bindings') {
    const body = decodeObject(await readBody(s.req), s.req.headers['content-type']);
    return handleBinding(s, (body.metadata as Obj | undefined)?.name ?? '', body);
  }
  if (!ri.name && (ri.verb === 'update' || ri.verb === 'patch')) throw methodNotAllowed(`${s.req.method} is not allowed on a collection: name the object`);
  if (ri.verb === 'create' && s.info.namespaced && !ri.namespace) throw methodNotAllowed(`POST is not allowed on ${s.info.resource} across all namespaces: create it in a namespace`);
  switch (ri.verb) {
    case 'get': return handleGet(s);
    case 'list': return handleList(s);
    case 'watch': return handleWatch(s);
    case 'create': return handleCreate(s);
    case 'update': return handleUpdate(s);
    case 'patch': return handlePatch(s);
    case 'delete': return handleDelete(s);
    case 'deletecollection': return handleDeleteCollection(s);
    default: throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

function writeContext(s: RequestScope, applied = false): WriteContext {
  const dry = s.query.getAll('dryRun');
  if (dry.some((d) => d !== 'All')) throw badRequest(`dryRun: Unsupported value: "${dry.find((d) => d !== 'All')}": supported values: "All"`);
  const ctx: WriteContext = {
    user: s.user,
    manager: fieldManager(s),
    apiVersion: apiVersionOf(s.info),
    dryRun: dry.length > 0,
    now: new Date(),
    warn: (message) => {
      if (!s.res.headersSent) for (const v of warningHeaderValues([message])) s.res.appendHeader('Warning', v);
    },
  };
  if (applied) ctx.applied = true;
  return ctx;
}

/** fieldManager, or the user agent's program name as upstream derives it. */
function fieldManager(s: RequestScope): string {
  const m = s.query.get('fieldManager');
  if (m !== null) {
    if (m.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
    return m;
  }
  const ua = s.req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0]?.slice(0, 128) || 'unknown';
}

function respondObject(s: RequestScope, code: number, obj: KubeObject): void {
  const fmt = negotiate(s.req.headers.accept);
  const out = served(s.info, obj);
  if (fmt.kind === 'table') {
    writeJson(s.res, code, { ...toTable(s.info, [out], { now: Date.now(), includeObject: includeObject(s) }), apiVersion: fmt.apiVersion });
  } else if (fmt.kind === 'partial') {
    writeJson(s.res, code, partialMetadata(out, fmt.apiVersion));
  } else {
    writeJson(s.res, code, out);
  }
}

function includeObject(s: RequestScope): 'None' | 'Metadata' | 'Object' {
  const v = s.query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

async function handleGet(s: RequestScope): Promise<void> {
  // resourceVersion N: not older than N (400 if not a version; 504 if the cache does not reach it).
  const rv = parseResourceVersion(s.query.get('resourceVersion'));
  if (rv) await s.server.cache.waitFor(rv);
  const o = await s.registry.get(s.ri.namespace, s.ri.name);
  const fmt = negotiate(s.req.headers.accept);
  if (fmt.kind === 'json') writeRaw(s.res, 200, `${servedJson(s.info, o)}\n`, 'application/json');
  else respondObject(s, 200, o.obj);
}

/** A continue token for this list, confined to its key prefix (cache/continue-token.ts, upstream's format). */
function decodeContinue(s: RequestScope, token: string): ContinuePosition {
  return decodeContinueToken(token, s.registry.prefix(s.ri.namespace));
}

function encodeContinue(s: RequestScope, lastKey: string, rv: number): string {
  return encodeContinueToken(lastKey, s.registry.prefix(s.ri.namespace), rv);
}

async function handleList(s: RequestScope): Promise<void> {
  const filter = buildFilter(s.info, s.query);
  const fmt = negotiate(s.req.headers.accept);
  const params = listParams(s.query);
  const { limit, continue: cont } = params;
  const rvMatch = params.match;

  let items: Array<{ obj: KubeObject; json: () => string }> = [];
  let revision: number;
  let next: string | undefined;
  let remaining: number | undefined;
  const wrap = (o: CachedObject) => ({ obj: o.obj, json: () => servedJson(s.info, o) });

  if (limit > 0 || cont || rvMatch === 'Exact') {
    // Pages come from the store at one revision, so every page of a list is one consistent snapshot.
    const pos = cont ? decodeContinue(s, cont) : undefined;
    let rev = pos ? pos.rv : rvMatch === 'Exact' ? params.rv ?? 0 : 0;
    // The store cannot list at a version it has not reached: wait for the cache's progress, then
    // answer 504 ResourceVersionTooLarge (TooLargeResourceVersionError), as upstream's cacher does.
    if (rev > 0) await s.server.cache.waitFor(rev);
    let start = pos?.startAfter ?? '';
    const want = limit || Number.MAX_SAFE_INTEGER;
    let more = true;
    revision = rev;
    while (items.length < want && more) {
      const page = await s.registry.listPage(s.ri.namespace, { ...(rev ? { revision: rev } : {}), limit: Math.min(want - items.length, 1000), ...(start ? { startAfter: start } : {}) });
      rev = page.revision;
      revision = page.revision;
      more = page.more;
      for (const o of page.items) {
        start = o.key;
        if (!filter || filter(o.obj)) items.push(wrap(o));
      }
      if (!filter && page.remaining !== undefined) remaining = page.remaining;
      if (page.items.length === 0) break;
    }
    if (more && limit > 0) next = encodeContinue(s, start, revision);
    else remaining = undefined;
  } else {
    const consistent = params.resourceVersion === '';
    const listed = await s.registry.listCached(s.ri.namespace, consistent, params.rv ? params.rv : undefined);
    revision = listed.revision;
    for (const o of listed.items) if (!filter || filter(o.obj)) items.push(wrap(o));
  }
  const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(revision) };
  if (next) meta.continue = next;
  if (next && remaining !== undefined) meta.remainingItemCount = remaining;

  if (fmt.kind === 'table') {
    writeJson(s.res, 200, { ...toTable(s.info, items.map((i) => served(s.info, i.obj)), { now: Date.now(), includeObject: includeObject(s), listMeta: meta }), apiVersion: fmt.apiVersion });
  } else if (fmt.kind === 'partial') {
    writeJson(s.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: fmt.apiVersion, metadata: meta, items: items.map((i) => partialMetadata(i.obj, fmt.apiVersion)) });
  } else {
    writeRaw(s.res, 200, `${listJson(s.info, items.map((i) => i.json()), meta)}\n`, 'application/json');
  }
  items = [];
}

/** Decode a body as this endpoint's kind; check apiVersion/kind and unknown fields. */
async function decodeFor(s: RequestScope): Promise<KubeObject> {
  const body = await readBody(s.req);
  const obj = decodeObject(body, s.req.headers['content-type']) as KubeObject;
  decodeTyped(s, definitionNameFor(s.info.group, s.info.version, s.info.kind), obj, s.info.kind, s.info.version);
  checkTypeMeta(s, obj, false);
  // Stored objects always carry their type, so responses and watch lines can reuse the stored JSON.
  obj.apiVersion ??= apiVersionOf(s.info);
  obj.kind ??= s.info.kind;
  obj.metadata ??= {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
  checkUnknownFields(s, obj, body);
  return obj;
}

/**
 * Typed decoding (api/schema/typecheck.ts): a body with a field of the wrong type is refused with
 * 400 before anything converts, defaults, validates or stores it; nulls become what Go decodes.
 */
function decodeTyped(s: RequestScope, def: string | undefined, body: Obj, kind: string, version: string): void {
  // Custom resources have no Go types: their schema validation answers 422 instead.
  if (!def || s.server.typedDecoding === false || (s.info.custom && kind === s.info.kind)) return;
  const errs = normalizeTypes(def, body);
  if (errs.length > 0) throw decodeTypeError(kind, version, errs);
}

/** The result of a patch must decode as the kind (422 on field `patch`, as upstream's patch.go). */
function patchedTyped(s: RequestScope, def: string, patched: KubeObject, kind = s.info.kind, group = s.info.group): KubeObject {
  if (!def || s.server.typedDecoding === false) return patched;
  const errs = s.info.custom && kind === s.info.kind ? [] : normalizeTypes(def, patched);
  if (errs.length > 0) throw patchTypeError(kind, group, s.ri.name, errs);
  // A null or removed metadata decodes to an empty ObjectMeta, whose empty name then fails checkName.
  patched.metadata ??= {};
  const name = patched.metadata.name ?? '';
  if (name !== s.ri.name) throw badRequest(`the name of the object (${truncateEcho(name)}) does not match the name on the URL (${s.ri.name})`);
  return patched;
}

/**
 * An apply configuration must convert to a typed value before it is merged; upstream answers a
 * failure with 400 (managedfields/internal/structuredmerge.go). Nulls stay: in apply they remove
 * the field.
 */
function appliedTyped(s: RequestScope, def: string, applied: Obj, kind: string): void {
  if (!def || s.server.typedDecoding === false || (s.info.custom && kind === s.info.kind)) return;
  const errs = checkTypes(def, applied);
  if (errs.length > 0) throw badRequest(`failed to create typed patch object (${kind} ${s.ri.namespace ? `${s.ri.namespace}/` : ''}${s.ri.name}): ${describeTypeErrors(errs)}`);
}

/** A client's value in a message: strings as they are, anything else as JSON, either capped. */
function echo(v: unknown): string {
  return truncateEcho(typeof v === 'string' ? v : String(JSON.stringify(v)));
}

function checkTypeMeta(s: RequestScope, obj: Obj, required: boolean): void {
  const want = apiVersionOf(s.info);
  const { kind, apiVersion } = obj;
  if (required && !apiVersion) throw badRequest('apiVersion must be set');
  if (required && !kind) throw badRequest('kind must be set');
  if (kind !== undefined && kind !== s.info.kind && !(s.ri.subresource === 'scale' && kind === 'Scale')) {
    throw badRequest(`the kind in the body (${echo(kind)}) does not match the kind of the resource (${s.info.kind})`);
  }
  if (apiVersion !== undefined && apiVersion !== want && !(s.ri.subresource === 'scale' && apiVersion === 'autoscaling/v1')) {
    throw badRequest(`the API version in the data (${echo(apiVersion)}) does not match the expected API version (${want})`);
  }
}

/**
 * fieldValidation: Strict refuses unknown and duplicate fields (400); Warn drops unknown fields with
 * a Warning header per field; Ignore drops them silently — as decoding into typed objects does.
 */
function checkUnknownFields(s: RequestScope, obj: Obj, body?: Buffer): void {
  const mode = s.query.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) throw badRequest(`fieldValidation: Unsupported value: "${mode}": supported values: "Ignore", "Strict", "Warn"`);
  const def = definitionNameFor(s.info.group, s.info.version, s.info.kind);
  if (!def) return;
  const unknown = pruneUnknownFields(def, obj);
  if (mode === 'Ignore') return;
  let dups: string[] = [];
  if (mode === 'Strict' && body && mediaType(s.req.headers['content-type']) !== 'application/vnd.kubernetes.protobuf') {
    // The scanner reads JSON: YAML text only when it is JSON (decodeYaml refuses YAML's own duplicates).
    const text = body.toString('utf8');
    if (/^\s*\{/.test(text)) dups = duplicateFields(text);
  }
  // Field paths quote client keys: each is cut short, and a strict error lists at most 100.
  const msgs = [...dups.map((f) => `duplicate field "${truncateEcho(f)}"`), ...unknown.map((f) => `unknown field "${truncateEcho(f)}"`)];
  if (msgs.length === 0) return;
  if (mode === 'Strict') {
    const more = msgs.length > 100 ? `, and ${msgs.length - 100} more` : '';
    throw badRequest(`strict decoding error: ${msgs.slice(0, 100).join(', ')}${more}`);
  }
  for (const v of warningHeaderValues(msgs)) s.res.appendHeader('Warning', v);
}

async function handleCreate(s: RequestScope): Promise<void> {
  if (s.ri.name && !s.ri.subresource) throw methodNotAllowed('POST is not allowed on a named object: use PUT to update it');
  if (s.info.custom?.terminating) throw methodNotAllowed('create not allowed while custom resource definition is terminating');
  const obj = await decodeFor(s);
  if (s.info.namespaced) {
    const ns = obj.metadata.namespace;
    if (ns && ns !== s.ri.namespace) throw badRequest(`the namespace of the provided object does not match the namespace sent on the request`);
  }
  const created = await s.registry.create(s.ri.namespace, toStorage(s.info, obj), writeContext(s));
  respondObject(s, 201, created);
}

async function handleUpdate(s: RequestScope): Promise<void> {
  const obj = await decodeFor(s);
  // As upstream's update.go (EnsureObjectNamespaceMatchesRequestNamespace): said without echoing
  // the body's namespace, which may be anything up to the body limit.
  const ns = obj.metadata.namespace;
  if (s.info.namespaced && ns && ns !== s.ri.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const sub = s.ri.subresource;
  const ctx = writeContext(s);
  const { obj: updated, created } = await s.registry.update(s.ri.namespace, s.ri.name, () => {
    const o = toStorage(s.info, structuredClone(obj));
    o.metadata.name ??= s.ri.name;
    return o;
  }, ctx, { subresource: sub });
  respondObject(s, created ? 201 : 200, updated);
}

async function handlePatch(s: RequestScope): Promise<void> {
  const type = mediaType(s.req.headers['content-type']);
  // Custom resources have no patch strategies: no strategic merge patch (upstream's crdHandler).
  const accepted = s.info.custom ? [...PATCH_TYPES].filter((t) => t !== 'application/strategic-merge-patch+json') : [...PATCH_TYPES];
  if (!accepted.includes(type)) {
    throw new StatusError(newStatus(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`));
  }
  const body = await readBody(s.req);
  const def = definitionNameFor(s.info.group, s.info.version, s.info.kind) ?? '';
  const sub = s.ri.subresource;
  if (type === 'application/apply-patch+yaml') {
    const force = boolParam(s.query, 'force') === true;
    if (!s.query.get('fieldManager')) throw badRequest('PATCH requests with apply content type require fieldManager to be set');
    const applied = decodeObject(body, type) as KubeObject;
    appliedTyped(s, def, applied, s.info.kind);
    checkTypeMeta(s, applied, true);
    applied.metadata ??= {};
    if (applied.metadata.name !== undefined && applied.metadata.name !== s.ri.name) {
      throw badRequest(`the name of the object (${echo(applied.metadata.name)}) does not match the name on the URL (${s.ri.name})`);
    }
    checkUnknownFields(s, applied, body);
    const ctx = writeContext(s, true);
    const { obj, created } = await s.registry.update(s.ri.namespace, s.ri.name, (cur) => {
      const live = cur ? served(s.info, cur) : undefined;
      const result = applyServerSide({
        live, patch: applied, manager: ctx.manager, force, defName: def, apiVersion: ctx.apiVersion, now: rfc3339(ctx.now),
        ...(sub ? { subresource: sub } : {}),
      });
      result.metadata.name ??= s.ri.name;
      if (live && result.metadata.resourceVersion === live.metadata.resourceVersion && applied.metadata.resourceVersion === undefined) delete result.metadata.resourceVersion;
      return toStorage(s.info, patchedTyped(s, def, result));
    }, ctx, { subresource: sub, allowCreate: sub === '' });
    respondObject(s, created ? 201 : 200, obj);
    return;
  }
  const ctx = writeContext(s);
  const { obj } = await s.registry.update(s.ri.namespace, s.ri.name, (cur) => {
    if (!cur) throw notFound(s.registry.gr, s.ri.name);
    const doc = served(s.info, cur);
    const rv = doc.metadata.resourceVersion;
    const patched = patchedTyped(s, def, applyPatch(type, doc, body, def));
    checkUnknownFields(s, patched);
    if (patched.metadata?.resourceVersion === rv) delete patched.metadata.resourceVersion;
    return toStorage(s.info, patched);
  }, ctx, { subresource: sub });
  respondObject(s, 200, obj);
}

async function deleteOptions(s: RequestScope): Promise<DeleteOptions> {
  const body = await readBody(s.req);
  let opts: DeleteOptions = {};
  if (body.length > 0) {
    opts = decodeObject(body, s.req.headers['content-type'] ?? 'application/json');
    decodeTyped(s, DELETE_OPTIONS, opts, 'DeleteOptions', 'v1');
  }
  const grace = s.query.get('gracePeriodSeconds');
  if (grace !== null) {
    if (!/^-?\d+$/.test(grace)) throw badRequest(`gracePeriodSeconds: Invalid value: "${grace}": must be an integer`);
    opts.gracePeriodSeconds = Number(grace);
  }
  const policy = s.query.get('propagationPolicy');
  if (policy !== null) opts.propagationPolicy = policy as NonNullable<DeleteOptions['propagationPolicy']>;
  const orphan = boolParam(s.query, 'orphanDependents');
  if (orphan !== undefined) opts.orphanDependents = orphan;
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (opts.propagationPolicy && opts.orphanDependents !== undefined) throw badRequest('orphanDependents and propagationPolicy cannot both be set');
  return opts;
}

async function handleDelete(s: RequestScope): Promise<void> {
  const opts = await deleteOptions(s);
  const ctx = writeContext(s);
  if (opts.dryRun?.length) ctx.dryRun = true;
  const { obj, deleted } = await s.registry.delete(s.ri.namespace, s.ri.name, opts, ctx);
  if (deleted && s.info.resource !== 'namespaces') {
    writeJson(s.res, 200, inGoOrder({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: { name: s.ri.name, group: s.info.group, kind: s.info.resource, ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}) },
    }));
    return;
  }
  respondObject(s, deleted ? 200 : 200, obj);
}

async function handleDeleteCollection(s: RequestScope): Promise<void> {
  const filter = buildFilter(s.info, s.query);
  const opts = await deleteOptions(s);
  const ctx = writeContext(s);
  const listed = await s.registry.listCached(s.ri.namespace, true);
  const deleted: KubeObject[] = [];
  for (const o of listed.items) {
    if (filter && !filter(o.obj)) continue;
    const ns = o.obj.metadata.namespace ?? '';
    const name = o.obj.metadata.name ?? '';
    try {
      deleted.push((await s.registry.delete(ns, name, opts, ctx)).obj);
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
    }
  }
  writeRaw(s.res, 200, `${listJson(s.info, deleted.map((d) => JSON.stringify(served(s.info, d))), { resourceVersion: '' })}\n`, 'application/json');
}

// ---- scale ----

function selectorString(sel: Obj | undefined): string {
  if (!sel) return '';
  // A ReplicationController's selector is a plain label map, not a LabelSelector.
  if (sel.matchLabels === undefined && sel.matchExpressions === undefined) {
    return Object.entries(sel).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}=${String(v)}`).join(',');
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>)) parts.push(`${k}=${v}`);
  for (const e of (sel.matchExpressions ?? []) as Obj[]) {
    const vals = ((e.values ?? []) as string[]).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(String(e.key));
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function builtinToScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Obj;
  const status = (obj.status ?? {}) as Obj;
  const m = obj.metadata;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name!, namespace: m.namespace!, uid: m.uid!, resourceVersion: m.resourceVersion!, creationTimestamp: m.creationTimestamp! },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector) },
  };
}

const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

async function handleScale(s: RequestScope): Promise<void> {
  const paths = s.info.custom?.scale;
  const toScale = paths ? (o: KubeObject) => customToScale(paths, o) : builtinToScale;
  if (s.ri.verb === 'get') {
    const o = await s.registry.get(s.ri.namespace, s.ri.name);
    writeJson(s.res, 200, toScale(o.obj));
    return;
  }
  if (s.ri.verb !== 'update' && s.ri.verb !== 'patch') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const body = await readBody(s.req);
  const type = mediaType(s.req.headers['content-type']);
  const ctx = writeContext(s);
  const { obj } = await s.registry.update(s.ri.namespace, s.ri.name, (cur) => {
    if (!cur) throw notFound(s.registry.gr, s.ri.name);
    const scale = toScale(cur);
    const rv = scale.metadata.resourceVersion;
    let want: KubeObject;
    if (s.ri.verb === 'update') {
      want = decodeObject(body, s.req.headers['content-type']) as KubeObject;
      decodeTyped(s, SCALE, want, 'Scale', 'v1');
    } else if (type === 'application/apply-patch+yaml') {
      const applied = decodeObject(body, type) as Obj;
      appliedTyped(s, SCALE, applied, 'Scale');
      want = { ...scale, spec: { ...(scale.spec as Obj), ...(applied.spec as Obj | undefined) } };
    } else {
      want = patchedTyped(s, SCALE, applyPatch(type, scale, body, SCALE), 'Scale', 'autoscaling');
    }
    const replicas = (want.spec as Obj | undefined)?.replicas;
    if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
      throw new StatusError(newStatus(422, 'Invalid', `Scale.autoscaling "${s.ri.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        { name: s.ri.name, group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: must be greater than or equal to 0', field: 'spec.replicas' }] }));
    }
    const next = structuredClone(cur);
    if (paths) setPath(next, paths.specReplicasPath, replicas ?? 0);
    else (next.spec as Obj).replicas = replicas ?? 0;
    const pinned = want.metadata?.resourceVersion;
    if (pinned && pinned !== rv) next.metadata.resourceVersion = pinned;
    else delete next.metadata.resourceVersion;
    return next;
  }, ctx, { subresource: 'scale' });
  writeJson(s.res, 200, toScale(obj));
}

// ---- pods/binding, bindings, pods/eviction ----

async function handleBinding(s: RequestScope, podName: string, decoded?: Obj): Promise<void> {
  const body = decoded ?? decodeObject(await readBody(s.req), s.req.headers['content-type']);
  decodeTyped(s, 'io.k8s.api.core.v1.Binding', body, 'Binding', 'v1');
  const target = body.target as Obj | undefined;
  if (!target?.name) throw badRequest('Binding.target.name is required');
  const pods = s.server.registries.get('/pods')!;
  const ctx = writeContext(s);
  await pods.update(s.ri.namespace, podName, (cur) => {
    if (!cur) throw notFound({ group: '', resource: 'pods' }, podName);
    const spec = cur.spec as Obj;
    if (spec.nodeName) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is already assigned to node "${spec.nodeName}"`);
    if (cur.metadata.deletionTimestamp) throw conflict({ group: '', resource: 'pods/binding' }, podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
    const next = structuredClone(cur);
    (next.spec as Obj).nodeName = target.name;
    const status = (next.status ?? {}) as Obj;
    const conds = ((status.conditions ?? []) as Obj[]).filter((c) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(ctx.now) });
    next.status = { ...status, conditions: conds };
    delete next.metadata.resourceVersion;
    return next;
  }, ctx, { subresource: 'binding' });
  writeJson(s.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

async function handleEviction(s: RequestScope): Promise<void> {
  if (s.ri.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const body = decodeObject(await readBody(s.req), s.req.headers['content-type']);
  decodeTyped(s, 'io.k8s.api.policy.v1.Eviction', body, 'Eviction', 'v1');
  // pkg/registry/core/pod/storage/eviction.go: the body names the pod it evicts.
  if ((body.metadata as Obj | undefined)?.name !== s.ri.name) throw badRequest('name in URL does not match name in Eviction object');
  const opts = (body.deleteOptions ?? {}) as DeleteOptions;
  const pdbs = s.server.registries.get('policy/poddisruptionbudgets')!;
  await evictPod({ pods: s.registry, pdbs, namespace: s.ri.namespace, name: s.ri.name, deleteOptions: opts, ctx: writeContext(s) });
  writeJson(s.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

// ---- serviceaccounts/token ----

async function handleTokenRequest(s: RequestScope): Promise<void> {
  if (s.ri.verb !== 'create') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const signer = s.server.serviceAccountTokens;
  if (!signer) throw new StatusError(newStatus(501, 'Unknown', 'this server has no service account signing key: TokenRequest is not served'));
  const body = decodeObject(await readBody(s.req), s.req.headers['content-type']);
  decodeTyped(s, 'io.k8s.api.authentication.v1.TokenRequest', body, 'TokenRequest', 'v1');
  const out = await createToken({
    namespace: s.ri.namespace, name: s.ri.name, body, signer, now: new Date(),
    get: async (resource, ns, name) => (await s.server.registries.get(`/${resource}`)!.get(ns, name)).obj,
  });
  writeJson(s.res, 201, out);
}
