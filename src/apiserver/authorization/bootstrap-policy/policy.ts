// The default roles and bindings every cluster starts with, re-expressed from
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (cluster roles and bindings) and
// namespace_policy.go, plus kubeadm's cluster-info Role and the roles skiff's own components need.
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, NODE_CERTIFICATE_PATH } from '../../auth/bootstrap-access.ts';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../../api/types/rbac-v1.ts';
import { controllerClusterRoleBindings, controllerClusterRoles, controllerRoleBindings, controllerRoles } from './controller-policy.ts';
import {
  clusterRole, clusterRoleBinding, group, role, roleBinding, serviceAccount, user,
  APPS, AUTHENTICATION, AUTHORIZATION, AUTOSCALING, BATCH, CERTIFICATES, COORDINATION, CORE, DISCOVERY, eventsRule, EXTENSIONS,
  NETWORKING, NODE, POLICY, RBAC, READ, READ_UPDATE, READ_WRITE, rule, STORAGE, urls, WRITE,
} from './rules.ts';

const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view'): string => `rbac.authorization.k8s.io/aggregate-to-${role}`;

export const MASTERS_GROUP = 'system:masters';
export const AUTHENTICATED = 'system:authenticated';
export const UNAUTHENTICATED = 'system:unauthenticated';
export const NODES_GROUP = 'system:nodes';
export const BOOTSTRAPPERS = 'system:bootstrappers';
export const KUBE_PROXY = 'system:kube-proxy';
export const KUBE_SCHEDULER = 'system:kube-scheduler';
export const KUBE_CONTROLLER_MANAGER = 'system:kube-controller-manager';
export const ANONYMOUS = 'system:anonymous';
/** The skiff role of the node network's components (service proxy, cluster DNS, NetworkPolicy, Ingress). */
export const NODE_NETWORK_ROLE = 'system:skiff:node-network';
/** The skiff role for a joining node's certificate request (its stand-in for the CSR API). */
export const NODE_CLIENT_CERTIFICATE_ROLE = 'system:skiff:node-client-certificate';
export const CLUSTER_INFO_ROLE = 'kubeadm:bootstrap-signer-clusterinfo';

function aggregated(name: string, selectorLabel: string, labels: Record<string, string> = {}): ClusterRole {
  return {
    ...clusterRole(name, [], labels),
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selectorLabel]: 'true' } }] },
  };
}

const HEALTH_URLS = ['/livez', '/readyz', '/healthz'];

