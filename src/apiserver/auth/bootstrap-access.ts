// The endpoints a joining node uses before it has credentials of its own. What anonymous users
// and bootstrap-token users may do there is RBAC policy (src/apiserver/authorization/bootstrap-policy):
// anyone may read the `cluster-info` ConfigMap in kube-public (kubeadm's
// `kubeadm:bootstrap-signer-clusterinfo` Role), and bootstrappers may ask for their node's client
// certificate (skiff's stand-in for creating a CertificateSigningRequest).
import type { RequestInfo } from '../request-info.ts';

/** Where a joining node sends its certificate request (a narrow stand-in for the CSR API; see node-certificate.ts). */
export const NODE_CERTIFICATE_PATH = '/v1-skiff/node-client-certificate';
export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_NAME = 'cluster-info';

/** `GET /api/v1/namespaces/kube-public/configmaps/cluster-info`: the one resource anonymous users may ask for. */
export function isClusterInfoRead(ri: RequestInfo): boolean {
  return ri.isResourceRequest && ri.verb === 'get' && ri.group === '' && ri.resource === 'configmaps' && ri.subresource === ''
    && ri.namespace === CLUSTER_INFO_NAMESPACE && ri.name === CLUSTER_INFO_NAME;
}
