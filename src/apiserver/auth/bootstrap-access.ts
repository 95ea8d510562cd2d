// What anonymous requests and bootstrap-token users may do. skiff has no authorizer yet, so
// these two are fenced in here by hand, to what upstream's default RBAC grants them:
// anonymous users may read the `cluster-info` ConfigMap in kube-public (kubeadm's
// `kubeadm:bootstrap-signer-clusterinfo` Role) and nothing but health; bootstrappers may read it,
// see discovery and ask for their node's client certificate (in upstream: create a
// CertificateSigningRequest, the `system:node-bootstrapper` ClusterRole), and nothing else.
import { forbidden } from '../../api/errors.ts';
import type { UserInfo } from '../admission/types.ts';
import type { RequestInfo } from '../request-info.ts';
import { BOOTSTRAPPERS_GROUP } from './bootstrap-token.ts';

/** Where a joining node sends its certificate request (a narrow stand-in for the CSR API; see node-certificate.ts). */
export const NODE_CERTIFICATE_PATH = '/v1-skiff/node-client-certificate';
export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_NAME = 'cluster-info';

const MASTERS = 'system:masters';
const DISCOVERY_PATH = /^\/(api|apis|version)(\/[^/]*(\/[^/]*)?)?\/?$/;

/** `GET /api/v1/namespaces/kube-public/configmaps/cluster-info`: the one read anyone may do. */
export function isClusterInfoRead(ri: RequestInfo): boolean {
  return ri.isResourceRequest && ri.verb === 'get' && ri.group === '' && ri.resource === 'configmaps' && ri.subresource === ''
    && ri.namespace === CLUSTER_INFO_NAMESPACE && ri.name === CLUSTER_INFO_NAME;
}

/** Throws Forbidden when a bootstrap-token user asks for more than joining needs. */
export function checkBootstrapperAccess(user: UserInfo, ri: RequestInfo, method: string): void {
  if (!user.groups.includes(BOOTSTRAPPERS_GROUP) || user.groups.includes(MASTERS)) return;
  if (isClusterInfoRead(ri)) return;
  // system:node-bootstrapper: create, get, list and watch certificatesigningrequests.
  if (ri.isResourceRequest && ri.group === 'certificates.k8s.io' && ri.resource === 'certificatesigningrequests' && ri.subresource === ''
    && ['create', 'get', 'list', 'watch'].includes(ri.verb)) return;
  if (!ri.isResourceRequest) {
    if (ri.path === NODE_CERTIFICATE_PATH && method === 'POST') return;
    if ((method === 'GET' || method === 'HEAD') && DISCOVERY_PATH.test(ri.path)) return;
    throw forbidden(`forbidden: User "${user.name}" cannot ${method.toLowerCase()} path "${ri.path}"`);
  }
  throw forbidden(denial(user, ri));
}

/** Upstream's message for an RBAC denial (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go). */
function denial(user: UserInfo, ri: RequestInfo): string {
  const resource = ri.subresource ? `${ri.resource}/${ri.subresource}` : ri.resource;
  const gr = ri.group ? `${ri.resource}.${ri.group}` : ri.resource;
  const what = ri.name ? `${gr} "${ri.name}"` : gr;
  const scope = ri.namespace ? `in the namespace "${ri.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${user.name}" cannot ${ri.verb} resource "${resource}" in API group "${ri.group}" ${scope}`;
}
