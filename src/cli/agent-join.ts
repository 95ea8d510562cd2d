// `skiff agent --token … --ca-cert-hash …`: joining a cluster from a bootstrap token, as `kubeadm
// join` does (cmd/kubeadm/app/discovery/token/token.go, then the kubelet's TLS bootstrap,
// pkg/kubelet/certificate/bootstrap/bootstrap.go):
//   1. read kube-public/cluster-info without trusting the server yet, and take the CA from it only
//      if its public key hashes to the pinned --ca-cert-hash;
//   2. from then on talk to the server over TLS verified against that CA, with the token;
//   3. make a key here, send a certificate request for system:node:NAME, get it signed;
//   4. keep the result in DATA_DIR/kubelet.kubeconfig, so a restart needs no token.
// The node network (service proxy, DNS, NetworkPolicy, Ingress, routes) gets an identity of its
// own the same way, system:kube-proxy (k3s's agent fetches client-kube-proxy.crt), kept in
// DATA_DIR/kube-proxy.kubeconfig: joinNodeNetwork.
import { X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { isStatusError } from '../api/errors.ts';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, NODE_CERTIFICATE_PATH } from '../apiserver/auth/bootstrap-access.ts';
import { IDENTITY_PARAM, KUBE_PROXY_USER } from '../apiserver/auth/node-certificate.ts';
import { detachedSignatureIsValid, JWS_KEY_PREFIX } from '../api/bootstrap-token/jws.ts';
import { parseBootstrapToken } from '../api/bootstrap-token/token.ts';
import { caCertHash, parseCaCertHash } from '../apiserver/auth/ca-hash.ts';
import { createCsr, keyMatchesCert } from '../apiserver/auth/certs.ts';
import { writeKubeconfig } from '../apiserver/auth/kubeconfig.ts';
import { loadKubeconfig, type ClientConfig } from '../client/kubeconfig.ts';
import { RestClient } from '../client/rest-client.ts';

export const NODE_KUBECONFIG_FILE = 'kubelet.kubeconfig';
export const KUBE_PROXY_KUBECONFIG_FILE = 'kube-proxy.kubeconfig';

export interface JoinOptions {
  server: string;
  token: string;
  caCertHash: string;
  nodeName: string;
  dataDir: string;
  log: Logger;
  /** How long to wait for the control plane to sign cluster-info for a new token (default 30 s). */
  signatureWaitMs?: number;
}

export class JoinError extends Error {
  readonly code = 'JoinError';
}

const CLUSTER_INFO_PATH = `/api/v1/namespaces/${CLUSTER_INFO_NAMESPACE}/configmaps/${CLUSTER_INFO_NAME}`;

/** The node's credentials: the kubeconfig of an earlier join if still good, else a new join. */
export async function joinCluster(o: JoinOptions): Promise<ClientConfig> {
  // Both are checked before anything goes over the network.
  parseBootstrapToken(o.token);
  const pin = parseCaCertHash(o.caCertHash);
  const server = o.server.replace(/\/+$/, '');
  const path = join(o.dataDir, NODE_KUBECONFIG_FILE);
  const kept = await loadKubeconfig(path).catch(() => undefined);
  if (kept && usable(kept, server, `system:node:${o.nodeName}`, pin)) {
    o.log.info({ kubeconfig: path }, 'using the node credentials of an earlier join');
    return { ...kept, userAgent: 'skiff-agent' };
  }

  const caPem = await discoverCa(server, pin);
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  const secure = new RestClient({ server, caPem, token: o.token, namespace: 'default', userAgent: 'skiff-agent-join' });
  try {
    // The same document over verified TLS, with the token: proves the server holds the CA's key
    // and that the token is accepted, before a key is made; its signature by the token proves the
    // server knows the token's secret.
    await checkSignature(secure, server, parseBootstrapToken(o.token), caPem, o.signatureWaitMs ?? 30_000);
    const { csrPem, keyPem } = await createCsr(`system:node:${o.nodeName}`, ['system:nodes']);
    const certPem = await secure.request<string>('POST', NODE_CERTIFICATE_PATH, { body: csrPem, contentType: 'application/pkcs10', accept: 'application/x-pem-file' })
      .catch((err: unknown) => { throw explain(err, server, `get a client certificate for node "${o.nodeName}"`); });
    if (typeof certPem !== 'string' || !keyMatchesCert(keyPem, certPem)) throw new JoinError(`Cannot join ${server}: the server answered the certificate request with something other than a certificate for this node's key`);
    await writeKubeconfig(path, { server, caCertPem: caPem, clientCertPem: certPem, clientKeyPem: keyPem, clusterName: 'skiff', userName: `system:node:${o.nodeName}`, contextName: 'skiff' });
    o.log.info({ kubeconfig: path }, 'joined: node client certificate issued');
    return { server, caPem, certPem, keyPem, namespace: 'default', userAgent: 'skiff-agent' };
  } finally {
    secure.close();
  }
}

/**
 * The node network's credentials (user system:kube-proxy): those of an earlier join if still good,
 * else a certificate for a key made here, asked for with the bootstrap token from the server whose
 * CA matches the pin (call after joinCluster, which checked the server's signature of cluster-info).
 */
