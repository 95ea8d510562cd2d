// Compact JWS (RFC 7515) signed with RS256 or ES256 through node:crypto, the token format of
// kube-apiserver's service account tokens (pkg/serviceaccount/jwt.go signs with go-jose).
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'ES256';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  alg: JwtAlgorithm;
  /** Key id: the base64url SHA-256 of the DER public key, as upstream's keyIDFromPublicKey. */
  kid: string;
}

export class JwtError extends Error {
  readonly code: 'malformed' | 'algorithm' | 'signature';
  constructor(code: JwtError['code'], message: string) {
    super(message);
    this.name = 'JwtError';
    this.code = code;
  }
}

export function signingKey(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, alg: algorithmFor(publicKey), kid: keyId(publicKey) };
}

export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

function algorithmFor(key: KeyObject): JwtAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`service account signing keys must be RSA or ECDSA P-256, not ${key.asymmetricKeyType ?? 'unknown'}`);
}

export function signJwt(claims: object, key: SigningKey): string {
  const header = b64json({ alg: key.alg, kid: key.kid });
  const payload = b64json(claims);
  const input = Buffer.from(`${header}.${payload}`, 'ascii');
  // JWS wants ECDSA signatures as r||s (IEEE P1363), not DER.
  const sig = sign('sha256', input, key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
  return `${header}.${payload}.${sig.toString('base64url')}`;
}

/** True when the string looks like a compact JWS (three base64url parts), whatever its signer. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** The claims of a token `key` signed; throws JwtError otherwise. Claims are not checked here. */
export function verifyJwt(token: string, key: Pick<SigningKey, 'publicKey' | 'alg'>): Record<string, unknown> {
  if (!looksLikeJwt(token)) throw new JwtError('malformed', 'not a compact JWS');
  const [h, p, s] = token.split('.') as [string, string, string];
  const header = parseJson(h);
  if (header.alg !== key.alg) throw new JwtError('algorithm', `unexpected algorithm ${JSON.stringify(header.alg)}`);
  const ok = verify('sha256', Buffer.from(`${h}.${p}`, 'ascii'),
    key.alg === 'ES256' ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' } : key.publicKey,
    Buffer.from(s, 'base64url'));
  if (!ok) throw new JwtError('signature', 'invalid signature');
  return parseJson(p);
}

/** The claims of a token without checking its signature (for tests and diagnostics only). */
export function decodeJwtUnverified(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  if (!looksLikeJwt(token)) throw new JwtError('malformed', 'not a compact JWS');
  const [h, p] = token.split('.') as [string, string];
  return { header: parseJson(h), claims: parseJson(p) };
}

function b64json(v: object): string {
  return Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
}

function parseJson(part: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError('malformed', 'a part is not base64url JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JwtError('malformed', 'a part is not a JSON object');
  return v as Record<string, unknown>;
}
