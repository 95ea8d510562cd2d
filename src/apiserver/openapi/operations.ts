// The REST operations of each resource, described once and rendered into both OpenAPI dialects:
// which paths exist, which verbs they take, their parameters and the kinds they exchange (the
// shape kube-apiserver's endpoint installer registers, k8s.io/apiserver/pkg/endpoints/installer.go).
import type { GVK } from '../../api/schema/dsl.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import { resourceVerbs, servedSubresources } from '../verbs.ts';

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';
export type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

export interface ParamSpec {
  name: string;
  in: 'path' | 'query';
  description: string;
  type: 'string' | 'integer' | 'boolean';
  required?: boolean;
}

/** A schema in an operation: a kind (looked up by GVK), a named definition, or a plain string. */
export type BodySpec = { gvk: GVK } | { definition: string } | { string: true };

export interface ResponseSpec {
  code: string;
  description: string;
  body?: BodySpec;
}

export interface OperationSpec {
  method: Method;
  action: Action;
  operationId: string;
  description: string;
  tag: string;
  gvk: GVK;
  params: ParamSpec[];
  requestBody?: { body: BodySpec; contentTypes: string[] };
  responses: ResponseSpec[];
  produces: string[];
}

export interface PathSpec {
  path: string;
  /** Parameters shared by every operation of the path (path segments and `pretty`). */
  params: ParamSpec[];
  operations: OperationSpec[];
}

export const PATCH_CONTENT_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const LIST_TYPES = [...OBJECT_TYPES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];

export const STATUS_DEF = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
export const DELETE_OPTIONS_DEF = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
export const PATCH_DEF = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

const q = (name: string, type: ParamSpec['type'], description: string): ParamSpec => ({ name, in: 'query', type, description });

