// What an authorizer is asked and what it answers (k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go).
// Authorizers are chained as kube-apiserver's --authorization-mode=Node,RBAC: the first that
// allows or denies decides; when every one has no opinion the request is denied.
import type { UserInfo } from '../admission/types.ts';
import type { RequestInfo } from '../request-info.ts';

export interface AuthorizationAttributes {
  user: UserInfo;
  /** Resource verbs (get, list, watch, create, update, patch, delete, deletecollection, and
   * impersonate, bind, escalate, approve, sign, use…) or, for non-resource requests, the HTTP
   * method lower-cased. */
  verb: string;
  isResourceRequest: boolean;
  /** The request path (non-resource requests are authorized on it). */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  /** The list/watch field selector (`spec.nodeName=n1`), when the request has one: the Node
   * authorizer lets a node list only its own pods (AuthorizeNodeWithSelectors). */
  fieldSelector?: string;
}

export type Decision = 'allow' | 'deny' | 'no-opinion';

export interface AuthorizationResult {
  decision: Decision;
  /** Why, in a few words (appended to the Forbidden message, and SubjectAccessReview's status.reason). */
  reason: string;
}

export interface Authorizer {
  readonly name: string;
  authorize(a: AuthorizationAttributes): AuthorizationResult | Promise<AuthorizationResult>;
}

/** The attributes of an API request, from its parsed RequestInfo (k8s.io/apiserver/pkg/endpoints/filters/authorization.go GetAuthorizerAttributes). */
export function requestAttributes(user: UserInfo, ri: RequestInfo, query?: URLSearchParams): AuthorizationAttributes {
  const fieldSelector = query?.get('fieldSelector') ?? undefined;
  return {
    user, verb: ri.verb, isResourceRequest: ri.isResourceRequest, path: ri.path,
    namespace: ri.namespace, apiGroup: ri.group, apiVersion: ri.version,
    resource: ri.resource, subresource: ri.subresource, name: ri.name,
    ...(fieldSelector ? { fieldSelector } : {}),
  };
}

/** One rule of a Role or ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** The rules a user holds in a namespace ('' for cluster-wide only): SelfSubjectRulesReview and escalation checks read them. */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): Promise<{ rules: PolicyRule[]; incomplete: boolean; error?: string }>;
}
