// Bootstrap tokens: short-lived bearer tokens that let a new node join (kubeadm's design). A token
// `abcdef.0123456789abcdef` is kept as the Secret `bootstrap-token-abcdef` of type
// bootstrap.kubernetes.io/token in kube-system. Shared by the API server's authenticator, the
// bootstrap controllers and the CLI, as k8s.io/cluster-bootstrap is upstream
// (cluster-bootstrap/token/api/types.go, token/util/helpers.go).
import { randomInt } from 'node:crypto';
import type { KubeObject } from '../meta.ts';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** The extra group skiff's join tokens carry, as kubeadm's `system:bootstrappers:kubeadm:default-node-token`. */
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:skiff:default-node-token';
export const BOOTSTRAP_USAGES = ['signing', 'authentication'] as const;
export type BootstrapUsage = (typeof BOOTSTRAP_USAGES)[number];

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const TOKEN_ID_RE = /^[a-z0-9]{6}$/;
const EXTRA_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface BootstrapToken {
  id: string;
  secret: string;
}

export class InvalidBootstrapToken extends Error {
  readonly code = 'InvalidBootstrapToken';
}

/** Parses `[a-z0-9]{6}.[a-z0-9]{16}`; throws InvalidBootstrapToken otherwise. */
export function parseBootstrapToken(text: string): BootstrapToken {
  const m = TOKEN_RE.exec(text);
  if (!m) throw new InvalidBootstrapToken(`Cannot parse bootstrap token "${redact(text)}": expected the format [a-z0-9]{6}.[a-z0-9]{16}`);
  return { id: m[1]!, secret: m[2]! };
}

export function isBootstrapTokenId(text: string): boolean {
  return TOKEN_ID_RE.test(text);
}

/** A new random token (kubeadm's GenerateBootstrapToken). */
export function generateBootstrapToken(): string {
  const pick = (n: number): string => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]!).join('');
  return `${pick(6)}.${pick(16)}`;
}

export function bootstrapTokenSecretName(id: string): string {
  return `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`;
}

/** Never print a secret half in an error message. */
function redact(text: string): string {
  const dot = text.indexOf('.');
  return dot >= 0 ? `${text.slice(0, dot)}.<redacted>` : text.length > 6 ? `${text.slice(0, 6)}…` : text;
}

export interface BootstrapTokenOptions {
  description?: string;
  /** Absolute expiry; none: the token never expires. */
  expires?: Date;
  usages?: readonly BootstrapUsage[];
  /** Extra groups, each `system:bootstrappers:…`. */
  groups?: readonly string[];
}

export function validateExtraGroups(groups: readonly string[]): void {
  for (const g of groups) {
    if (!EXTRA_GROUP_RE.test(g)) throw new InvalidBootstrapToken(`bootstrap group "${g}" is invalid (must match ${EXTRA_GROUP_RE.source})`);
  }
}

/** The Secret that holds a token (data base64-encoded as the API stores it). */
export function bootstrapTokenSecret(token: BootstrapToken, o: BootstrapTokenOptions = {}): KubeObject {
  const groups = o.groups ?? [DEFAULT_NODE_TOKEN_GROUP];
  validateExtraGroups(groups);
  const data: Record<string, string> = { 'token-id': token.id, 'token-secret': token.secret };
  if (o.description) data.description = o.description;
  if (o.expires) data.expiration = o.expires.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const usage of o.usages ?? BOOTSTRAP_USAGES) data[`usage-bootstrap-${usage}`] = 'true';
  if (groups.length > 0) data['auth-extra-groups'] = groups.join(',');
  return {
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name: bootstrapTokenSecretName(token.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
}

/** A token Secret's fields, decoded. */
export interface BootstrapTokenInfo {
  id: string;
  secret: string;
  description: string;
  expires: Date | undefined;
  usages: BootstrapUsage[];
  groups: string[];
}

/** Reads a token Secret; undefined when it is not a well-formed bootstrap token Secret. */
export function readBootstrapTokenSecret(secret: KubeObject): BootstrapTokenInfo | undefined {
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
  const raw = (secret.data ?? {}) as Record<string, string>;
  const get = (k: string): string | undefined => (raw[k] === undefined ? undefined : Buffer.from(raw[k], 'base64').toString('utf8'));
  const id = get('token-id');
  const tokenSecret = get('token-secret');
  if (!id || !tokenSecret || secret.metadata.name !== bootstrapTokenSecretName(id)) return undefined;
  const expiration = get('expiration');
  let expires: Date | undefined;
  if (expiration) {
    expires = new Date(expiration);
    // An expiry that does not parse counts as expired, as upstream's HasExpired does.
    if (Number.isNaN(expires.getTime())) expires = new Date(0);
  }
  const groups = (get('auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
  return {
    id, secret: tokenSecret, description: get('description') ?? '', expires,
    usages: BOOTSTRAP_USAGES.filter((u) => get(`usage-bootstrap-${u}`) === 'true'),
    groups,
  };
}
