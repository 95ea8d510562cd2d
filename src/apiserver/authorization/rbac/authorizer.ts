// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go): allows a request when a rule of a
// role bound to the user allows it, and otherwise has no opinion (the chain then denies). The
// reason names the binding that allowed it, or the roles that could not be found.
import type { PolicyRule, Subject } from '../../../api/types/rbac-v1.ts';
import type { UserInfo } from '../../admission/types.ts';
import type { AuthorizationAttributes, AuthorizationResult, Authorizer, RuleResolver } from '../types.ts';
import type { BindingEntry, PolicyIndex } from './policy-index.ts';
import { ruleAllows } from './rule-match.ts';

/** "User \"jane\"", "ServiceAccount \"ns/sa\"" (rbac.go describeSubject: name/namespace for service accounts). */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

export function describeBinding(b: BindingEntry): string {
  const id = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${JSON.stringify(id)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(b.subject, b.namespace)}`;
}

/** The lister's NotFound for a missing role (listers name the resource in the singular). */
function missingRole(b: BindingEntry): string {
  return `${b.roleRef.kind === 'Role' ? 'role' : 'clusterrole'}.rbac.authorization.k8s.io ${JSON.stringify(b.roleRef.name)} not found`;
}

/** utilerrors.NewAggregate's text: one error as it is, several in brackets. */
function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}

export class RbacAuthorizer implements Authorizer, RuleResolver {
  readonly name = 'RBAC';
  readonly #index: PolicyIndex;

  constructor(index: PolicyIndex) {
    this.#index = index;
  }

  get index(): PolicyIndex { return this.#index; }

  authorize(a: AuthorizationAttributes): AuthorizationResult {
    const errors: string[] = [];
    const check = (b: BindingEntry, namespace: string): boolean => {
      const rules = this.#index.rulesOf(b.roleRef, namespace);
      if (!rules) { errors.push(missingRole(b)); return false; }
      for (const r of rules) if (ruleAllows(a, r)) return true;
      return false;
    };
    for (const b of this.#index.clusterBindingsFor(a.user)) {
      if (b.roleRef.kind === 'ClusterRole' && check(b, '')) return { decision: 'allow', reason: `RBAC: allowed by ${describeBinding(b)}` };
    }
    if (a.namespace) {
      for (const b of this.#index.roleBindingsFor(a.user, a.namespace)) {
        if (check(b, a.namespace)) return { decision: 'allow', reason: `RBAC: allowed by ${describeBinding(b)}` };
      }
    }
    return { decision: 'no-opinion', reason: errors.length ? `RBAC: ${aggregate([...new Set(errors)])}` : '' };
  }

  /** Every rule the user holds cluster-wide and, with a namespace, in it (rule.go RulesFor). */
  rulesFor(user: UserInfo, namespace: string): Promise<{ rules: PolicyRule[]; incomplete: boolean; error?: string }> {
    return Promise.resolve(this.rulesForSync(user, namespace));
  }

  rulesForSync(user: UserInfo, namespace: string): { rules: PolicyRule[]; incomplete: boolean; error?: string } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    const seen = new Set<string>();
    const add = (b: BindingEntry, ns: string): void => {
      const id = `${b.kind}/${b.namespace}/${b.name}`;
      if (seen.has(id)) return;
      seen.add(id);
      const r = this.#index.rulesOf(b.roleRef, ns);
      if (!r) errors.push(missingRole(b));
      else for (const x of r) rules.push(x);
    };
    for (const b of this.#index.clusterBindingsFor(user)) if (b.roleRef.kind === 'ClusterRole') add(b, '');
    if (namespace) for (const b of this.#index.roleBindingsFor(user, namespace)) add(b, namespace);
    const out: { rules: PolicyRule[]; incomplete: boolean; error?: string } = { rules, incomplete: errors.length > 0 };
    if (errors.length) out.error = aggregate([...new Set(errors)]);
    return out;
  }
}
