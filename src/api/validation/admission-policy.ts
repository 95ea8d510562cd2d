// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding checks
// (pkg/apis/admissionregistration/validation/validation.go). Expressions are compiled here, so
// a policy whose CEL does not compile is refused at create with a 422 naming the field.
import { tryCompile, type CelReturnType } from '../../cel/index.ts';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { child, duplicate, forbidden, index, invalid, notSupported, pushAll, required, tooMany } from './field-errors.ts';
import { validateLabelSelector } from './label-selector.ts';
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName, isValidPathSegmentName } from './names.ts';
import { asArr, asObj, asStr, isObj, isSet, type Obj } from './util.ts';

/** The variables a policy's expressions may use. `params` only when the policy has a paramKind, as upstream. */
export function policyVariables(hasParams: boolean): string[] {
  return ['object', 'oldObject', 'request', 'namespaceObject', 'variables', 'authorizer', ...(hasParams ? ['params'] : [])];
}

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge', 'Unauthorized'];
const ACTIONS = ['Audit', 'Deny', 'Warn'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_AUDIT_VALUE_EXPRESSION = 5 * 1024;
const CEL_IDENT = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

function compileInto(errs: FieldError[], path: string, expression: string, variables: string[], returnType: CelReturnType, declared?: ReadonlySet<string>): void {
  const r = tryCompile(expression, { variables, returnType });
  if (r.error) {
    errs.push(invalid(path, expression, r.error.detail === `must evaluate to ${returnType}` ? r.error.detail : r.error.message));
    return;
  }
  const undefinedVariable = declared && firstUndeclaredVariable(expression, declared);
  if (undefinedVariable) errs.push(invalid(path, expression, `compilation failed: ${undefinedVariable}`));
}

// `variables` is typed from the policy's variables upstream, so a reference to one not declared
// (or declared later, for a variable) fails to compile; skiff types it dyn and checks the names.
function firstUndeclaredVariable(expression: string, declared: ReadonlySet<string>): string | undefined {
  // Blank out string literals so their text is not taken for references.
  const code = expression.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (m) => ' '.repeat(m.length));
  for (const m of code.matchAll(/(?<![\w.])variables\s*\.\s*([_a-zA-Z][_a-zA-Z0-9]*)/g)) {
    const name = m[1] ?? '';
    if (declared.has(name)) continue;
    const at = (m.index ?? 0) + m[0].lastIndexOf(name);
    const before = expression.slice(0, at);
    const line = before.split('\n').length;
    const lineStart = before.lastIndexOf('\n') + 1;
    const lineEnd = expression.indexOf('\n', at);
    const text = expression.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    return `ERROR: <input>:${line}:${at - lineStart + 1}: undefined field '${name}'\n | ${text}\n | ${'.'.repeat(at - lineStart)}^`;
  }
  return undefined;
}

