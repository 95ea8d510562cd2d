// rbac.authorization.k8s.io/v1 object types (staging/src/k8s.io/api/rbac/v1/types.go), as plain JSON.
import type { KubeObject, ObjectMeta } from '../meta.ts';
import type { LabelSelector } from './core-v1.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
/** Bootstrap objects carrying this annotation ("true") are reconciled at every API server start. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';

/** One rule (the same shape as src/apiserver/authorization/types.ts PolicyRule, which the API layer cannot import). */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  /** User, Group or ServiceAccount. */
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  /** Role or ClusterRole. */
  kind: string;
  name: string;
}

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelector[];
}

export interface Role extends KubeObject {
  metadata: ObjectMeta;
  rules?: PolicyRule[] | null;
}

export interface ClusterRole extends Role {
  aggregationRule?: AggregationRule;
}

export interface RoleBinding extends KubeObject {
  metadata: ObjectMeta;
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

export type ClusterRoleBinding = RoleBinding;
