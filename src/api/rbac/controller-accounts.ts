// The service account each controller acts as (kube-controller-manager --use-service-account-credentials):
// the names upstream's bootstrap policy gives them (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go),
// each bound to the ClusterRole (or, for bootstrap-signer and token-cleaner, Role) `system:controller:<account>`.
// Controllers that only skiff has get accounts named the same way. Shared by the bootstrap
// policy (which binds the roles) and the control plane (which issues each controller its credentials).
export const CONTROLLER_ACCOUNT_NAMESPACE = 'kube-system';

export const CONTROLLER_ACCOUNTS: Readonly<Record<string, string>> = {
  namespace: 'namespace-controller',
  'garbage-collector': 'generic-garbage-collector',
  'node-ipam': 'node-controller',
  'persistentvolume-binder': 'persistent-volume-binder',
  serviceaccount: 'service-account-controller',
  replicaset: 'replicaset-controller',
  replicationcontroller: 'replication-controller',
  deployment: 'deployment-controller',
  statefulset: 'statefulset-controller',
  daemonset: 'daemon-set-controller',
  endpointslice: 'endpointslice-controller',
  endpoint: 'endpoint-controller',
  podgc: 'pod-garbage-collector',
  disruption: 'disruption-controller',
  'node-lifecycle': 'node-controller',
  'taint-eviction': 'taint-eviction-controller',
  'horizontal-pod-autoscaler': 'horizontal-pod-autoscaler',
  'service-lb': 'service-controller',
  'bootstrap-signer': 'bootstrap-signer',
  'token-cleaner': 'token-cleaner',
  job: 'job-controller',
  'ttl-after-finished': 'ttl-after-finished-controller',
  cronjob: 'cronjob-controller',
  'local-path-provisioner': 'local-path-provisioner',
  resourcequota: 'resourcequota-controller',
  'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  'certificatesigningrequest-signing': 'certificate-controller',
  'certificatesigningrequest-approving': 'certificate-controller',
  'certificatesigningrequest-cleaner': 'certificate-controller',
};

/** `system:serviceaccount:kube-system:<account>` and its groups, as the service account authenticator names it. */
export function controllerUser(controller: string): { name: string; groups: string[] } | undefined {
  const account = CONTROLLER_ACCOUNTS[controller];
  if (!account) return undefined;
  return {
    name: `system:serviceaccount:${CONTROLLER_ACCOUNT_NAMESPACE}:${account}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${CONTROLLER_ACCOUNT_NAMESPACE}`],
  };
}