export function validateValidatingAdmissionPolicy(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj((o as { spec?: unknown }).spec);
  const path = 'spec';
  if (!isSet(spec.failurePolicy)) errs.push(required(child(path, 'failurePolicy')));
  else if (!FAILURE_POLICIES.includes(asStr(spec.failurePolicy))) errs.push(notSupported(child(path, 'failurePolicy'), spec.failurePolicy, FAILURE_POLICIES));
  const hasParams = isObj(spec.paramKind);
  if (hasParams) pushAll(errs, validateParamKind(asObj(spec.paramKind), child(path, 'paramKind')));
  if (!isObj(spec.matchConstraints)) errs.push(required(child(path, 'matchConstraints')));
  else {
    pushAll(errs, validateMatchResources(spec.matchConstraints, child(path, 'matchConstraints')));
    if (asArr(spec.matchConstraints.resourceRules).length === 0) errs.push(required(child(path, 'matchConstraints', 'resourceRules')));
  }
  const vars = policyVariables(hasParams);
  // Upstream compiles matchConditions without variable composition: no `variables` there.
  pushAll(errs, validateMatchConditions(spec.matchConditions, child(path, 'matchConditions'), vars.filter((v) => v !== 'variables')));
  const declared = new Set<string>();
  asArr(spec.variables).forEach((v, i) => {
    const p = index(child(path, 'variables'), i);
    const name = asStr(asObj(v).name);
    const expr = asStr(asObj(v).expression);
    if (name.trim() === '') errs.push(required(child(p, 'name'), 'name is not specified'));
    else if (!CEL_IDENT.test(name) || CEL_RESERVED.has(name)) errs.push(invalid(child(p, 'name'), name, 'name is not a valid CEL identifier'));
    if (expr.trim() === '') errs.push(required(child(p, 'expression'), 'expression is not specified'));
    else compileInto(errs, child(p, 'expression'), expr, vars, 'any', new Set(declared));
    declared.add(name);
  });
  const validations = asArr(spec.validations);
  const audits = asArr(spec.auditAnnotations);
  if (validations.length === 0 && audits.length === 0) {
    errs.push(required(child(path, 'validations'), 'validations or auditAnnotations must contain at least one item'));
    errs.push(required(child(path, 'auditAnnotations'), 'validations or auditAnnotations must contain at least one item'));
    return errs;
  }
  validations.forEach((v, i) => pushAll(errs, validateValidation(asObj(v), index(child(path, 'validations'), i), vars, declared)));
  if (audits.length > MAX_AUDIT_ANNOTATIONS) errs.push(invalid(child(path, 'auditAnnotations'), audits, `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`));
  const keys = new Set<string>();
  audits.forEach((a, i) => {
    const p = index(child(path, 'auditAnnotations'), i);
    const key = asStr(asObj(a).key);
    const valueExpression = asStr(asObj(a).valueExpression);
    const policyName = o.metadata?.name ?? '';
    if (policyName) {
      for (const msg of isQualifiedName(`${policyName}/${key}`)) errs.push(invalid(child(p, 'key'), `${policyName}/${key}`, msg));
    } else errs.push(invalid(child(p, 'key'), key, 'requires metadata.name be non-empty'));
    const trimmed = valueExpression.trim();
    if (trimmed === '') errs.push(required(child(p, 'valueExpression'), 'valueExpression is not specified'));
    else if (trimmed.length > MAX_AUDIT_VALUE_EXPRESSION) errs.push(required(child(p, 'valueExpression'), `must not exceed ${MAX_AUDIT_VALUE_EXPRESSION} bytes in length`));
    else compileInto(errs, child(p, 'valueExpression'), valueExpression, vars, 'any', declared);
    if (keys.has(key)) errs.push(duplicate(child(p, 'key'), key));
    keys.add(key);
  });
  return errs;
}

function validateValidation(v: Obj, path: string, vars: string[], declared: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const expression = asStr(v.expression);
  const message = asStr(v.message);
  const messageExpression = asStr(v.messageExpression);
  if (expression.trim() === '') errs.push(required(child(path, 'expression'), 'expression is not specified'));
  else compileInto(errs, child(path, 'expression'), expression, vars, 'bool', declared);
  if (messageExpression.length > 0 && messageExpression.trim() === '') errs.push(invalid(child(path, 'messageExpression'), messageExpression, 'must be non-empty if specified'));
  // Upstream compiles messageExpression without the authorizer.
  else if (messageExpression.trim() !== '') compileInto(errs, child(path, 'messageExpression'), messageExpression, vars.filter((n) => n !== 'authorizer'), 'string', declared);
  if (message.length > 0 && message.trim() === '') errs.push(invalid(child(path, 'message'), message, 'message must be non-empty if specified'));
  else if (/[\n\r]/.test(message.trim())) errs.push(invalid(child(path, 'message'), message, 'message must not contain line breaks'));
  if (isSet(v.reason) && !REASONS.includes(asStr(v.reason))) errs.push(notSupported(child(path, 'reason'), v.reason, REASONS));
  return errs;
}

