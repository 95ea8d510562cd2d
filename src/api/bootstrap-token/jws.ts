// The signatures in kube-public/cluster-info: for every token allowed to sign, a detached JWS
// (RFC 7515 appendix F: `header..signature`, the payload left out) of the kubeconfig, HS256 with
// the token's secret half as the key and its id as `kid`. A joining node that holds the
// token checks that the server it reads cluster-info from knows the token too
// (k8s.io/cluster-bootstrap/token/jws/jws.go; the key `jws-kubeconfig-<id>`).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const JWS_KEY_PREFIX = 'jws-kubeconfig-';

/**
 * Upstream pads a secret shorter than 32 bytes with zeros to 32 (go-jose's minimum HS256 key);
 * HMAC pads every key with zeros to its block size anyway, so the secret as it is gives the same MAC.
 */
const hmacKey = (secret: string): Buffer => Buffer.from(secret, 'utf8');

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** `header..signature` over `content` for token `id.secret`. */
export function computeDetachedSignature(content: string, id: string, secret: string): string {
  // go-jose writes the protected header's members in this order; the bytes are part of what is signed.
  const header = b64url(JSON.stringify({ alg: 'HS256', kid: id }));
  const mac = createHmac('sha256', hmacKey(secret)).update(`${header}.${b64url(content)}`).digest();
  return `${header}..${b64url(mac)}`;
}

/** Whether `sig` is a valid detached HS256 JWS of `content` by token `id.secret`. */
export function detachedSignatureIsValid(sig: string, content: string, id: string, secret: string): boolean {
  const parts = sig.split('.');
  if (parts.length !== 3 || parts[1] !== '') return false;
  const [header, , mac] = parts as [string, string, string];
  let h: { alg?: unknown; kid?: unknown };
  try {
    h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
  } catch {
    return false;
  }
  // Only HS256, never `none` or anything the signer did not choose.
  if (h.alg !== 'HS256' || (h.kid !== undefined && h.kid !== id)) return false;
  const want = createHmac('sha256', hmacKey(secret)).update(`${header}.${b64url(content)}`).digest();
  const got = Buffer.from(mac, 'base64url');
  return got.length === want.length && timingSafeEqual(got, want);
}
