// rbac.authorization.k8s.io/v1 checks (pkg/apis/rbac/validation/validation.go).
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { RBAC_GROUP } from '../types/rbac-v1.ts';
import { child, index, invalid, notSupported, pushAll, required } from './field-errors.ts';
import { validateLabelSelector } from './label-selector.ts';
import { isDNS1123Subdomain, isValidPathSegmentName } from './names.ts';
import { asObj } from './util.ts';

/** RBAC objects are named by path segments (so `system:controller:x` is allowed): ValidateRBACName. */
export const rbacName = isValidPathSegmentName;

function strings(v: unknown): string[] { return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []; }

export function validatePolicyRule(rule: unknown, namespaced: boolean, path: string): FieldError[] {
  const r = asObj(rule);
  const errs: FieldError[] = [];
  if (strings(r.verbs).length === 0) errs.push(required(child(path, 'verbs'), 'verbs must contain at least one value'));
  const urls = strings(r.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(child(path, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (strings(r.apiGroups).length || strings(r.resources).length || strings(r.resourceNames).length) {
      errs.push(invalid(child(path, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  // apiGroups [""] is one (empty) group: present, so the length is what counts.
  if (!Array.isArray(r.apiGroups) || r.apiGroups.length === 0) errs.push(required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (strings(r.resources).length === 0) errs.push(required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const rules = Array.isArray(o.rules) ? o.rules as unknown[] : [];
  rules.forEach((r, i) => pushAll(errs, validatePolicyRule(r, namespaced, index('rules', i))));
  return errs;
}

export function validateRole(o: KubeObject): FieldError[] {
  return validateRules(o, true);
}

export function validateClusterRole(o: KubeObject): FieldError[] {
  const errs = validateRules(o, false);
  if (o.aggregationRule !== undefined && o.aggregationRule !== null) {
    const selectors = asObj(o.aggregationRule).clusterRoleSelectors;
    if (!Array.isArray(selectors) || selectors.length === 0) {
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    } else {
      selectors.forEach((s, i) => pushAll(errs, validateLabelSelector(s, index('aggregationRule.clusterRoleSelectors', i))));
    }
  }
  return errs;
}

function validateSubject(s: unknown, namespaced: boolean, path: string): FieldError[] {
  const subj = asObj(s);
  const errs: FieldError[] = [];
  const name = typeof subj.name === 'string' ? subj.name : '';
  const apiGroup = typeof subj.apiGroup === 'string' ? subj.apiGroup : '';
  if (!name) errs.push(required(child(path, 'name')));
  switch (subj.kind) {
    case 'ServiceAccount':
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(invalid(child(path, 'name'), name, m));
      if (apiGroup !== '') errs.push(notSupported(child(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && !subj.namespace) errs.push(required(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errs.push(notSupported(child(path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(child(path, 'kind'), subj.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = asObj(o.roleRef);
  const refGroup = typeof ref.apiGroup === 'string' ? ref.apiGroup : '';
  if (refGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', refGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind as string)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  const refName = typeof ref.name === 'string' ? ref.name : '';
  if (!refName) errs.push(required('roleRef.name'));
  else for (const m of rbacName(refName)) errs.push(invalid('roleRef.name', refName, m));
  const subjects = Array.isArray(o.subjects) ? o.subjects as unknown[] : [];
  subjects.forEach((s, i) => pushAll(errs, validateSubject(s, namespaced, index('subjects', i))));
  return errs;
}

export const validateRoleBinding = (o: KubeObject): FieldError[] => validateBinding(o, true);
export const validateClusterRoleBinding = (o: KubeObject): FieldError[] => validateBinding(o, false);

/** A binding's roleRef never changes: delete and recreate the binding instead. */
export function validateBindingUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const a = asObj(o.roleRef);
  const b = asObj(old.roleRef);
  if (a.apiGroup !== b.apiGroup || a.kind !== b.kind || a.name !== b.name) return [invalid('roleRef', o.roleRef, 'cannot change roleRef')];
  return [];
}