function validateMatchConditions(list: unknown, path: string, vars: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const items = asArr(list);
  if (items.length > 64) errs.push(tooMany(path, items.length, 64));
  const names = new Set<string>();
  items.forEach((c, i) => {
    const p = index(path, i);
    const name = asStr(asObj(c).name);
    const expr = asStr(asObj(c).expression);
    if (expr.trim() === '') errs.push(required(child(p, 'expression')));
    else compileInto(errs, child(p, 'expression'), expr.trim(), vars, 'bool');
    if (name === '') errs.push(required(child(p, 'name')));
    else for (const msg of isQualifiedName(name)) errs.push(invalid(child(p, 'name'), name, msg));
    if (name) {
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      names.add(name);
    }
  });
  return errs;
}

function validateParamKind(pk: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = asStr(pk.apiVersion);
  const kind = asStr(pk.kind);
  if (!apiVersion) errs.push(required(child(path, 'apiVersion')));
  else {
    const parts = apiVersion.split('/');
    if (parts.length > 2) errs.push(invalid(child(path, 'apiVersion'), apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    else {
      const [group, version] = parts.length === 2 ? [parts[0] ?? '', parts[1] ?? ''] : ['', parts[0] ?? ''];
      if (group) {
        const g = isDNS1123Subdomain(group);
        if (g.length) errs.push(invalid(child(path, 'apiVersion'), group, g.join(',')));
      }
      if (!version) errs.push(invalid(child(path, 'apiVersion'), apiVersion, 'version must be specified'));
      else {
        const v = isDNS1035Label(version);
        if (v.length) errs.push(invalid(child(path, 'apiVersion'), version, v.join(',')));
      }
    }
  }
  if (!kind) errs.push(required(child(path, 'kind')));
  else {
    const k = isDNS1035Label(kind.toLowerCase());
    if (k.length) errs.push(invalid(child(path, 'kind'), kind, `may have mixed case, but should otherwise match: ${k.join(',')}`));
  }
  return errs;
}

function validateMatchResources(mr: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isSet(mr.matchPolicy)) errs.push(required(child(path, 'matchPolicy')));
  else if (!MATCH_POLICIES.includes(asStr(mr.matchPolicy))) errs.push(notSupported(child(path, 'matchPolicy'), mr.matchPolicy, MATCH_POLICIES));
  if (!isSet(mr.namespaceSelector)) errs.push(required(child(path, 'namespaceSelector')));
  else pushAll(errs, validateLabelSelector(mr.namespaceSelector, child(path, 'namespaceSelector')));
  if (!isSet(mr.objectSelector)) errs.push(required(child(path, 'objectSelector')));
  else pushAll(errs, validateLabelSelector(mr.objectSelector, child(path, 'objectSelector')));
  asArr(mr.resourceRules).forEach((r, i) => pushAll(errs, validateRule(asObj(r), index(child(path, 'resourceRules'), i))));
  asArr(mr.excludeResourceRules).forEach((r, i) => pushAll(errs, validateRule(asObj(r), index(child(path, 'excludeResourceRules'), i))));
  return errs;
}

// validateNamedRuleWithOperations + validateRuleWithOperations + validateRule.
function validateRule(r: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArr(r.resourceNames).forEach((n, i) => {
    const name = asStr(n);
    for (const msg of isValidPathSegmentName(name)) errs.push(invalid(index(child(path, 'resourceNames'), i), name, msg));
    if (names.has(name)) errs.push(duplicate(index(child(path, 'resourceNames'), i), name));
    names.add(name);
  });
  const ops = asArr(r.operations).map(asStr);
  if (ops.length === 0) errs.push(required(child(path, 'operations')));
  else if (ops.length > 1 && ops.includes('*')) errs.push(invalid(child(path, 'operations'), ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(notSupported(index(child(path, 'operations'), i), op, OPERATIONS));
  });
  const groups = asArr(r.apiGroups).map(asStr);
  if (groups.length === 0) errs.push(required(child(path, 'apiGroups')));
  else if (groups.length > 1 && groups.includes('*')) errs.push(invalid(child(path, 'apiGroups'), groups, "if '*' is present, must not specify other API groups"));
  const versions = asArr(r.apiVersions).map(asStr);
  if (versions.length === 0) errs.push(required(child(path, 'apiVersions')));
  else if (versions.length > 1 && versions.includes('*')) errs.push(invalid(child(path, 'apiVersions'), versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '') errs.push(required(index(child(path, 'apiVersions'), i)));
  });
  const resources = asArr(r.resources).map(asStr);
  if (resources.length === 0) errs.push(required(child(path, 'resources')));
  pushAll(errs, validateResources(resources, child(path, 'resources')));
  if (isSet(r.scope) && !SCOPES.includes(asStr(r.scope))) errs.push(notSupported(child(path, 'scope'), r.scope, SCOPES));
  return errs;
}

