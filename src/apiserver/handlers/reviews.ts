// The create-only reviews: SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview
// and SelfSubjectRulesReview answered by the server's authorizer and rule resolver
// (pkg/registry/authorization/*/rest.go, pkg/apis/authorization/validation), and SelfSubjectReview
// answered with the caller's own user info (pkg/registry/authentication/selfsubjectreview).
// Nothing is stored; the answer is the request with its status filled in, 201 Created.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, invalid, methodNotAllowed, type FieldError } from '../../api/errors.ts';
import { apiVersionOf, type ResourceInfo } from '../../api/scheme.ts';
import type { UserInfo } from '../admission/types.ts';
import type { AuthorizationAttributes, Authorizer, PolicyRule, RuleResolver } from '../authorization/types.ts';
import { decodeObject, readBody, writeJson } from '../http-io.ts';
import type { RequestInfo } from '../request-info.ts';

type Obj = Record<string, any>;

/** What the server answers with when no authorizer is configured: everything is allowed (AlwaysAllow). */
export const ALWAYS_ALLOW: Authorizer & RuleResolver = {
  name: 'AlwaysAllow',
  authorize: () => ({ decision: 'allow', reason: '' }),
  rulesFor: () => Promise.resolve({
    rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }),
};

export interface ReviewScope {
  req: IncomingMessage;
  res: ServerResponse;
  ri: RequestInfo;
  info: ResourceInfo;
  user: UserInfo;
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export async function handleReview(s: ReviewScope): Promise<void> {
  if (s.ri.verb !== 'create' || s.ri.name) throw methodNotAllowed('the server does not allow this method on the requested resource');
  const body = decodeObject(await readBody(s.req), s.req.headers['content-type']) as Obj;
  const want = apiVersionOf(s.info);
  if (body.kind !== undefined && body.kind !== s.info.kind) throw badRequest(`the kind of the body (${String(body.kind).slice(0, 64)}) is not ${s.info.kind}`);
  if (body.apiVersion !== undefined && body.apiVersion !== want) throw badRequest(`the apiVersion of the body (${String(body.apiVersion).slice(0, 64)}) is not ${want}`);
  const metadata: Obj = isObj(body.metadata) ? body.metadata : {};
  const spec: Obj = isObj(body.spec) ? body.spec : {};
  let status: Obj;
  switch (s.info.resource) {
    case 'selfsubjectreviews':
      status = { userInfo: userInfoOf(s.user) };
      break;
    case 'selfsubjectrulesreviews':
      status = await rulesReview(s, spec);
      break;
    default:
      status = await accessReview(s, spec, metadata);
  }
  const out: Obj = { kind: s.info.kind, apiVersion: want, metadata: { ...metadata, creationTimestamp: null } };
  if (s.info.resource !== 'selfsubjectreviews' && s.info.resource !== 'selfsubjectrulesreviews') out.spec = spec;
  if (s.info.resource === 'selfsubjectrulesreviews') out.spec = {};
  out.status = status;
  writeJson(s.res, 201, out);
}

function userInfoOf(u: UserInfo): Obj {
  const out: Obj = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

/** ObjectMeta must be empty (bar managedFields and a null creationTimestamp, which clients send), except a LocalSubjectAccessReview's namespace. */
function metadataErrors(metadata: Obj, allowNamespace: boolean): FieldError[] {
  const rest = Object.entries(metadata).filter(([k, v]) => !(k === 'managedFields' || (k === 'creationTimestamp' && v === null) || (allowNamespace && k === 'namespace')));
  return rest.length ? [{ type: 'FieldValueInvalid', field: 'metadata', detail: 'must be empty', badValue: JSON.stringify(metadata) }] : [];
}

function specErrors(spec: Obj, subject: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (ra === undefined && nra === undefined) errs.push({ type: 'FieldValueRequired', field: 'spec.resourceAttributes', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' });
  if (ra !== undefined && nra !== undefined) errs.push({ type: 'FieldValueInvalid', field: 'spec.nonResourceAttributes', detail: 'cannot be specified in combination with resourceAttributes', badValue: JSON.stringify(nra) });
  if (subject && !spec.user && strs(spec.groups).length === 0) errs.push({ type: 'FieldValueInvalid', field: 'spec.user', detail: 'at least one of user or group must be specified', badValue: '' });
  return errs;
}

async function accessReview(s: ReviewScope, spec: Obj, metadata: Obj): Promise<Obj> {
  const r = s.info.resource;
  const subject = r === 'subjectaccessreviews' || r === 'localsubjectaccessreviews';
  const local = r === 'localsubjectaccessreviews';
  if (local) {
    if (!s.ri.namespace) throw badRequest(`namespace is required on this type: ${s.ri.namespace}`);
    metadata.namespace ??= s.ri.namespace;
    if (metadata.namespace !== s.ri.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const errs = [...specErrors(spec, subject), ...metadataErrors(metadata, local)];
  if (local) {
    const ra: unknown = spec.resourceAttributes;
    if (isObj(ra) && (ra.namespace ?? '') !== metadata.namespace) errs.push({ type: 'FieldValueInvalid', field: 'spec.resourceAttributes.namespace', detail: 'must match metadata.namespace', badValue: String(ra.namespace ?? '') });
    if (spec.nonResourceAttributes !== undefined) errs.push({ type: 'FieldValueInvalid', field: 'spec.nonResourceAttributes', detail: 'disallowed on this kind of request', badValue: JSON.stringify(spec.nonResourceAttributes) });
  }
  if (errs.length) throw invalid(s.info.kind, s.info.group, '', errs);
  const user: UserInfo = subject
    ? { name: String(spec.user ?? ''), groups: strs(spec.groups), ...(spec.uid ? { uid: String(spec.uid) } : {}), ...(isObj(spec.extra) ? { extra: spec.extra } : {}) }
    : s.user;
  const attrs = attributesFrom(user, spec);
  const out: Obj = { allowed: false };
  try {
    const { decision, reason } = await s.authorizer.authorize(attrs);
    out.allowed = decision === 'allow';
    if (decision === 'deny') out.denied = true;
    if (reason) out.reason = reason;
  } catch (err) {
    out.evaluationError = (err as Error).message;
  }
  return out;
}

/** spec.extra as JSON has lists; protobuf decoding gives ExtraValue messages ({items}). */
function extraOf(v: Obj): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, x] of Object.entries(v)) out[k] = isObj(x) ? strs(x.items) : strs(x);
  return out;
}

/** authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom. */
export function attributesFrom(user: UserInfo, spec: Obj): AuthorizationAttributes {
  const ra: Obj | undefined = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  if (ra) {
    return {
      user, verb: String(ra.verb ?? ''), isResourceRequest: true, path: '', namespace: String(ra.namespace ?? ''),
      apiGroup: String(ra.group ?? ''), apiVersion: String(ra.version ?? ''), resource: String(ra.resource ?? ''),
      subresource: String(ra.subresource ?? ''), name: String(ra.name ?? ''),
    };
  }
  const nra: Obj = isObj(spec.nonResourceAttributes) ? spec.nonResourceAttributes : {};
  return {
    user, verb: String(nra.verb ?? ''), isResourceRequest: false, path: String(nra.path ?? ''), namespace: '',
    apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '',
  };
}

async function rulesReview(s: ReviewScope, spec: Obj): Promise<Obj> {
  const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
  if (!namespace) throw badRequest('no namespace on request');
  const { rules, incomplete, error } = await s.ruleResolver.rulesFor(s.user, namespace);
  return { ...splitRules(rules), incomplete, ...(error ? { evaluationError: error } : {}) };
}

/** A PolicyRule with resources is a resource rule, one with nonResourceURLs a non-resource rule (rbac's RulesFor). */
export function splitRules(rules: readonly PolicyRule[]): { resourceRules: Obj[]; nonResourceRules: Obj[] } {
  const resourceRules: Obj[] = [];
  const nonResourceRules: Obj[] = [];
  for (const r of rules) {
    if (r.resources?.length) {
      const rr: Obj = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...r.resources] };
      if (r.resourceNames?.length) rr.resourceNames = [...r.resourceNames];
      resourceRules.push(rr);
    }
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
  }
  return { resourceRules, nonResourceRules };
}
