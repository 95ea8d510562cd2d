// The roles of the controllers, each acting as its own service account in kube-system
// (kube-controller-manager --use-service-account-credentials). Re-expressed from
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go (and namespace_policy.go for
// the bootstrap-signer and token-cleaner Roles); the skiff-only controllers (local-path-provisioner)
// get what their code in src/controllers does.
import { CONTROLLER_ACCOUNT_NAMESPACE, CONTROLLER_ACCOUNTS } from '../../../api/rbac/controller-accounts.ts';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from '../../../api/types/rbac-v1.ts';
import {
  clusterRole, clusterRoleBinding, role, roleBinding, serviceAccount,
  APPS, AUTHORIZATION, AUTOSCALING, BATCH, CERTIFICATES, CORE, DISCOVERY, eventsRule, EXTENSIONS, POLICY, RBAC, READ, rule, STORAGE,
} from './rules.ts';

export const CONTROLLER_ROLE_PREFIX = 'system:controller:';

const KUBE_PUBLIC = 'kube-public';

/** account → rules. Accounts shared by several controllers (node-controller, certificate-controller) appear once. */
const CLUSTER_ROLE_RULES: Readonly<Record<string, () => PolicyRule[]>> = {
  'clusterrole-aggregation-controller': () => [rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], RBAC, ['clusterroles'])],
  'cronjob-controller': () => [
    rule(['get', 'list', 'watch', 'update'], BATCH, ['cronjobs']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], BATCH, ['jobs']),
    rule(['update'], BATCH, ['cronjobs/status']),
    rule(['update'], BATCH, ['cronjobs/finalizers']),
    rule(['list', 'delete'], CORE, ['pods']),
    eventsRule(),
  ],
  'daemon-set-controller': () => [
    rule(READ, [EXTENSIONS, APPS], ['daemonsets']),
    rule(['update'], [EXTENSIONS, APPS], ['daemonsets/status']),
    rule(['update'], [EXTENSIONS, APPS], ['daemonsets/finalizers']),
    rule(['list', 'watch'], CORE, ['nodes']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], CORE, ['pods']),
    rule(['create'], CORE, ['pods/binding']),
    rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], APPS, ['controllerrevisions']),
    eventsRule(),
  ],
  'deployment-controller': () => [
    rule(['get', 'list', 'watch', 'update', 'patch'], [EXTENSIONS, APPS], ['deployments']),
    rule(['update'], [EXTENSIONS, APPS], ['deployments/status']),
    rule(['update'], [EXTENSIONS, APPS], ['deployments/finalizers']),
    rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], [EXTENSIONS, APPS], ['replicasets']),
    // The deployment controller only lists pods (for Recreate), but a pod may be adopted.
    rule(['get', 'list', 'watch', 'update'], CORE, ['pods']),
    eventsRule(),
  ],
  'disruption-controller': () => [
    rule(READ, [EXTENSIONS, APPS], ['deployments']),
    rule(READ, [APPS, EXTENSIONS], ['replicasets']),
    rule(READ, CORE, ['replicationcontrollers']),
    rule(READ, POLICY, ['poddisruptionbudgets']),
    rule(READ, APPS, ['statefulsets']),
    rule(['update'], POLICY, ['poddisruptionbudgets/status']),
    rule(['get'], '*', ['*/scale']),
    rule(READ, CORE, ['pods']),
    rule(['patch', 'update'], CORE, ['pods/status']),
    eventsRule(),
  ],
  'endpoint-controller': () => [
    rule(READ, CORE, ['services', 'pods']),
    rule(['get', 'list', 'create', 'update', 'delete'], CORE, ['endpoints']),
    rule(['create'], CORE, ['endpoints/restricted']),
    eventsRule(),
  ],
  'endpointslice-controller': () => [
    rule(READ, CORE, ['services', 'pods', 'nodes']),
    rule(['get', 'list', 'create', 'update', 'delete'], DISCOVERY, ['endpointslices']),
    eventsRule(),
  ],
  'generic-garbage-collector': () => [rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], '*', ['*'])],
  'horizontal-pod-autoscaler': () => [
    rule(READ, AUTOSCALING, ['horizontalpodautoscalers']),
    rule(['update'], AUTOSCALING, ['horizontalpodautoscalers/status']),
    rule(['get', 'update'], '*', ['*/scale']),
    rule(['list'], CORE, ['pods']),
    rule(['list'], 'metrics.k8s.io', ['pods']),
    rule(['get', 'list', 'watch'], 'custom.metrics.k8s.io', ['*']),
    rule(['get', 'list', 'watch'], 'external.metrics.k8s.io', ['*']),
    eventsRule(),
  ],
  'job-controller': () => [
    rule(['get', 'list', 'watch', 'update', 'patch'], BATCH, ['jobs']),
    rule(['update', 'patch'], BATCH, ['jobs/status']),
    rule(['update'], BATCH, ['jobs/finalizers']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], CORE, ['pods']),
    eventsRule(),
  ],
  'namespace-controller': () => [
    rule(['get', 'list', 'watch', 'delete'], CORE, ['namespaces']),
    rule(['update'], CORE, ['namespaces/finalize', 'namespaces/status']),
    rule(['get', 'list', 'delete', 'deletecollection'], '*', ['*']),
  ],
  // skiff's node-ipam and node-lifecycle controllers, as upstream's, both act as node-controller.
  'node-controller': () => [
    rule(['get', 'list', 'update', 'delete', 'patch'], CORE, ['nodes']),
    rule(['patch', 'update'], CORE, ['nodes/status']),
    rule(['patch', 'update'], CORE, ['pods/status']),
    rule(['list', 'delete', 'get'], CORE, ['pods']),
    eventsRule(),
  ],
  'persistent-volume-binder': () => [
    rule(['get', 'list', 'watch', 'update', 'create', 'delete'], CORE, ['persistentvolumes']),
    rule(['update'], CORE, ['persistentvolumes/status']),
    rule(['get', 'list', 'watch', 'update'], CORE, ['persistentvolumeclaims']),
    rule(['update'], CORE, ['persistentvolumeclaims/status']),
    rule(['list', 'watch', 'get', 'create', 'delete'], CORE, ['pods']),
    rule(['get', 'create', 'delete'], CORE, ['endpoints', 'services']),
    rule(['get'], CORE, ['secrets']),
    rule(READ, CORE, ['nodes']),
    rule(READ, STORAGE, ['storageclasses']),
    eventsRule(),
  ],
  'pod-garbage-collector': () => [
    rule(['list', 'watch', 'delete'], CORE, ['pods']),
    rule(['get', 'list'], CORE, ['nodes']),
    rule(['patch'], CORE, ['pods/status']),
  ],
  'replicaset-controller': () => [
    rule(['get', 'list', 'watch', 'update'], [APPS, EXTENSIONS], ['replicasets']),
    rule(['update'], [APPS, EXTENSIONS], ['replicasets/status']),
    rule(['update'], [APPS, EXTENSIONS], ['replicasets/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], CORE, ['pods']),
    eventsRule(),
  ],
  'replication-controller': () => [
    rule(['get', 'list', 'watch', 'update'], CORE, ['replicationcontrollers']),
    rule(['update'], CORE, ['replicationcontrollers/status']),
    rule(['update'], CORE, ['replicationcontrollers/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], CORE, ['pods']),
    eventsRule(),
  ],
  'resourcequota-controller': () => [
    rule(['list', 'watch'], '*', ['*']),
    rule(['update'], CORE, ['resourcequotas/status']),
    eventsRule(),
  ],
  'service-account-controller': () => [rule(['create'], CORE, ['serviceaccounts']), eventsRule()],
  // skiff's service-lb controller plays upstream's service controller (LoadBalancer status).
  'service-controller': () => [
    rule(READ, CORE, ['services']),
    rule(['patch', 'update'], CORE, ['services/status']),
    rule(['list', 'watch'], CORE, ['nodes']),
    eventsRule(),
  ],
  'statefulset-controller': () => [
    rule(['list', 'watch'], CORE, ['pods']),
    rule(READ, APPS, ['statefulsets']),
    rule(['update'], APPS, ['statefulsets/status']),
    rule(['update'], APPS, ['statefulsets/finalizers']),
    rule(['get', 'create', 'delete', 'update', 'patch'], CORE, ['pods']),
    rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], APPS, ['controllerrevisions']),
    rule(['get', 'create'], CORE, ['persistentvolumeclaims']),
    rule(['update', 'delete'], CORE, ['persistentvolumeclaims']),
    eventsRule(),
  ],
  'taint-eviction-controller': () => [
    rule(['patch', 'update'], CORE, ['pods/status']),
    rule(['list', 'get', 'delete'], CORE, ['pods']),
    eventsRule(),
  ],
  'ttl-after-finished-controller': () => [rule(['get', 'list', 'watch', 'delete'], BATCH, ['jobs']), eventsRule()],
  'certificate-controller': () => [
    rule(['delete', 'get', 'list', 'watch'], CERTIFICATES, ['certificatesigningrequests']),
    rule(['update'], CERTIFICATES, ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
    rule(['approve'], CERTIFICATES, ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    rule(['sign'], CERTIFICATES, ['signers'], ['kubernetes.io/legacy-unknown', 'kubernetes.io/kube-apiserver-client',
      'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
    rule(['create'], AUTHORIZATION, ['subjectaccessreviews']),
    eventsRule(),
  ],
  // skiff's local-path provisioner (src/controllers/local-path): watches claims, volumes, classes
  // and its helper pods, creates and deletes volumes and helper pods, creates its StorageClass,
  // reads nodes, and records events.
  'local-path-provisioner': () => [
    rule(READ, CORE, ['persistentvolumeclaims']),
    rule(['get', 'list', 'watch', 'create', 'delete'], CORE, ['persistentvolumes']),
    rule(['get', 'list', 'watch', 'create'], STORAGE, ['storageclasses']),
    rule(['get', 'list', 'watch', 'create', 'delete'], CORE, ['pods']),
    rule(['get', 'list'], CORE, ['nodes']),
    eventsRule(),
  ],
};

/** Accounts whose rights are namespaced Roles (namespace_policy.go), not ClusterRoles. */
const ROLE_ACCOUNTS = new Set(['bootstrap-signer', 'token-cleaner']);

function accounts(): string[] {
  return [...new Set(Object.values(CONTROLLER_ACCOUNTS))].sort();
}

export function controllerClusterRoles(): ClusterRole[] {
  const out: ClusterRole[] = [];
  for (const account of accounts()) {
    if (ROLE_ACCOUNTS.has(account)) continue;
    const rules = CLUSTER_ROLE_RULES[account];
    if (!rules) throw new Error(`bootstrap policy: no role for controller account ${account}`);
    out.push(clusterRole(`${CONTROLLER_ROLE_PREFIX}${account}`, rules()));
  }
  return out;
}

export function controllerClusterRoleBindings(): ClusterRoleBinding[] {
  return accounts().filter((a) => !ROLE_ACCOUNTS.has(a)).map((account) => clusterRoleBinding(
    `${CONTROLLER_ROLE_PREFIX}${account}`, `${CONTROLLER_ROLE_PREFIX}${account}`, [serviceAccount(CONTROLLER_ACCOUNT_NAMESPACE, account)]));
}

export function controllerRoles(): Role[] {
  const sys = CONTROLLER_ACCOUNT_NAMESPACE;
  return [
    role(sys, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [rule(READ, CORE, ['secrets'])]),
    role(sys, `${CONTROLLER_ROLE_PREFIX}token-cleaner`, [rule(['delete', ...READ], CORE, ['secrets']), eventsRule()]),
    role(KUBE_PUBLIC, `${CONTROLLER_ROLE_PREFIX}bootstrap-signer`, [
      rule(READ, CORE, ['configmaps']),
      rule(['update'], CORE, ['configmaps'], ['cluster-info']),
      eventsRule(),
    ]),
  ];
}

export function controllerRoleBindings(): RoleBinding[] {
  const sys = CONTROLLER_ACCOUNT_NAMESPACE;
  const bind = (ns: string, account: string): RoleBinding => roleBinding(ns, `${CONTROLLER_ROLE_PREFIX}${account}`,
    { kind: 'Role', name: `${CONTROLLER_ROLE_PREFIX}${account}` }, [serviceAccount(sys, account)]);
  return [bind(sys, 'bootstrap-signer'), bind(sys, 'token-cleaner'), bind(KUBE_PUBLIC, 'bootstrap-signer')];
}