const P = {
  pretty: q('pretty', 'string', "If 'true', the output is indented."),
  dryRun: q('dryRun', 'string', "When 'All', the request is validated and admitted but nothing is persisted."),
  fieldManager: q('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields.'),
  fieldValidation: q('fieldValidation', 'string', "How to treat unknown or duplicate fields in the request body: 'Ignore', 'Warn' or 'Strict'."),
  force: q('force', 'boolean', 'Apply requests only: take ownership of fields that conflict with other managers.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events in a watch.'),
  continue: q('continue', 'string', 'The continue token of the previous page of a paginated list.'),
  fieldSelector: q('fieldSelector', 'string', 'Restrict the objects returned by their fields.'),
  labelSelector: q('labelSelector', 'string', 'Restrict the objects returned by their labels.'),
  limit: q('limit', 'integer', 'The largest number of objects to return in one page.'),
  resourceVersion: q('resourceVersion', 'string', 'Which version of the collection to read, or where a watch starts.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', "How resourceVersion is applied: 'Exact' or 'NotOlderThan'."),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'Begin a watch with events for the objects that exist.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'How long a list or watch call may last.'),
  watch: q('watch', 'boolean', 'Stream changes instead of returning a list.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; zero means at once.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  propagationPolicy: q('propagationPolicy', 'string', "What happens to dependents: 'Orphan', 'Background' or 'Foreground'."),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [...WRITE_PARAMS, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETE_COLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];

const UNAUTHORIZED: ResponseSpec = { code: '401', description: 'Unauthorized' };

/** `networking.k8s.io` → `Networking`, `` → `Core`: the group part of upstream operation ids. */
export function groupTitle(group: string): string {
  if (group === '') return 'Core';
  return group.replace(/\.k8s\.io$/, '').split('.').map(capitalize).join('');
}

/** `networking.k8s.io`, `v1` → `networking_v1`: upstream's operation tag. */
export function groupVersionTag(group: string, version: string): string {
  const title = groupTitle(group);
  return `${title.charAt(0).toLowerCase()}${title.slice(1)}_${version}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The URL prefix of a group-version: `/api/v1` or `/apis/apps/v1`. */
export function groupVersionPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

interface Verbs { get: boolean; list: boolean; create: boolean; update: boolean; patch: boolean; delete: boolean; deletecollection: boolean }

/** The verbs the router serves (src/apiserver/verbs.ts is the one table). */
function verbsOf(r: ResourceInfo): Verbs {
  const v = resourceVerbs(r);
  return { get: v.includes('get'), list: v.includes('list'), create: v.includes('create'), update: v.includes('update'), patch: v.includes('patch'), delete: v.includes('delete'), deletecollection: v.includes('deletecollection') };
}

/** Every path of one resource with its operations, in a stable order. */
export function resourcePaths(r: ResourceInfo): PathSpec[] {
  const gvk: GVK = { group: r.group, version: r.version, kind: r.kind };
  const listGvk: GVK = { group: r.group, version: r.version, kind: r.listKind };
  const gv = `${capitalize(groupTitle(r.group))}${capitalize(r.version)}`;
  const scope = r.namespaced ? 'Namespaced' : '';
  const tag = groupVersionTag(r.group, r.version);
  const base = groupVersionPrefix(r.group, r.version);
  const nsPrefix = r.namespaced ? `${base}/namespaces/{namespace}` : base;
  const nsParam: ParamSpec = { name: 'namespace', in: 'path', type: 'string', required: true, description: 'The namespace of the objects.' };
  const nameParam: ParamSpec = { name: 'name', in: 'path', type: 'string', required: true, description: `The name of the ${r.kind}.` };
  const collectionParams = [...(r.namespaced ? [nsParam] : []), P.pretty];
  const itemParams = [nameParam, ...(r.namespaced ? [nsParam] : []), P.pretty];
  const verbs = verbsOf(r);
  const op = (o: Omit<OperationSpec, 'tag' | 'produces'> & { produces?: string[] }): OperationSpec => ({ tag, produces: OBJECT_TYPES, ...o });
  const obj: BodySpec = { gvk };
  const status: BodySpec = { definition: STATUS_DEF };
  const paths: PathSpec[] = [];

  const collection: OperationSpec[] = [];
  if (verbs.list) {
    collection.push(op({
      method: 'get', action: 'list', operationId: `list${gv}${scope}${r.kind}`, gvk, params: LIST_PARAMS, produces: LIST_TYPES,
      description: `list or watch objects of kind ${r.kind}`, responses: [{ code: '200', description: 'OK', body: { gvk: listGvk } }, UNAUTHORIZED],
    }));
  }
  if (verbs.create) {
    collection.push(op({
      method: 'post', action: 'post', operationId: `create${gv}${scope}${r.kind}`, gvk, params: WRITE_PARAMS,
      description: `create a ${r.kind}`, requestBody: { body: obj, contentTypes: ['*/*'] },
      responses: [{ code: '200', description: 'OK', body: obj }, { code: '201', description: 'Created', body: obj }, { code: '202', description: 'Accepted', body: obj }, UNAUTHORIZED],
    }));
  }
  if (verbs.deletecollection) {
    collection.push(op({
      method: 'delete', action: 'deletecollection', operationId: `delete${gv}Collection${scope}${r.kind}`, gvk, params: DELETE_COLLECTION_PARAMS,
      description: `delete collection of ${r.kind}`, requestBody: { body: { definition: DELETE_OPTIONS_DEF }, contentTypes: ['*/*'] },
      responses: [{ code: '200', description: 'OK', body: status }, UNAUTHORIZED],
    }));
  }
  if (collection.length) paths.push({ path: `${nsPrefix}/${r.resource}`, params: collectionParams, operations: collection });

  const item: OperationSpec[] = [];
  if (verbs.get) {
    item.push(op({ method: 'get', action: 'get', operationId: `read${gv}${scope}${r.kind}`, gvk, params: [], description: `read the specified ${r.kind}`, responses: [{ code: '200', description: 'OK', body: obj }, UNAUTHORIZED] }));
  }
  if (verbs.update) item.push(replaceOp(op, gv, scope, r.kind, '', gvk, obj));
  if (verbs.delete) {
    item.push(op({
      method: 'delete', action: 'delete', operationId: `delete${gv}${scope}${r.kind}`, gvk, params: DELETE_PARAMS,
      description: `delete a ${r.kind}`, requestBody: { body: { definition: DELETE_OPTIONS_DEF }, contentTypes: ['*/*'] },
      responses: [{ code: '200', description: 'OK', body: status }, { code: '202', description: 'Accepted', body: status }, UNAUTHORIZED],
    }));
  }
  if (verbs.patch) item.push(patchOp(op, gv, scope, r.kind, '', gvk, obj, patchTypes(r)));
  if (item.length) paths.push({ path: `${nsPrefix}/${r.resource}/{name}`, params: itemParams, operations: item });

  if (r.namespaced && verbs.list) {
    paths.push({
      path: `${base}/${r.resource}`, params: [P.pretty], operations: [op({
        method: 'get', action: 'list', operationId: `list${gv}${r.kind}ForAllNamespaces`, gvk, params: LIST_PARAMS, produces: LIST_TYPES,
        description: `list or watch objects of kind ${r.kind} in all namespaces`, responses: [{ code: '200', description: 'OK', body: { gvk: listGvk } }, UNAUTHORIZED],
      })],
    });
  }

  for (const sub of servedSubresources(r)) {
    const subPath = `${nsPrefix}/${r.resource}/{name}/${sub}`;
    const suffix = capitalize(sub === 'ephemeralcontainers' ? 'EphemeralContainers' : sub);
    if (sub === 'status' || sub === 'scale' || sub === 'ephemeralcontainers' || sub === 'approval') {
      const subGvk: GVK = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
      const body: BodySpec = { gvk: subGvk };
      paths.push({
        path: subPath, params: itemParams, operations: [
          op({ method: 'get', action: 'get', operationId: `read${gv}${scope}${r.kind}${suffix}`, gvk: subGvk, params: [], description: `read ${sub} of the specified ${r.kind}`, responses: [{ code: '200', description: 'OK', body }, UNAUTHORIZED] }),
          replaceOp(op, gv, scope, r.kind, suffix, subGvk, body),
          patchOp(op, gv, scope, r.kind, suffix, subGvk, body, patchTypes(r)),
        ],
      });
    } else if (sub === 'finalize') {
      paths.push({ path: subPath, params: itemParams, operations: [replaceOp(op, gv, scope, r.kind, suffix, gvk, obj)] });
    } else if (sub === 'binding' || sub === 'eviction') {
      const subGvk: GVK = sub === 'binding' ? { group: '', version: 'v1', kind: 'Binding' } : { group: 'policy', version: 'v1', kind: 'Eviction' };
      paths.push({
        path: subPath, params: itemParams, operations: [op({
          method: 'post', action: 'post', operationId: `create${gv}${scope}${r.kind}${suffix}`, gvk: subGvk, params: WRITE_PARAMS,
          description: `create ${sub} of a ${r.kind}`, requestBody: { body: { gvk: subGvk }, contentTypes: ['*/*'] },
          responses: [{ code: '200', description: 'OK', body: { gvk: subGvk } }, { code: '201', description: 'Created', body: { gvk: subGvk } }, { code: '202', description: 'Accepted', body: { gvk: subGvk } }, UNAUTHORIZED],
        })],
      });
    } else if (sub === 'log') {
      paths.push({
        path: subPath, params: itemParams, operations: [op({
          method: 'get', action: 'get', operationId: `read${gv}${scope}${r.kind}Log`, gvk, produces: ['text/plain', 'application/json', 'application/yaml'],
          params: ['container', 'follow', 'limitBytes', 'previous', 'sinceSeconds', 'tailLines', 'timestamps'].map((n) => q(n, n === 'container' ? 'string' : n === 'follow' || n === 'previous' || n === 'timestamps' ? 'boolean' : 'integer', `Log option ${n}.`)),
          description: `read log of the specified ${r.kind}`, responses: [{ code: '200', description: 'OK', body: { string: true } }, UNAUTHORIZED],
        })],
      });
    }
    // exec, attach, portforward and proxy are connect streams; OpenAPI readers do not use them.
  }
  return paths;
}

function replaceOp(op: (o: Omit<OperationSpec, 'tag' | 'produces'>) => OperationSpec, gv: string, scope: string, kind: string, suffix: string, gvk: GVK, body: BodySpec): OperationSpec {
  return op({
    method: 'put', action: 'put', operationId: `replace${gv}${scope}${kind}${suffix}`, gvk, params: WRITE_PARAMS,
    description: `replace ${suffix ? `${suffix.toLowerCase()} of ` : ''}the specified ${kind}`, requestBody: { body, contentTypes: ['*/*'] },
    responses: [{ code: '200', description: 'OK', body }, { code: '201', description: 'Created', body }, UNAUTHORIZED],
  });
}

/** Custom resources take no strategic merge patch (they have no Go types to carry patch strategies). */
function patchTypes(r: ResourceInfo): string[] {
  return r.custom ? PATCH_CONTENT_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json') : PATCH_CONTENT_TYPES;
}

function patchOp(op: (o: Omit<OperationSpec, 'tag' | 'produces'>) => OperationSpec, gv: string, scope: string, kind: string, suffix: string, gvk: GVK, body: BodySpec, contentTypes = PATCH_CONTENT_TYPES): OperationSpec {
  return op({
    method: 'patch', action: 'patch', operationId: `patch${gv}${scope}${kind}${suffix}`, gvk, params: PATCH_PARAMS,
    description: `partially update ${suffix ? `${suffix.toLowerCase()} of ` : ''}the specified ${kind}`,
    requestBody: { body: { definition: PATCH_DEF }, contentTypes },
    responses: [{ code: '200', description: 'OK', body }, { code: '201', description: 'Created', body }, UNAUTHORIZED],
  });
}

/** All paths of the given resources, sorted by path. */
export function allPaths(resources: readonly ResourceInfo[]): PathSpec[] {
  return resources.flatMap(resourcePaths).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