export function clusterRoles(): ClusterRole[] {
  const roles: ClusterRole[] = [
    clusterRole('cluster-admin', [rule(['*'], '*', ['*']), urls(['*'], ['*'])]),
    clusterRole('system:discovery', [urls(['get'], [...HEALTH_URLS, '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'])]),
    clusterRole('system:monitoring', [urls(['get'], ['/metrics', '/metrics/slis', ...HEALTH_URLS, '/livez/*', '/readyz/*', '/healthz/*'])]),
    clusterRole('system:basic-user', [
      rule(['create'], AUTHORIZATION, ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], AUTHENTICATION, ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urls(['get'], [...HEALTH_URLS, '/version', '/version/'])]),
    aggregated('admin', AGGREGATE_TO('admin')),
    aggregated('edit', AGGREGATE_TO('edit'), { [AGGREGATE_TO('admin')]: 'true' }),
    aggregated('view', AGGREGATE_TO('view'), { [AGGREGATE_TO('edit')]: 'true' }),
    clusterRole('system:aggregate-to-admin', [
      rule(['create'], AUTHORIZATION, ['localsubjectaccessreviews']),
      rule(READ_WRITE, RBAC, ['roles', 'rolebindings']),
    ], { [AGGREGATE_TO('admin')]: 'true' }),
    clusterRole('system:aggregate-to-edit', [
      rule(READ_WRITE, CORE, ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
      rule(['impersonate'], CORE, ['serviceaccounts']),
      rule(WRITE, CORE, ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy',
        'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
      rule(['create'], CORE, ['serviceaccounts/token']),
      rule(WRITE, APPS, ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback',
        'replicasets', 'replicasets/scale']),
      rule(WRITE, AUTOSCALING, ['horizontalpodautoscalers']),
      rule(WRITE, BATCH, ['jobs', 'cronjobs']),
      rule(WRITE, EXTENSIONS, ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets',
        'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
      rule(WRITE, POLICY, ['poddisruptionbudgets']),
      rule(WRITE, NETWORKING, ['networkpolicies', 'ingresses']),
    ], { [AGGREGATE_TO('admin')]: 'true', [AGGREGATE_TO('edit')]: 'true' }),
    clusterRole('system:aggregate-to-view', [
      rule(READ, CORE, ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status',
        'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      rule(READ, CORE, ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status',
        'replicationcontrollers/status', 'pods/log']),
      rule(READ, CORE, ['namespaces']),
      rule(READ, DISCOVERY, ['endpointslices']),
      rule(READ, APPS, ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status',
        'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      rule(READ, AUTOSCALING, ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, BATCH, ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
      rule(READ, EXTENSIONS, ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses',
        'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
      rule(READ, POLICY, ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(READ, NETWORKING, ['networkpolicies', 'ingresses', 'ingresses/status']),
    ], { [AGGREGATE_TO('admin')]: 'true', [AGGREGATE_TO('edit')]: 'true', [AGGREGATE_TO('view')]: 'true' }),
    clusterRole('system:heapster', [rule(READ, CORE, ['events', 'pods', 'nodes', 'namespaces']), rule(READ, APPS, ['deployments'])]),
    clusterRole('system:node', [
      rule(['create'], AUTHENTICATION, ['tokenreviews']),
      rule(['create'], AUTHORIZATION, ['subjectaccessreviews', 'localsubjectaccessreviews']),
      rule(READ, CORE, ['services']),
      rule(['create', 'get', 'list', 'watch'], CORE, ['nodes']),
      rule(['update', 'patch'], CORE, ['nodes/status']),
      rule(['update', 'patch', 'delete'], CORE, ['nodes']),
      eventsRule(),
      rule(READ, CORE, ['pods']),
      rule(['create', 'delete'], CORE, ['pods']),
      rule(['update', 'patch'], CORE, ['pods/status']),
      rule(['create'], CORE, ['pods/eviction']),
      rule(['get'], CORE, ['secrets', 'configmaps']),
      rule(['get'], CORE, ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get'], CORE, ['endpoints']),
      rule(['create', 'get', 'list', 'watch'], CERTIFICATES, ['certificatesigningrequests']),
      rule(['get', 'create', 'update', 'patch', 'delete'], COORDINATION, ['leases']),
      rule(['get'], STORAGE, ['volumeattachments']),
      rule(['create'], CORE, ['serviceaccounts/token']),
      rule(['update', 'patch'], CORE, ['persistentvolumeclaims/status']),
      rule(READ, STORAGE, ['csidrivers']),
      rule(['get', 'create', 'update', 'patch', 'delete'], STORAGE, ['csinodes']),
      rule(READ, NODE, ['runtimeclasses']),
    ]),
    clusterRole('system:node-problem-detector', [rule(['get'], CORE, ['nodes']), rule(['patch'], CORE, ['nodes/status']), eventsRule()]),
    clusterRole('system:kubelet-api-admin', [
      rule(['get', 'list', 'watch', 'proxy'], CORE, ['nodes']),
      rule(['*'], CORE, ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log']),
    ]),
    clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], CERTIFICATES, ['certificatesigningrequests'])]),
    clusterRole('system:auth-delegator', [
      rule(['create'], AUTHENTICATION, ['tokenreviews']),
      rule(['create'], AUTHORIZATION, ['subjectaccessreviews']),
    ]),
    clusterRole('system:kube-aggregator', [rule(READ, CORE, ['services', 'endpoints'])]),
    clusterRole(KUBE_CONTROLLER_MANAGER, [
      eventsRule(),
      rule(['create'], COORDINATION, ['leases']),
      rule(['get', 'update'], COORDINATION, ['leases'], ['kube-controller-manager']),
      rule(['create'], CORE, ['endpoints']),
      rule(['get', 'update'], CORE, ['endpoints'], ['kube-controller-manager']),
      rule(['create'], CORE, ['secrets', 'serviceaccounts']),
      rule(['delete'], CORE, ['secrets']),
      rule(['get'], CORE, ['namespaces', 'secrets', 'serviceaccounts']),
      rule(['update'], CORE, ['secrets', 'serviceaccounts']),
      rule(['create'], AUTHENTICATION, ['tokenreviews']),
      rule(['create'], AUTHORIZATION, ['subjectaccessreviews']),
      rule(['list', 'watch'], '*', ['*']),
      rule(['create'], CORE, ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-dns', [rule(['list', 'watch'], CORE, ['endpoints', 'services']), rule(['list', 'watch'], DISCOVERY, ['endpointslices'])]),
    clusterRole('system:persistent-volume-provisioner', [
      rule(['get', 'list', 'watch', 'create', 'delete'], CORE, ['persistentvolumes']),
      rule(['get', 'list', 'watch', 'update'], CORE, ['persistentvolumeclaims']),
      rule(READ, STORAGE, ['storageclasses']),
      rule(['watch'], CORE, ['events']),
      eventsRule(),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['create'], CERTIFICATES, ['certificatesigningrequests/nodeclient'])]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule(['create'], CERTIFICATES, ['certificatesigningrequests/selfnodeclient'])]),
    clusterRole('system:volume-scheduler', [
      rule(READ_UPDATE, CORE, ['persistentvolumes']),
      rule(READ, STORAGE, ['storageclasses']),
      rule(READ_UPDATE, CORE, ['persistentvolumeclaims']),
    ]),
    clusterRole('system:certificates.k8s.io:legacy-unknown-approver', [rule(['approve'], CERTIFICATES, ['signers'], ['kubernetes.io/legacy-unknown'])]),
    clusterRole('system:certificates.k8s.io:kubelet-serving-approver', [rule(['approve'], CERTIFICATES, ['signers'], ['kubernetes.io/kubelet-serving'])]),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-approver', [rule(['approve'], CERTIFICATES, ['signers'], ['kubernetes.io/kube-apiserver-client'])]),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [rule(['approve'], CERTIFICATES, ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])]),
    clusterRole('system:service-account-issuer-discovery', [
      urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ]),
    clusterRole(KUBE_SCHEDULER, [
      eventsRule(),
      rule(['create'], COORDINATION, ['leases']),
      rule(['get', 'update'], COORDINATION, ['leases'], ['kube-scheduler']),
      rule(['create'], CORE, ['endpoints']),
      rule(['get', 'update'], CORE, ['endpoints'], ['kube-scheduler']),
      rule(READ, CORE, ['nodes']),
      rule(['get', 'list', 'watch', 'delete'], CORE, ['pods']),
      rule(['create'], CORE, ['bindings', 'pods/binding']),
      rule(['patch', 'update'], CORE, ['pods/status']),
      rule(READ, CORE, ['replicationcontrollers', 'services']),
      rule(READ, [APPS, EXTENSIONS], ['replicasets']),
      rule(READ, APPS, ['statefulsets']),
      rule(READ, POLICY, ['poddisruptionbudgets']),
      rule(READ, CORE, ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], AUTHENTICATION, ['tokenreviews']),
      rule(['create'], AUTHORIZATION, ['subjectaccessreviews']),
      rule(READ, STORAGE, ['csinodes']),
      rule(READ, CORE, ['namespaces']),
      rule(READ, STORAGE, ['csidrivers', 'csistoragecapacities']),
      rule(READ, NODE, ['runtimeclasses']),
    ]),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], CORE, ['services', 'endpoints']),
      rule(READ, CORE, ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], DISCOVERY, ['endpointslices']),
    ]),
    // skiff's node network runs more than kube-proxy: cluster DNS (which publishes its own
    // EndpointSlice), NetworkPolicy enforcement and the Ingress controller.
    clusterRole(NODE_NETWORK_ROLE, [
      rule(READ, CORE, ['services', 'endpoints', 'pods', 'namespaces', 'nodes', 'secrets']),
      rule(READ, DISCOVERY, ['endpointslices']),
      rule(['create', 'update'], DISCOVERY, ['endpointslices']),
      rule(READ, NETWORKING, ['networkpolicies', 'ingresses', 'ingressclasses']),
      rule(['create'], NETWORKING, ['ingressclasses']),
      rule(['update', 'patch'], NETWORKING, ['ingresses/status']),
      eventsRule(),
    ]),
    // The joining node's POST for its client certificate (bootstrap-access.ts): a non-resource path.
    clusterRole(NODE_CLIENT_CERTIFICATE_ROLE, [urls(['post'], [NODE_CERTIFICATE_PATH])]),
  ];
  return [...roles, ...controllerClusterRoles()];
}

