// A joining node's client certificate. Upstream, the kubelet creates a CertificateSigningRequest
// with a bootstrap token, the csrapproving controller approves it (a bootstrapper may ask for any
// `system:node:*` client certificate, a node for its own: pkg/controller/certificates/approver
// /sarapprove.go) and the csrsigning controller signs it with the cluster CA
// (kubernetes.io/kube-apiserver-client-kubelet). skiff has no certificates.k8s.io yet, so this
// endpoint does the same three steps in one request, k3s-style (k3s serves
// /v1-k3s/client-kubelet.crt): the node sends a PKCS#10 request for its own key, the checks are
// upstream's ValidateKubeletClientCSR (exactly O=system:nodes, CN=system:node:<name>, no SANs),
// and the answer is the signed certificate. The private key never leaves the node.
// With `?identity=kube-proxy` the same endpoint hands a bootstrapper the certificate of the node's
// network components instead (user system:kube-proxy, as k3s's agent fetches client-kube-proxy.crt
// for a key it keeps): a request with exactly CN=system:kube-proxy and nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { badRequest, forbidden, methodNotAllowed } from '../../api/errors.ts';
import type { UserInfo } from '../admission/types.ts';
import { readBody, writeRaw } from '../http-io.ts';
import { BOOTSTRAPPERS_GROUP } from './bootstrap-token.ts';
import { readCsr, signLeaf, type CertKeyPem } from './certs.ts';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
/** The user the node network (service proxy, DNS, NetworkPolicy, Ingress, routes) acts as. */
export const KUBE_PROXY_USER = 'system:kube-proxy';
/** The query parameter choosing which certificate is asked for: `node` (default) or `kube-proxy`. */
export const IDENTITY_PARAM = 'identity';
/** kube-controller-manager's --cluster-signing-duration default (a year). */
const NODE_CERT_DAYS = 365;
const MAX_CSR_BYTES = 64 * 1024;
const NODE_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The node name a PEM request asks a client certificate for; throws BadRequest for any other request. */
export async function nodeNameFromCsr(csrPem: string): Promise<{ node: string; publicKey: Awaited<ReturnType<typeof readCsr>>['publicKey'] }> {
  let facts;
  try {
    facts = await readCsr(csrPem);
  } catch (err) {
    throw badRequest(`Cannot read the certificate request: ${(err as Error).message}`);
  }
  const orgs = facts.subject.filter(([k]) => k === 'O').map(([, v]) => v);
  const cns = facts.subject.filter(([k]) => k === 'CN').map(([, v]) => v);
  const others = facts.subject.filter(([k]) => k !== 'O' && k !== 'CN');
  if (orgs.length !== 1 || orgs[0] !== NODES_GROUP) throw badRequest(`the certificate request must have exactly one organization, "${NODES_GROUP}"`);
  if (cns.length !== 1 || !cns[0]!.startsWith(NODE_USER_PREFIX)) throw badRequest(`the certificate request's common name must be "${NODE_USER_PREFIX}<node name>"`);
  if (others.length > 0) throw badRequest(`the certificate request's subject may hold only O and CN, not ${others.map(([k]) => k).join(', ')}`);
  if (facts.hasExtensions) throw badRequest('the certificate request may not ask for extensions (subject alternative names and the like)');
  const node = cns[0]!.slice(NODE_USER_PREFIX.length);
  if (node.length === 0 || node.length > 253 || !NODE_NAME_RE.test(node)) throw badRequest(`"${node}" is not a valid node name`);
  return { node, publicKey: facts.publicKey };
}

/** The public key of a request for the node network's certificate: exactly CN=system:kube-proxy, no organization, no extensions. */
export async function kubeProxyKeyFromCsr(csrPem: string): Promise<Awaited<ReturnType<typeof readCsr>>['publicKey']> {
  let facts;
  try {
    facts = await readCsr(csrPem);
  } catch (err) {
    throw badRequest(`Cannot read the certificate request: ${(err as Error).message}`);
  }
  const cns = facts.subject.filter(([k]) => k === 'CN').map(([, v]) => v);
  const others = facts.subject.filter(([k]) => k !== 'CN');
  if (cns.length !== 1 || cns[0] !== KUBE_PROXY_USER) throw badRequest(`the certificate request's common name must be "${KUBE_PROXY_USER}"`);
  if (others.length > 0) throw badRequest(`the certificate request for "${KUBE_PROXY_USER}" may hold only CN, not ${others.map(([k]) => k).join(', ')}`);
  if (facts.hasExtensions) throw badRequest('the certificate request may not ask for extensions (subject alternative names and the like)');
  return facts.publicKey;
}

/** Whether `user` may get a client certificate for node `node` (sarapprove's nodeclient and selfnodeclient). */
export function mayGetNodeCertificate(user: UserInfo, node: string): boolean {
  if (user.groups.includes(BOOTSTRAPPERS_GROUP)) return true;
  return user.name === `${NODE_USER_PREFIX}${node}` && user.groups.includes(NODES_GROUP);
}

/** POST NODE_CERTIFICATE_PATH with a PEM request: answers the PEM certificate. */
export async function handleNodeCertificate(req: IncomingMessage, res: ServerResponse, user: UserInfo, ca: CertKeyPem, log: Logger): Promise<void> {
  if (req.method !== 'POST') throw methodNotAllowed('the node certificate endpoint takes POST');
  const identity = new URL(req.url ?? '/', 'https://localhost').searchParams.get(IDENTITY_PARAM) ?? 'node';
  if (identity !== 'node' && identity !== 'kube-proxy') throw badRequest(`unknown ${IDENTITY_PARAM} "${identity}": expected node or kube-proxy`);
  const body = (await readBody(req, MAX_CSR_BYTES)).toString('utf8');
  if (!body.includes('-----BEGIN CERTIFICATE REQUEST-----')) throw badRequest('expected a PEM "CERTIFICATE REQUEST" as the request body');
  if (identity === 'kube-proxy') {
    const publicKey = await kubeProxyKeyFromCsr(body);
    // Only a joining machine holding a bootstrap token: a node's own credentials do not stretch to the network's.
    if (!user.groups.includes(BOOTSTRAPPERS_GROUP)) throw forbidden(`User "${user.name}" may not get a client certificate for "${KUBE_PROXY_USER}"`);
    const certPem = await signLeaf(ca, publicKey, { cn: KUBE_PROXY_USER, orgs: [], usage: 'client', days: NODE_CERT_DAYS });
    log.info({ user: user.name }, 'node network client certificate issued');
    writeRaw(res, 200, certPem, 'application/x-pem-file');
    return;
  }
  const { node, publicKey } = await nodeNameFromCsr(body);
  if (!mayGetNodeCertificate(user, node)) {
    throw forbidden(`User "${user.name}" may not get a client certificate for node "${node}"`);
  }
  const certPem = await signLeaf(ca, publicKey, { cn: `${NODE_USER_PREFIX}${node}`, orgs: [NODES_GROUP], usage: 'client', days: NODE_CERT_DAYS });
  log.info({ node, user: user.name }, 'node client certificate issued');
  writeRaw(res, 200, certPem, 'application/x-pem-file');
}
