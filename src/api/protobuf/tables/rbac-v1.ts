// Wire tables for k8s.io/api rbac/v1 (release-1.36 field numbers): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const rbacV1: PackageTable = {
  proto: 'k8s.io.api.rbac.v1',
  alias: 'rbac',
  messages: {
    AggregationRule: ['1 clusterRoleSelectors meta.LabelSelector[]'],
    ClusterRole: ['1 metadata meta.ObjectMeta', '2 rules *PolicyRule[]', '3 aggregationRule AggregationRule'],
    ClusterRoleBinding: ['1 metadata meta.ObjectMeta', '2 subjects Subject[]', '3 roleRef *RoleRef'],
    PolicyRule: ['1 verbs *string[]', '2 apiGroups string[]', '3 resources string[]', '4 resourceNames string[]', '5 nonResourceURLs string[]'],
    Role: ['1 metadata meta.ObjectMeta', '2 rules *PolicyRule[]'],
    RoleBinding: ['1 metadata meta.ObjectMeta', '2 subjects Subject[]', '3 roleRef *RoleRef'],
    RoleRef: ['1 apiGroup *string', '2 kind *string', '3 name *string'],
    Subject: ['1 kind *string', '2 apiGroup string', '3 name *string', '4 namespace string'],
  },
};
