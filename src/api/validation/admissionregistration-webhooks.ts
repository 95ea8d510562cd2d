// Mutating/ValidatingWebhookConfiguration checks (pkg/apis/admissionregistration/validation/validation.go,
// with k8s.io/apiserver/pkg/util/webhook/validation.go for the client config).
import { tryCompile } from '../../cel/index.ts';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { child, duplicate, index, invalid, invalidEach, notSupported, pushAll, required, tooMany } from './field-errors.ts';
import { validateLabelSelector } from './label-selector.ts';
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from './names.ts';
import { asArr, asObj, asStr, isSet, type Obj } from './util.ts';

const ACCEPTED_REVIEW_VERSIONS = ['v1', 'v1beta1'];
const NO_SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const ALL_SIDE_EFFECTS = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const MAX_MATCH_CONDITIONS = 64;

/** What webhook matchConditions may read (upstream also offers `authorizer`, which skiff lacks). */
export const MATCH_CONDITION_VARIABLES = ['object', 'oldObject', 'request'] as const;

interface Options {
  requireNoSideEffects: boolean;
  requireRecognizedReviewVersion: boolean;
  requireUniqueNames: boolean;
  ignoreMatchConditions: boolean;
}

const STRICT: Options = { requireNoSideEffects: true, requireRecognizedReviewVersion: true, requireUniqueNames: true, ignoreMatchConditions: false };

const hasWildcard = (xs: unknown[]): boolean => xs.includes('*');

