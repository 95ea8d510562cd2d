// Small builders for policy rules, the role of rbacv1helpers.NewRule(...).Groups(...).Resources(...).
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../../api/types/rbac-v1.ts';
import { AUTOUPDATE_ANNOTATION, RBAC_GROUP } from '../../../api/types/rbac-v1.ts';

export const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

export const READ = ['get', 'list', 'watch'];
export const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
export const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
export const READ_UPDATE = ['get', 'list', 'watch', 'update', 'patch'];

export const CORE = '';
export const APPS = 'apps';
export const AUTHENTICATION = 'authentication.k8s.io';
export const AUTHORIZATION = 'authorization.k8s.io';
export const AUTOSCALING = 'autoscaling';
export const BATCH = 'batch';
export const CERTIFICATES = 'certificates.k8s.io';
export const COORDINATION = 'coordination.k8s.io';
export const DISCOVERY = 'discovery.k8s.io';
export const EVENTS = 'events.k8s.io';
export const EXTENSIONS = 'extensions';
export const NETWORKING = 'networking.k8s.io';
export const NODE = 'node.k8s.io';
export const POLICY = 'policy';
export const RBAC = 'rbac.authorization.k8s.io';
export const STORAGE = 'storage.k8s.io';

/** A resource rule: verbs on resources of groups, optionally only the named objects. */
export function rule(verbs: string[], groups: string | string[], resources: string[], names?: string[]): PolicyRule {
  const r: PolicyRule = { verbs: [...verbs], apiGroups: typeof groups === 'string' ? [groups] : [...groups], resources: [...resources] };
  if (names?.length) r.resourceNames = [...names];
  return r;
}

/** A non-resource rule. */
export function urls(verbs: string[], paths: string[]): PolicyRule {
  return { verbs: [...verbs], nonResourceURLs: [...paths] };
}

/** Components record events through either API (upstream's eventsRule). */
export const eventsRule = (): PolicyRule => rule(['create', 'update', 'patch'], [CORE, EVENTS], ['events']);

function meta(name: string, labels: Record<string, string> = {}, namespace?: string): ClusterRole['metadata'] {
  return {
    name, ...(namespace ? { namespace } : {}),
    labels: { ...BOOTSTRAP_LABEL, ...labels },
    annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
  };
}

export function clusterRole(name: string, rules: PolicyRule[], labels: Record<string, string> = {}): ClusterRole {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, labels), rules };
}

export const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC_GROUP, name });
export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

export function clusterRoleBinding(name: string, role: string, subjects: Subject[]): ClusterRoleBinding {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(name), roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role }, subjects };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(name, {}, namespace), rules };
}

export function roleBinding(namespace: string, name: string, roleRef: { kind: 'Role' | 'ClusterRole'; name: string }, subjects: Subject[]): RoleBinding {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(name, {}, namespace), roleRef: { apiGroup: RBAC_GROUP, ...roleRef }, subjects };
}

