// CA pinning for joining nodes: `sha256:<hex>` of the CA certificate's SubjectPublicKeyInfo, the
// format of kubeadm's --discovery-token-ca-cert-hash (cmd/kubeadm/app/util/pubkeypin/pubkeypin.go).
import { createHash, X509Certificate } from 'node:crypto';

const HASH_RE = /^sha256:([0-9a-f]{64})$/;

/** The pin of a PEM certificate: `sha256:` and the hex SHA-256 of its DER SubjectPublicKeyInfo. */
export function caCertHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** Checks the format of a pin (`sha256:` and 64 hex digits, case-insensitive); answers it lower-cased. */
export function parseCaCertHash(text: string): string {
  const pin = text.trim().toLowerCase();
  if (HASH_RE.test(pin)) return pin;
  if (/^[0-9a-f]{64}$/.test(pin)) throw new Error(`Cannot use CA certificate hash "${text}": the format is "sha256:<hex>" (missing the "sha256:" prefix)`);
  if (pin.includes(':') && !pin.startsWith('sha256:')) throw new Error(`Cannot use CA certificate hash "${text}": unsupported hash type "${pin.split(':')[0]!}" (only sha256 is)`);
  throw new Error(`Cannot use CA certificate hash "${text}": expected "sha256:" followed by 64 hex digits`);
}