export async function joinNodeNetwork(o: Omit<JoinOptions, 'nodeName' | 'signatureWaitMs'>): Promise<ClientConfig> {
  parseBootstrapToken(o.token);
  const pin = parseCaCertHash(o.caCertHash);
  const server = o.server.replace(/\/+$/, '');
  const path = join(o.dataDir, KUBE_PROXY_KUBECONFIG_FILE);
  const kept = await loadKubeconfig(path).catch(() => undefined);
  if (kept && usable(kept, server, KUBE_PROXY_USER, pin)) return { ...kept, userAgent: 'skiff-node-network' };
  const caPem = await discoverCa(server, pin);
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  const secure = new RestClient({ server, caPem, token: o.token, namespace: 'default', userAgent: 'skiff-agent-join' });
  try {
    const { csrPem, keyPem } = await createCsr(KUBE_PROXY_USER, []);
    const certPem = await secure.request<string>('POST', `${NODE_CERTIFICATE_PATH}?${IDENTITY_PARAM}=kube-proxy`, { body: csrPem, contentType: 'application/pkcs10', accept: 'application/x-pem-file' })
      .catch((err: unknown) => { throw explain(err, server, `get a client certificate for the node network (${KUBE_PROXY_USER})`); });
    if (typeof certPem !== 'string' || !keyMatchesCert(keyPem, certPem)) throw new JoinError(`Cannot join ${server}: the server answered the node network's certificate request with something other than a certificate for its key`);
    await writeKubeconfig(path, { server, caCertPem: caPem, clientCertPem: certPem, clientKeyPem: keyPem, clusterName: 'skiff', userName: KUBE_PROXY_USER, contextName: 'skiff' });
    o.log.info({ kubeconfig: path }, 'node network client certificate issued');
    return { server, caPem, certPem, keyPem, namespace: 'default', userAgent: 'skiff-node-network' };
  } finally {
    secure.close();
  }
}

/** Step 1: the CA from cluster-info, read over TLS not yet verified, accepted only if it matches the pin. */
export async function discoverCa(server: string, pin: string): Promise<string> {
  const insecure = new RestClient({ server, insecureSkipTLSVerify: true, namespace: 'default', userAgent: 'skiff-agent-join' });
  let cm: { data?: Record<string, string> };
  try {
    cm = await insecure.request(`GET`, CLUSTER_INFO_PATH);
  } catch (err) {
    throw explain(err, server, `read ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME}`);
  } finally {
    insecure.close();
  }
  const caPem = caFromClusterInfo(cm.data?.kubeconfig);
  if (caPem === undefined) throw new JoinError(`Cannot join ${server}: the ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} ConfigMap holds no kubeconfig with a CA certificate`);
  const actual = caCertHash(caPem);
  if (actual !== pin) {
    throw new JoinError(`Cannot join ${server}: the server's CA does not match --ca-cert-hash (it is ${actual}, the pinned one is ${pin}); refusing to trust this server`);
  }
  return caPem;
}

/**
 * cluster-info as the token's holder sees it must carry a valid `jws-kubeconfig-<id>` for its
 * token and the pinned CA (kubeadm's discovery/token). The bootstrap-signer controller adds the
 * signature shortly after a token is made, hence the wait.
 */
async function checkSignature(client: RestClient, server: string, token: { id: string; secret: string }, caPem: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const cm = await client.request<{ data?: Record<string, string> }>('GET', CLUSTER_INFO_PATH)
      .catch((err: unknown) => { throw explain(err, server, `read ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} with the token`); });
    const kubeconfig = cm.data?.kubeconfig ?? '';
    const sig = cm.data?.[`${JWS_KEY_PREFIX}${token.id}`];
    if (sig !== undefined) {
      if (!detachedSignatureIsValid(sig, kubeconfig, token.id, token.secret)) {
        throw new JoinError(`Cannot join ${server}: the signature of ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} for token "${token.id}" does not verify; refusing to trust this server`);
      }
      if (caFromClusterInfo(kubeconfig) !== caPem) throw new JoinError(`Cannot join ${server}: ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} changed its CA while joining`);
      return;
    }
    if (Date.now() >= deadline) {
      throw new JoinError(`Cannot join ${server}: ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} is not signed for token "${token.id}" (is the bootstrap-signer controller running?)`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The first cluster's CA (PEM) in cluster-info's kubeconfig. */
export function caFromClusterInfo(kubeconfig: string | undefined): string | undefined {
  if (!kubeconfig) return undefined;
  try {
    const doc = parse(kubeconfig) as { clusters?: Array<{ cluster?: Record<string, unknown> }> };
    const data = doc.clusters?.[0]?.cluster?.['certificate-authority-data'];
    if (typeof data !== 'string') return undefined;
    const pem = Buffer.from(data, 'base64').toString('utf8');
    new X509Certificate(pem);
    return pem;
  } catch {
    return undefined;
  }
}

function usable(cfg: ClientConfig, server: string, user: string, pin: string): boolean {
  if (cfg.server !== server || !cfg.caPem || !cfg.certPem || !cfg.keyPem) return false;
  try {
    if (caCertHash(cfg.caPem) !== pin) return false;
    const cert = new X509Certificate(cfg.certPem);
    if (new Date(cert.validTo).getTime() <= Date.now()) return false;
    if (!cert.subject.split('\n').includes(`CN=${user}`)) return false;
    return keyMatchesCert(cfg.keyPem, cfg.certPem);
  } catch {
    return false;
  }
}

function explain(err: unknown, server: string, what: string): Error {
  if (isStatusError(err) && err.code === 401) {
    return new JoinError(`Cannot join ${server}: the server does not accept the token (unknown, revoked or expired); ${what} failed`, { cause: err });
  }
  if (isStatusError(err)) return new JoinError(`Cannot join ${server}: ${what}: ${err.message}`, { cause: err });
  return new JoinError(`Cannot join ${server}: ${what}: ${(err as Error).message}`, { cause: err });
}
