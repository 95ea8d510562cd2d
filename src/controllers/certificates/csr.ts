// What the certificate controllers share: the CSR's shape, its approval state, and upstream's
// checks of what the kubelet client signer accepts (pkg/apis/certificates/v1 helpers,
// pkg/apis/certificates/helpers.go ValidateKubeletClientCSR).
import type { KubeObject } from '../../api/meta.ts';
import type { CertificateRequestFacts } from '../../pki/certs.ts';

export const CSR_API_VERSION = 'certificates.k8s.io/v1';
export const CSR_RESOURCE = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', namespaced: false } as const;

export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface Csr extends KubeObject {
  spec: {
    request: string;
    signerName: string;
    expirationSeconds?: number;
    usages?: string[];
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  status?: { conditions?: CsrCondition[]; certificate?: string };
}

export function hasCondition(csr: Csr, type: string): CsrCondition | undefined {
  return csr.status?.conditions?.find((c) => c.type === type);
}

/** Approved and not denied (certificates.IsCertificateRequestApproved). */
export function isApproved(csr: Csr): boolean {
  return hasCondition(csr, 'Approved') !== undefined && hasCondition(csr, 'Denied') === undefined;
}

/** The PEM text of spec.request (base64 in JSON). */
export function requestPem(csr: Csr): string {
  return Buffer.from(csr.spec.request ?? '', 'base64').toString('utf8');
}

const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';

/** ValidateKubeletClientCSR: O=system:nodes only, CN system:node:*, no SANs, usages exactly the kubelet client ones. */
export function kubeletClientCsrError(req: CertificateRequestFacts, usages: readonly string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP) return 'subject organization is not system:nodes';
  if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (req.emails.length) return 'Email subjectAltNames are not allowed';
  if (req.ips.length) return 'IP subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith(NODE_PREFIX)) return 'subject common name does not begin with system:node:';
  const set = new Set(usages);
  const fits = (want: string[]): boolean => set.size === want.length && want.every((u) => set.has(u));
  if (!fits(['digital signature', 'client auth']) && !fits(['key encipherment', 'digital signature', 'client auth'])) {
    return `usages did not match [client auth digital signature] or [client auth digital signature key encipherment]`;
  }
  return undefined;
}

/** validAPIServerClientUsages: client auth required; digital signature and key encipherment allowed. */
export function apiServerClientUsagesError(usages: readonly string[]): string | undefined {
  let clientAuth = false;
  for (const u of usages) {
    if (u === 'client auth') clientAuth = true;
    else if (u !== 'digital signature' && u !== 'key encipherment') return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? undefined : 'missing required usage for client certificate: client auth';
}
