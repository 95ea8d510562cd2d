// kube-apiserver's authorizer union (k8s.io/apiserver/pkg/authorization/union/union.go) behind
// the privileged-group authorizer it puts first (pkg/kubeapiserver/authorizer/config.go:
// system:masters may do anything, whatever the other authorizers say), and the 403 the
// authorization filter writes when nobody allows (endpoints/filters/authorization.go,
// endpoints/handlers/responsewriters/errors.go Forbidden, apimachinery's NewForbidden).
import { newStatus, StatusError } from '../../api/errors.ts';
import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from './types.ts';

export const PRIVILEGED_GROUP = 'system:masters';

export const privilegedGroupAuthorizer: Authorizer = {
  name: 'PrivilegedGroups',
  authorize: (a) => (a.user.groups.includes(PRIVILEGED_GROUP) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: '' }),
};

export class AuthorizerChain implements Authorizer {
  readonly name = 'Union';
  readonly #authorizers: readonly Authorizer[];

  /** In order; RBAC last. The privileged-group authorizer is put in front. */
  constructor(authorizers: readonly Authorizer[]) {
    this.#authorizers = [privilegedGroupAuthorizer, ...authorizers];
  }

  /** The first allow or deny decides; with none, denied with every authorizer's reason joined. */
  async authorize(a: AuthorizationAttributes): Promise<AuthorizationResult> {
    const reasons: string[] = [];
    for (const z of this.#authorizers) {
      const r = await z.authorize(a);
      if (r.decision !== 'no-opinion') return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: 'deny', reason: reasons.join('\n') };
  }
}

/** "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"prod\"". */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  const user = JSON.stringify(a.user.name);
  if (!a.isResourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${user} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${scope}`;
}

/** apierrors.NewForbidden for the request's group/resource and name. */
export function newForbidden(group: string, resource: string, name: string, message: string): StatusError {
  const gr = resource ? (group ? `${resource}.${group}` : resource) : '';
  const text = !gr ? `forbidden: ${message}` : name ? `${gr} ${JSON.stringify(name)} is forbidden: ${message}` : `${gr} is forbidden: ${message}`;
  return new StatusError(newStatus(403, 'Forbidden', text, { name, group, kind: resource }));
}

/** The authorization filter's answer to a denied request. */
export function forbiddenFor(a: AuthorizationAttributes, reason: string): StatusError {
  const msg = forbiddenMessage(a);
  return newForbidden(a.isResourceRequest ? a.apiGroup : '', a.isResourceRequest ? a.resource : '', a.isResourceRequest ? a.name : '', reason ? `${msg}: ${reason}` : msg);
}