function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const withSub = new Set<string>();
  const subOfAll = new Set<string>();
  const seen = new Set<string>();
  resources.forEach((res, i) => {
    const p = index(path, i);
    if (res === '') {
      errs.push(required(p));
      return;
    }
    if (seen.has(res)) errs.push(duplicate(p, res));
    seen.add(res);
    const parts = res.split('/');
    const main = parts[0] ?? '';
    const sub = parts.slice(1).join('/');
    if (res === '*/*' && resources.length > 1) errs.push(invalid(p, res, "if '*/*' is present, must not specify other resources"));
    if (sub) withSub.add(main);
    if (main === '*' && sub) subOfAll.add(sub);
  });
  resources.forEach((res, i) => {
    const [main = '', ...rest] = res.split('/');
    const sub = rest.join('/');
    if (main !== '*' && sub && subOfAll.has(sub)) errs.push(invalid(index(path, i), res, `if '*/${sub}' is present, must not specify ${res}`));
    if (main !== '*' && sub !== '*' && sub && resources.includes(`${main}/*`)) errs.push(invalid(index(path, i), res, `if '${main}/*' is present, must not specify ${res}`));
  });
  return errs;
}

export function validateValidatingAdmissionPolicyBinding(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj((o as { spec?: unknown }).spec);
  const path = 'spec';
  const policyName = asStr(spec.policyName);
  if (!policyName) errs.push(required(child(path, 'policyName')));
  else for (const msg of isDNS1123Subdomain(policyName)) errs.push(invalid(child(path, 'policyName'), policyName, msg));
  if (isObj(spec.paramRef)) pushAll(errs, validateParamRef(spec.paramRef, child(path, 'paramRef')));
  // Upstream spells this path "matchResouces".
  if (isObj(spec.matchResources)) pushAll(errs, validateMatchResources(spec.matchResources, child(path, 'matchResouces')));
  const actions = asArr(spec.validationActions).map(asStr);
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    const p = index(child(path, 'validationActions'), i);
    if (!ACTIONS.includes(a)) errs.push(notSupported(p, a, ACTIONS));
    if (seen.has(a)) errs.push(duplicate(p, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(invalid(child(path, 'validationActions'), actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (seen.size === 0) errs.push(required(child(path, 'validationActions'), 'at least one validation action is required'));
  return errs;
}

function validateParamRef(pr: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = asStr(pr.name);
  if (name) {
    for (const msg of isValidPathSegmentName(name)) errs.push(invalid(child(path, 'name'), name, msg));
    if (isSet(pr.selector)) errs.push(forbidden(child(path, 'name'), 'name and selector are mutually exclusive'));
  }
  if (isSet(pr.selector)) {
    pushAll(errs, validateLabelSelector(pr.selector, child(path, 'selector')));
    if (name) errs.push(forbidden(child(path, 'selector'), 'name and selector are mutually exclusive'));
  }
  if (!name && !isSet(pr.selector)) errs.push(required(path, 'one of name or selector must be specified'));
  const action = asStr(pr.parameterNotFoundAction);
  if (!action) errs.push(required(child(path, 'parameterNotFoundAction')));
  else if (action !== 'Deny' && action !== 'Allow') errs.push(notSupported(child(path, 'parameterNotFoundAction'), action, ['Deny', 'Allow']));
  return errs;
}
