// Escalation prevention: nobody creates a role or binding granting what they do not hold
// themselves, unless allowed to `escalate` (roles) or `bind` (the referenced role). Mirrors
// pkg/registry/rbac/validation/rule.go (ConfirmNoEscalation), policy_compact.go,
// component-helpers/auth/rbac/validation/policy_comparator.go (Covers, BreakdownRule) and the
// policybased REST storages of pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}.
// Upstream checks in the REST storage, before admission; skiff runs it as the first admission
// plugin's validation, which sees the same object with the same user.
import { notFound } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/meta.ts';
import type { PolicyRule, RoleBinding, RoleRef } from '../../../api/types/rbac-v1.ts';
import { RBAC_GROUP } from '../../../api/types/rbac-v1.ts';
import type { AdmissionPlugin, UserInfo } from '../../admission/types.ts';
import { newForbidden, PRIVILEGED_GROUP } from '../chain.ts';
import type { Authorizer, RuleResolver } from '../types.ts';

const ALL = '*';
const FULL_AUTHORITY: PolicyRule[] = [{ verbs: [ALL], apiGroups: [ALL], resources: [ALL] }, { verbs: [ALL], nonResourceURLs: [ALL] }];

const has = (set: readonly string[] | undefined, v: string): boolean => (set ?? []).includes(v);
const hasAll = (set: readonly string[] | undefined, vs: readonly string[] | undefined): boolean => (vs ?? []).every((v) => has(set, v));

/** One rule per verb × group × resource (× name), or per verb × URL (BreakdownRule). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return out;
}

function resourceCoversAll(owner: readonly string[] | undefined, requested: readonly string[] | undefined): boolean {
  if (has(owner, ALL)) return true;
  for (const r of requested ?? []) {
    if (has(owner, r)) continue;
    const slash = r.indexOf('/');
    if (slash >= 0 && has(owner, `*/${r.slice(slash + 1)}`)) continue;
    return false;
  }
  return true;
}

function nonResourceURLCovers(owner: string, requested: string): boolean {
  if (owner === requested) return true;
  return owner.endsWith(ALL) && requested.startsWith(owner.slice(0, -1));
}

function nonResourceURLsCoversAll(owner: readonly string[] | undefined, requested: readonly string[] | undefined): boolean {
  return (requested ?? []).every((r) => (owner ?? []).some((o) => nonResourceURLCovers(o, r)));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoversAll(owner.nonResourceURLs, sub.nonResourceURLs);
  const names = !sub.resourceNames?.length ? !owner.resourceNames?.length : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && names && urls;
}

/** Whether the owner's rules cover every servant rule, and the broken-down rules they miss. */
export function covers(ownerRules: readonly PolicyRule[], servantRules: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const servant of servantRules) {
    for (const sub of breakdownRule(servant)) {
      if (!ownerRules.some((o) => ruleCovers(o, sub))) missing.push(sub);
    }
  }
  return { covered: missing.length === 0, missing };
}

/** Merge simple resource rules (one group, one resource, no names) that differ only in verbs (CompactRules). */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = r.apiGroups?.length === 1 && r.resources?.length === 1 && !r.resourceNames?.length && !r.nonResourceURLs?.length;
    if (!isSimple) { out.push({ ...r }); continue; }
    const key = `${r.apiGroups![0]}\0${r.resources![0]}`;
    const existing = simple.get(key);
    if (existing) {
      for (const v of r.verbs) if (!existing.verbs.includes(v)) existing.verbs.push(v);
    } else {
      const copy: PolicyRule = { apiGroups: [...r.apiGroups!], resources: [...r.resources!], verbs: [...r.verbs] };
      simple.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** Go's %q of a string slice: ["a" "b"]. */
const q = (list: readonly string[]): string => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/** `{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}` (rbacv1helpers CompactString). */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** The error text when `rules` are not all held by the user in `namespace`, or undefined when they are. */
export async function escalationError(resolver: RuleResolver, user: UserInfo, namespace: string, rules: readonly PolicyRule[]): Promise<string | undefined> {
  const owner = await resolver.rulesFor(user, namespace);
  const { covered, missing } = covers(owner.rules, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${q(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (owner.error) msg += `; resolution errors: [${owner.error}]`;
  return msg;
}

type RbacKind = 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';

async function authorized(authz: Authorizer, user: UserInfo, verb: string, resource: string, namespace: string, name: string): Promise<boolean> {
  const r = await authz.authorize({ user, verb, isResourceRequest: true, path: '', namespace, apiGroup: RBAC_GROUP, apiVersion: '', resource, subresource: '', name });
  return r.decision === 'allow';
}

const sameRules = (a: KubeObject, b: KubeObject): boolean => JSON.stringify(a.rules ?? []) === JSON.stringify(b.rules ?? []);

/**
 * The admission step: roles need `escalate` on roles/clusterroles or every rule held; bindings
 * need `bind` on the referenced role or every rule of it held. system:masters skips the checks
 * (EscalationAllowed).
 */
export function escalationCheck(deps: {
  authorizer: () => Authorizer;
  resolver: RuleResolver;
  /** The rules of a referenced role (undefined when it does not exist). */
  roleRules: (ref: RoleRef, namespace: string) => PolicyRule[] | undefined;
}): AdmissionPlugin {
  return {
    name: 'RBACEscalationCheck',
    async validate(a) {
      if (a.info.group !== RBAC_GROUP || a.operation === 'DELETE' || a.subresource || !a.object) return;
      if (a.user.groups.includes(PRIVILEGED_GROUP)) return;
      const kind = a.info.kind as RbacKind;
      const ns = a.namespace;
      if (kind === 'Role' || kind === 'ClusterRole') {
        // Upstream lets through updates that touch only what garbage collection needs; skiff lets
        // through any update that leaves the rules and the aggregation rule as they were.
        if (a.oldObject && sameRules(a.object, a.oldObject)
          && JSON.stringify(a.object.aggregationRule ?? null) === JSON.stringify(a.oldObject.aggregationRule ?? null)) return;
        if (await authorized(deps.authorizer(), a.user, 'escalate', a.info.resource, ns, a.name)) return;
        const msg = await escalationError(deps.resolver, a.user, ns, (a.object.rules as PolicyRule[] | undefined) ?? []);
        if (msg) throw newForbidden(a.info.group, a.info.resource, a.name, msg);
        // An aggregation rule can gather anything: it takes every right there is.
        if (kind === 'ClusterRole' && a.object.aggregationRule && await escalationError(deps.resolver, a.user, ns, FULL_AUTHORITY)) {
          throw newForbidden(a.info.group, a.info.resource, a.name, 'must have cluster-admin privileges to use the aggregationRule');
        }
        return;
      }
      const ref = (a.object as RoleBinding).roleRef;
      if (!ref || (ref.kind !== 'Role' && ref.kind !== 'ClusterRole')) return;
      const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
      if (await authorized(deps.authorizer(), a.user, 'bind', refResource, ns, ref.name)) return;
      const rules = deps.roleRules(ref, ns);
      // Upstream's rule resolver reads the role from its storage: a missing one is that read's NotFound.
      if (!rules) throw notFound({ group: RBAC_GROUP, resource: refResource }, ref.name);
      const msg = await escalationError(deps.resolver, a.user, ns, rules);
      if (msg) throw newForbidden(a.info.group, a.info.resource, a.name, msg);
    },
  };
}