export function clusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', 'cluster-admin', [group(MASTERS_GROUP)]),
    clusterRoleBinding('system:monitoring', 'system:monitoring', [group('system:monitoring')]),
    clusterRoleBinding('system:discovery', 'system:discovery', [group(AUTHENTICATED)]),
    clusterRoleBinding('system:basic-user', 'system:basic-user', [group(AUTHENTICATED)]),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [group(AUTHENTICATED), group(UNAUTHENTICATED)]),
    clusterRoleBinding('system:node-proxier', 'system:node-proxier', [user(KUBE_PROXY)]),
    clusterRoleBinding(NODE_NETWORK_ROLE, NODE_NETWORK_ROLE, [user(KUBE_PROXY)]),
    clusterRoleBinding(KUBE_CONTROLLER_MANAGER, KUBE_CONTROLLER_MANAGER, [user(KUBE_CONTROLLER_MANAGER)]),
    clusterRoleBinding('system:kube-dns', 'system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    clusterRoleBinding(KUBE_SCHEDULER, KUBE_SCHEDULER, [user(KUBE_SCHEDULER)]),
    clusterRoleBinding('system:volume-scheduler', 'system:volume-scheduler', [user(KUBE_SCHEDULER)]),
    // As upstream: the role exists but nodes are authorized by the Node authorizer, not through it.
    clusterRoleBinding('system:node', 'system:node', []),
    clusterRoleBinding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    // kubeadm's bindings for joining nodes (kubeadm:kubelet-bootstrap, kubeadm:node-autoapprove-bootstrap)
    // and skiff's certificate endpoint, which a node also uses to renew its own.
    clusterRoleBinding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [group(BOOTSTRAPPERS)]),
    clusterRoleBinding('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [group(BOOTSTRAPPERS)]),
    clusterRoleBinding('kubeadm:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [group(NODES_GROUP)]),
    clusterRoleBinding(NODE_CLIENT_CERTIFICATE_ROLE, NODE_CLIENT_CERTIFICATE_ROLE, [group(BOOTSTRAPPERS), group(NODES_GROUP)]),
    ...controllerClusterRoleBindings(),
  ];
}

