// The roles and bindings RBAC decides with, kept in memory from the API server's watch cache and
// indexed by subject, so a check costs a few map lookups (upstream reads them through shared
// informers' listers: plugin/pkg/auth/authorizer/rbac/rbac.go and pkg/registry/rbac/validation/rule.go).
import type { KubeObject } from '../../../api/meta.ts';
import type { PolicyRule, RoleBinding, RoleRef, Subject } from '../../../api/types/rbac-v1.ts';
import type { UserInfo } from '../../admission/types.ts';
import type { CacheEvent, Subscription, WatchCache } from '../../cache/watch-cache.ts';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

export interface BindingEntry {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  /** '' for ClusterRoleBindings. */
  namespace: string;
  roleRef: RoleRef;
  subject: Subject;
}

const PREFIX = '/registry/rbac.authorization.k8s.io/';
export const RBAC_PREFIXES = {
  roles: `${PREFIX}roles/`,
  clusterroles: `${PREFIX}clusterroles/`,
  rolebindings: `${PREFIX}rolebindings/`,
  clusterrolebindings: `${PREFIX}clusterrolebindings/`,
} as const;

/** The index keys a subject is found under; '' when the subject can never match a user. */
function subjectKey(s: Subject, bindingNamespace: string): string {
  switch (s.kind) {
    case 'User': return `U:${s.name}`;
    case 'Group': return `G:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? `U:${SERVICE_ACCOUNT_USER_PREFIX}${ns}:${s.name}` : '';
    }
    default: return '';
  }
}

/** The keys a user is indexed under: its name and each of its groups (a service account subject is indexed by its user name). */
export function userKeys(user: UserInfo): string[] {
  const keys = [`U:${user.name}`];
  for (const g of user.groups) keys.push(`G:${g}`);
  return keys;
}

export class PolicyIndex {
  readonly #roles = new Map<string, PolicyRule[]>();
  readonly #clusterRoles = new Map<string, PolicyRule[]>();
  /** ClusterRoleBindings: subject key → binding name → entry. */
  readonly #crb = new Map<string, Map<string, BindingEntry>>();
  /** RoleBindings: namespace + NUL + subject key → namespace/name → entry. */
  readonly #rb = new Map<string, Map<string, BindingEntry>>();
  /** Each binding's index keys, to undo them when it changes or goes. */
  readonly #bindingKeys = new Map<string, string[]>();

  /** Follow the cache from its current state; returns the subscriptions to close. */
  follow(cache: Pick<WatchCache, 'subscribe'>): Subscription[] {
    const on = (kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding') => (ev: CacheEvent): void => {
      this.apply(kind, ev.type === 'DELETED' ? 'DELETED' : 'SET', ev.obj.obj);
    };
    return [
      cache.subscribe(RBAC_PREFIXES.clusterroles, undefined, on('ClusterRole')).subscription,
      cache.subscribe(RBAC_PREFIXES.roles, undefined, on('Role')).subscription,
      cache.subscribe(RBAC_PREFIXES.clusterrolebindings, undefined, on('ClusterRoleBinding')).subscription,
      cache.subscribe(RBAC_PREFIXES.rolebindings, undefined, on('RoleBinding')).subscription,
    ];
  }

  apply(kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding', op: 'SET' | 'DELETED', obj: KubeObject): void {
    const name = obj.metadata.name ?? '';
    const ns = obj.metadata.namespace ?? '';
    switch (kind) {
      case 'Role':
      case 'ClusterRole': {
        const map = kind === 'Role' ? this.#roles : this.#clusterRoles;
        const key = kind === 'Role' ? `${ns}/${name}` : name;
        if (op === 'DELETED') map.delete(key);
        else map.set(key, Array.isArray(obj.rules) ? obj.rules as PolicyRule[] : []);
        return;
      }
      case 'RoleBinding':
      case 'ClusterRoleBinding': {
        const id = kind === 'RoleBinding' ? `${kind}:${ns}/${name}` : `${kind}:${name}`;
        const within = kind === 'RoleBinding' ? `${ns}/${name}` : name;
        const map = kind === 'RoleBinding' ? this.#rb : this.#crb;
        for (const k of this.#bindingKeys.get(id) ?? []) {
          const m = map.get(k);
          m?.delete(within);
          if (m?.size === 0) map.delete(k);
        }
        this.#bindingKeys.delete(id);
        if (op === 'DELETED') return;
        const b = obj as RoleBinding;
        const keys: string[] = [];
        for (const s of b.subjects ?? []) {
          const sk = subjectKey(s, kind === 'RoleBinding' ? ns : '');
          if (!sk) continue;
          const k = kind === 'RoleBinding' ? `${ns}\0${sk}` : sk;
          let m = map.get(k);
          if (!m) map.set(k, m = new Map());
          // A binding naming the same subject twice is found once.
          if (m.has(within)) continue;
          m.set(within, { kind, name, namespace: kind === 'RoleBinding' ? ns : '', roleRef: b.roleRef, subject: s });
          keys.push(k);
        }
        this.#bindingKeys.set(id, keys);
        return;
      }
    }
  }

  /** The rules of a Role (namespace set) or ClusterRole, or undefined when it does not exist. */
  rulesOf(ref: Pick<RoleRef, 'kind' | 'name'>, namespace: string): PolicyRule[] | undefined {
    if (ref.kind === 'ClusterRole') return this.#clusterRoles.get(ref.name);
    if (ref.kind === 'Role') return this.#roles.get(`${namespace}/${ref.name}`);
    return undefined;
  }

  /** ClusterRoleBindings naming this user (directly, by a group, or as its service account). */
  *clusterBindingsFor(user: UserInfo): Generator<BindingEntry> {
    for (const k of userKeys(user)) {
      const m = this.#crb.get(k);
      if (m) yield* m.values();
    }
  }

  /** RoleBindings in a namespace naming this user. */
  *roleBindingsFor(user: UserInfo, namespace: string): Generator<BindingEntry> {
    for (const k of userKeys(user)) {
      const m = this.#rb.get(`${namespace}\0${k}`);
      if (m) yield* m.values();
    }
  }
}
