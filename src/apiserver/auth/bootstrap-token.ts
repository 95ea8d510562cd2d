// The bootstrap token authenticator: a bearer token of the bootstrap format, checked against its
// Secret, is the user `system:bootstrap:<id>` in group `system:bootstrappers`
// (plugin/pkg/auth/authenticator/token/bootstrap/bootstrap.go).
import { timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../api/meta.ts';
import {
  BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_USER_PREFIX, BOOTSTRAPPERS_GROUP, bootstrapTokenSecretName, readBootstrapTokenSecret, validateExtraGroups,
} from '../../api/bootstrap-token/token.ts';
import type { UserInfo } from '../admission/types.ts';

export { BOOTSTRAPPERS_GROUP } from '../../api/bootstrap-token/token.ts';

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

export type SecretLookup = (namespace: string, name: string) => Promise<KubeObject | undefined>;

/**
 * Authenticates a bearer token of the bootstrap format against its Secret. Any failure (no such
 * Secret, wrong secret half, expired, not for authentication, being deleted) is "not
 * authenticated" and the request goes on to the next authenticator, as upstream.
 */
export async function authenticateBootstrapToken(token: string, lookup: SecretLookup, now = new Date()): Promise<UserInfo | undefined> {
  const m = TOKEN_RE.exec(token);
  if (!m) return undefined;
  const [, id, tokenSecret] = m as unknown as [string, string, string];
  const secret = await lookup(BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(id));
  if (!secret || secret.metadata.deletionTimestamp) return undefined;
  const info = readBootstrapTokenSecret(secret);
  if (!info || info.id !== id) return undefined;
  const a = Buffer.from(info.secret, 'utf8');
  const b = Buffer.from(tokenSecret, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
  if (info.expires && info.expires.getTime() <= now.getTime()) return undefined;
  if (!info.usages.includes('authentication')) return undefined;
  try {
    validateExtraGroups(info.groups);
  } catch {
    return undefined;
  }
  return { name: `${BOOTSTRAP_USER_PREFIX}${id}`, groups: [BOOTSTRAPPERS_GROUP, ...info.groups.filter((g) => g !== BOOTSTRAPPERS_GROUP), 'system:authenticated'] };
}
