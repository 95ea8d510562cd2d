// Who is asking: a client certificate verified against the cluster CA (CN → user, O → groups, as
// k8s.io/apiserver/pkg/authentication/request/x509/x509.go CommonNameUserConversion), or a static
// bearer token (…/request/bearertoken). Every authenticated user is in system:authenticated
// (…/authentication/group/authenticated_group_adder.go).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { tokenDigest, type TokenTable } from './token-file.ts';

export { loadTokenFile, parseTokenFile, type TokenTable } from './token-file.ts';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export const AUTHENTICATED_GROUP = 'system:authenticated';

export function authenticate(req: IncomingMessage, tokens: TokenTable | undefined): UserInfo | undefined {
  return fromClientCert(req) ?? fromBearerTokenCached(req, tokens);
}

/** The last bearer token a connection presented, and whom it named: clients reuse one header per connection. */
const tokenByConnection = new WeakMap<object, { header: string; user: UserInfo | undefined }>();

function fromBearerTokenCached(req: IncomingMessage, tokens: TokenTable | undefined): UserInfo | undefined {
  const header = req.headers.authorization;
  if (!tokens || !header) return undefined;
  const last = tokenByConnection.get(req.socket);
  if (last && last.header === header) return last.user;
  const user = fromBearerToken(req, tokens);
  tokenByConnection.set(req.socket, { header, user });
  return user;
}

/** A connection's certificate does not change: decode it once per TLS connection, not per request. */
const byConnection = new WeakMap<object, UserInfo | null>();

function fromClientCert(req: IncomingMessage): UserInfo | undefined {
  const known = byConnection.get(req.socket);
  if (known !== undefined) return known ?? undefined;
  const user = certUser(req);
  byConnection.set(req.socket, user ?? null);
  return user;
}

function certUser(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  // `authorized` is true only when the chain verified against the server's `ca` (including the
  // clientAuth purpose); the server asks for certificates without rejecting the handshake.
  if (socket.encrypted !== true || socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  const subject = cert?.subject as Record<string, string | string[] | undefined> | undefined;
  const cn = asList(subject?.CN)[0];
  if (!cn) return undefined;
  return { name: cn, groups: withAuthenticated(asList(subject?.O)) };
}

function fromBearerToken(req: IncomingMessage, tokens: TokenTable | undefined): UserInfo | undefined {
  if (!tokens) return undefined;
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return undefined;
  const digest = tokenDigest(m[1]!);
  let found: TokenTable['entries'][number] | undefined;
  // Look at every entry whatever matches, so timing says nothing about which token was close.
  for (const entry of tokens.entries) {
    if (timingSafeEqual(entry.digest, digest) && !found) found = entry;
  }
  if (!found) return undefined;
  const user: UserInfo = { name: found.user.name, groups: withAuthenticated(found.user.groups) };
  if (found.user.uid !== '') user.uid = found.user.uid;
  return user;
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function withAuthenticated(groups: string[]): string[] {
  return groups.includes(AUTHENTICATED_GROUP) ? [...groups] : [...groups, AUTHENTICATED_GROUP];
}