export function namespacedRoles(): Role[] {
  return [
    role('kube-system', 'extension-apiserver-authentication-reader', [rule(READ, CORE, ['configmaps'], ['extension-apiserver-authentication'])]),
    role('kube-system', 'system::leader-locking-kube-controller-manager', [
      rule(['watch'], CORE, ['configmaps']),
      rule(['get', 'update'], CORE, ['configmaps'], ['kube-controller-manager']),
    ]),
    role('kube-system', 'system::leader-locking-kube-scheduler', [
      rule(['watch'], CORE, ['configmaps']),
      rule(['get', 'update'], CORE, ['configmaps'], ['kube-scheduler']),
    ]),
    // kubeadm's Role letting anyone read the cluster-info ConfigMap joining nodes start from.
    role(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_ROLE, [rule(['get'], CORE, ['configmaps'], [CLUSTER_INFO_NAME])]),
    ...controllerRoles(),
  ];
}

export function namespacedRoleBindings(): RoleBinding[] {
  return [
    roleBinding('kube-system', 'system::extension-apiserver-authentication-reader', { kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      [user(KUBE_CONTROLLER_MANAGER), user(KUBE_SCHEDULER)]),
    roleBinding('kube-system', 'system::leader-locking-kube-controller-manager', { kind: 'Role', name: 'system::leader-locking-kube-controller-manager' },
      [user(KUBE_CONTROLLER_MANAGER), serviceAccount('kube-system', 'kube-controller-manager')]),
    roleBinding('kube-system', 'system::leader-locking-kube-scheduler', { kind: 'Role', name: 'system::leader-locking-kube-scheduler' },
      [user(KUBE_SCHEDULER), serviceAccount('kube-system', 'kube-scheduler')]),
    roleBinding(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_ROLE, { kind: 'Role', name: CLUSTER_INFO_ROLE }, [user(ANONYMOUS), group(BOOTSTRAPPERS)]),
    ...controllerRoleBindings(),
  ];
}
