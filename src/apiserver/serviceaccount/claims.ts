// The claims of a bound service account token and their validation (pkg/serviceaccount/claims.go):
// standard iss/sub/aud/exp/iat/nbf/jti plus a private "kubernetes.io" claim naming the
// namespace, the service account and the object the token is bound to.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/meta.ts';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

export interface ObjectRef { name: string; uid: string }

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** The node a bound pod runs on, or the node the token is bound to. */
  node?: ObjectRef;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

/** pkg/serviceaccount/util.go MakeUsername. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

export interface ClaimsInput {
  issuer: string;
  serviceAccount: KubeObject;
  pod?: KubeObject;
  secret?: KubeObject;
  node?: KubeObject;
  audiences: string[];
  expirationSeconds: number;
  now: Date;
}

export function buildClaims(input: ClaimsInput): TokenClaims {
  const now = Math.floor(input.now.getTime() / 1000);
  const sa = input.serviceAccount.metadata;
  const k8s: KubernetesClaim = { namespace: sa.namespace ?? '', serviceaccount: { name: sa.name ?? '', uid: sa.uid ?? '' } };
  if (input.pod) k8s.pod = { name: input.pod.metadata.name ?? '', uid: input.pod.metadata.uid ?? '' };
  if (input.secret) k8s.secret = { name: input.secret.metadata.name ?? '', uid: input.secret.metadata.uid ?? '' };
  if (input.node) k8s.node = { name: input.node.metadata.name ?? '', uid: input.node.metadata.uid ?? '' };
  return {
    iss: input.issuer,
    sub: serviceAccountUsername(k8s.namespace, k8s.serviceaccount.name),
    aud: [...input.audiences],
    exp: now + input.expirationSeconds,
    iat: now,
    nbf: now,
    jti: randomUUID(),
    'kubernetes.io': k8s,
  };
}

export class InvalidTokenError extends Error {
  readonly code = 'InvalidToken';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

// Clock skew tolerated for nbf and iat, as upstream; exp is enforced without leeway.
const LEEWAY_SECONDS = 60;

/**
 * The time and audience checks of a token whose signature verified: the claims as TokenClaims, or
 * InvalidTokenError. `audiences` are the API server's; the token must name at least one of them.
 */
export function checkClaims(raw: Record<string, unknown>, opts: { issuer: string; audiences: string[]; now: Date }): TokenClaims {
  const now = opts.now.getTime() / 1000;
  if (raw.iss !== opts.issuer) throw new InvalidTokenError('token issuer is not accepted');
  const exp = raw.exp;
  if (typeof exp !== 'number') throw new InvalidTokenError('token has no expiry');
  if (now >= exp) throw new InvalidTokenError('token has expired');
  if (typeof raw.nbf === 'number' && now + LEEWAY_SECONDS < raw.nbf) throw new InvalidTokenError('token is not valid yet');
  if (typeof raw.iat === 'number' && now + LEEWAY_SECONDS < raw.iat) throw new InvalidTokenError('token was issued in the future');
  // aud may be one string or a list (RFC 7519 section 4.1.3).
  const aud = typeof raw.aud === 'string' ? [raw.aud] : Array.isArray(raw.aud) ? raw.aud.filter((a): a is string => typeof a === 'string') : [];
  if (!aud.some((a) => opts.audiences.includes(a))) throw new InvalidTokenError('token audiences are not accepted');
  const k8s = raw['kubernetes.io'] as Partial<KubernetesClaim> | undefined;
  if (!k8s || typeof k8s.namespace !== 'string' || k8s.namespace === '' || !isRef(k8s.serviceaccount)) {
    throw new InvalidTokenError('token has no kubernetes.io claim naming a service account');
  }
  if (raw.sub !== serviceAccountUsername(k8s.namespace, k8s.serviceaccount.name)) throw new InvalidTokenError('token subject does not match its service account');
  if (k8s.pod !== undefined && !isRef(k8s.pod)) throw new InvalidTokenError('token has a malformed pod reference');
  if (k8s.secret !== undefined && !isRef(k8s.secret)) throw new InvalidTokenError('token has a malformed secret reference');
  if (k8s.node !== undefined && !isRef(k8s.node)) throw new InvalidTokenError('token has a malformed node reference');
  return { ...(raw as unknown as TokenClaims), aud, 'kubernetes.io': k8s as KubernetesClaim };
}

function isRef(v: unknown): v is ObjectRef {
  const r = v as Partial<ObjectRef> | undefined;
  return typeof r === 'object' && r !== null && typeof r.name === 'string' && r.name !== '' && typeof r.uid === 'string';
}

export interface ObjectLookup {
  (resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string, name: string): Promise<KubeObject | undefined>;
}

// A bound object deleted longer ago than this no longer vouches for its tokens (claims.go).
const DELETED_OBJECT_GRACE_MS = 60_000;

/**
 * The checks against live objects (claims.go validator.Validate): the service account and the
 * bound pod, secret or node exist with the uids the token names. The node of a pod-bound token is
 * informational only: the pod's own check covers it.
 */
export async function checkBoundObjects(claims: TokenClaims, lookup: ObjectLookup, now: Date): Promise<void> {
  const k8s = claims['kubernetes.io'];
  const sa = await lookup('serviceaccounts', k8s.namespace, k8s.serviceaccount.name);
  if (!sa) throw new InvalidTokenError(`service account ${k8s.namespace}/${k8s.serviceaccount.name} no longer exists`);
  if (sa.metadata.uid !== k8s.serviceaccount.uid) throw new InvalidTokenError(`service account UID (${sa.metadata.uid ?? ''}) does not match claim (${k8s.serviceaccount.uid})`);
  if (sa.metadata.deletionTimestamp) throw new InvalidTokenError('service account has been deleted');
  const nodeBound = k8s.pod === undefined && k8s.secret === undefined ? k8s.node : undefined;
  for (const [resource, ref] of [['pods', k8s.pod], ['secrets', k8s.secret], ['nodes', nodeBound]] as const) {
    if (!ref) continue;
    const obj = await lookup(resource, resource === 'nodes' ? '' : k8s.namespace, ref.name);
    const what = resource.slice(0, -1);
    if (!obj) throw new InvalidTokenError(`${what} ${resource === 'nodes' ? '' : `${k8s.namespace}/`}${ref.name} no longer exists`);
    if (obj.metadata.uid !== ref.uid) throw new InvalidTokenError(`${what} UID (${obj.metadata.uid ?? ''}) does not match claim (${ref.uid})`);
    const deleted = obj.metadata.deletionTimestamp;
    if (deleted && Date.parse(deleted) < now.getTime() - DELETED_OBJECT_GRACE_MS) throw new InvalidTokenError(`${what} has been deleted`);
  }
}