function isFullyQualifiedName(path: string, name: string): FieldError[] {
  if (!name) return [required(path)];
  const errs = isDNS1123Subdomain(name);
  if (errs.length) return [invalid(path, name, errs.join(','))];
  if (name.split('.').length < 3) return [invalid(path, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

function validateResources(resources: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(path));
  const withWildcardSub = new Set<string>();
  const subWithWildcardRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let plainResource = false;
  resources.forEach((r, i) => {
    const resSub = asStr(r);
    if (!resSub) { errs.push(required(index(path, i))); return; }
    if (resSub === '*/*') doubleWildcard = true;
    if (resSub === '*') singleWildcard = true;
    const slash = resSub.indexOf('/');
    if (slash < 0) { plainResource = resSub !== '*'; return; }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (withWildcardSub.has(res)) errs.push(invalid(index(path, i), resSub, `if '${res}/*' is present, must not specify ${resSub}`));
    if (subWithWildcardRes.has(sub)) errs.push(invalid(index(path, i), resSub, `if '*/${sub}' is present, must not specify ${resSub}`));
    if (sub === '*') withWildcardSub.add(res);
    if (res === '*') subWithWildcardRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(invalid(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && plainResource) errs.push(invalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

function validateRule(rule: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = asArr(rule.operations);
  if (ops.length === 0) errs.push(required(child(path, 'operations')));
  if (ops.length > 1 && hasWildcard(ops)) errs.push(invalid(child(path, 'operations'), ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => { if (!OPERATIONS.includes(asStr(op))) errs.push(notSupported(index(child(path, 'operations'), i), op, OPERATIONS)); });
  const groups = asArr(rule.apiGroups);
  if (groups.length === 0) errs.push(required(child(path, 'apiGroups')));
  if (groups.length > 1 && hasWildcard(groups)) errs.push(invalid(child(path, 'apiGroups'), groups, "if '*' is present, must not specify other API groups"));
  const versions = asArr(rule.apiVersions);
  if (versions.length === 0) errs.push(required(child(path, 'apiVersions')));
  if (versions.length > 1 && hasWildcard(versions)) errs.push(invalid(child(path, 'apiVersions'), versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => { if (v === '') errs.push(required(index(child(path, 'apiVersions'), i))); });
  pushAll(errs, validateResources(asArr(rule.resources), child(path, 'resources')));
  if (isSet(rule.scope) && !SCOPES.includes(asStr(rule.scope))) errs.push(notSupported(child(path, 'scope'), rule.scope, SCOPES));
  return errs;
}

function validateReviewVersions(versions: unknown[], requireRecognized: boolean, path: string): FieldError[] {
  if (versions.length === 0) return [required(path, `must specify one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let accepted = false;
  versions.forEach((raw, i) => {
    const v = asStr(raw);
    if (seen.has(v)) { errs.push(invalid(index(path, i), v, 'duplicate version')); return; }
    seen.add(v);
    pushAll(errs, invalidEach(index(path, i), v, isDNS1035Label(v)));
    if (ACCEPTED_REVIEW_VERSIONS.includes(v)) accepted = true;
  });
  if (requireRecognized && !accepted) errs.push(invalid(path, versions, `must include at least one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

const URL_FORM = '; desired format: https://host[/path]';

/** A webhook URL: https, with a host, no user info, query or fragment (webhook.ValidateWebhookURL). */
export function validateWebhookURL(path: string, raw: string): FieldError[] {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (err) {
    return [required(path, `url must be a valid URL: ${(err as Error).message}${URL_FORM}`)];
  }
  const errs: FieldError[] = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push(invalid(path, scheme, `'https' is the only allowed URL scheme${URL_FORM}`));
  if (!u.host) errs.push(invalid(path, u.host, `host must be specified${URL_FORM}`));
  if (u.username || u.password) errs.push(invalid(path, u.password ? `${u.username}:${u.password}` : u.username, 'user information is not permitted in the URL'));
  if (u.hash.length > 1) errs.push(invalid(path, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search.length > 1) errs.push(invalid(path, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

/** A webhook Service reference (webhook.ValidateWebhookService). */
export function validateWebhookService(path: string, svc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!asStr(svc.name)) errs.push(required(child(path, 'name'), 'service name is required'));
  if (!asStr(svc.namespace)) errs.push(required(child(path, 'namespace'), 'service namespace is required'));
  const port = svc.port === undefined ? 443 : Number(svc.port);
  const portErrs = isValidPortNum(port);
  if (portErrs.length) errs.push(invalid(child(path, 'port'), svc.port, `port is not valid: ${portErrs.join(', ')}`));
  if (!isSet(svc.path)) return errs;
  const p = asStr(svc.path);
  if (p === '/' || p.length === 0) return errs;
  const pp = child(path, 'path');
  if (p === '//') { errs.push(invalid(pp, p, 'segment[0] may not be empty')); return errs; }
  if (!p.startsWith('/')) errs.push(invalid(pp, p, "must start with a '/'"));
  let rest = p.slice(1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  rest.split('/').forEach((step, i) => {
    if (!step) { errs.push(invalid(pp, p, `segment[${i}] may not be empty`)); return; }
    for (const f of isDNS1123Subdomain(step)) errs.push(invalid(pp, p, `segment[${i}]: ${f}`));
  });
  return errs;
}

function validateMatchConditions(conds: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (conds.length > MAX_MATCH_CONDITIONS) errs.push(tooMany(path, conds.length, MAX_MATCH_CONDITIONS));
  const names = new Set<string>();
  conds.forEach((raw, i) => {
    const c = asObj(raw);
    const p = index(path, i);
    const name = asStr(c.name);
    if (!name) errs.push(required(child(p, 'name')));
    else {
      pushAll(errs, invalidEach(child(p, 'name'), name, isQualifiedName(name)));
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      names.add(name);
    }
    const expr = asStr(c.expression);
    if (!expr) errs.push(required(child(p, 'expression')));
    else {
      const compiled = tryCompile(expr, { variables: MATCH_CONDITION_VARIABLES, returnType: 'bool' });
      if (compiled.error) errs.push(invalid(child(p, 'expression'), expr, compiled.error.message));
    }
  });
  return errs;
}

function validateWebhook(hook: Obj, mutating: boolean, opts: Options, path: string): FieldError[] {
  const errs = isFullyQualifiedName(child(path, 'name'), asStr(hook.name));
  asArr(hook.rules).forEach((r, i) => pushAll(errs, validateRule(asObj(r), index(child(path, 'rules'), i))));
  if (isSet(hook.failurePolicy) && !['Fail', 'Ignore'].includes(asStr(hook.failurePolicy))) errs.push(notSupported(child(path, 'failurePolicy'), hook.failurePolicy, ['Fail', 'Ignore']));
  if (isSet(hook.matchPolicy) && !['Equivalent', 'Exact'].includes(asStr(hook.matchPolicy))) errs.push(notSupported(child(path, 'matchPolicy'), hook.matchPolicy, ['Equivalent', 'Exact']));
  const allowed = opts.requireNoSideEffects ? NO_SIDE_EFFECTS : ALL_SIDE_EFFECTS;
  if (!isSet(hook.sideEffects)) errs.push(required(child(path, 'sideEffects'), `must specify one of ${allowed.join(', ')}`));
  else if (!allowed.includes(asStr(hook.sideEffects))) errs.push(notSupported(child(path, 'sideEffects'), hook.sideEffects, allowed));
  if (isSet(hook.timeoutSeconds)) {
    const t = Number(hook.timeoutSeconds);
    if (!(t >= 1 && t <= 30)) errs.push(invalid(child(path, 'timeoutSeconds'), hook.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  pushAll(errs, validateLabelSelector(hook.namespaceSelector, child(path, 'namespaceSelector')));
  pushAll(errs, validateLabelSelector(hook.objectSelector, child(path, 'objectSelector')));
  if (mutating && isSet(hook.reinvocationPolicy) && !['IfNeeded', 'Never'].includes(asStr(hook.reinvocationPolicy))) {
    errs.push(notSupported(child(path, 'reinvocationPolicy'), hook.reinvocationPolicy, ['IfNeeded', 'Never']));
  }
  const cc = asObj(hook.clientConfig);
  if (isSet(cc.url) === isSet(cc.service)) errs.push(required(child(path, 'clientConfig'), 'exactly one of url or service is required'));
  else if (isSet(cc.url)) pushAll(errs, validateWebhookURL(child(path, 'clientConfig', 'url'), asStr(cc.url)));
  else pushAll(errs, validateWebhookService(child(path, 'clientConfig', 'service'), asObj(cc.service)));
  if (!opts.ignoreMatchConditions) pushAll(errs, validateMatchConditions(asArr(hook.matchConditions), child(path, 'matchConditions')));
  return errs;
}

function validateConfiguration(o: KubeObject, mutating: boolean, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArr((o as Obj).webhooks).forEach((raw, i) => {
    const hook = asObj(raw);
    const path = index('webhooks', i);
    pushAll(errs, validateWebhook(hook, mutating, opts, path));
    pushAll(errs, validateReviewVersions(asArr(hook.admissionReviewVersions), opts.requireRecognizedReviewVersion, child(path, 'admissionReviewVersions')));
    const name = asStr(hook.name);
    if (opts.requireUniqueNames && name) {
      if (names.has(name)) errs.push(duplicate(child(path, 'name'), name));
      names.add(name);
    }
  });
  return errs;
}

// Updates get the same checks: upstream relaxes them only for objects stored before the rules
// existed (v1beta1 ones), which skiff never had.
export const validateMutatingWebhookConfiguration = (o: KubeObject): FieldError[] => validateConfiguration(o, true, STRICT);
export const validateValidatingWebhookConfiguration = (o: KubeObject): FieldError[] => validateConfiguration(o, false, STRICT);
