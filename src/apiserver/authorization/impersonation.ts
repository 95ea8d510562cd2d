// Impersonation headers (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): a caller
// allowed to `impersonate` users, groups, uids, userextras (or serviceaccounts) acts as another
// user. Each requested piece is authorized on its own; the first refusal answers 403 with the
// authorization filter's message.
import type { IncomingHttpHeaders } from 'node:http';
import { newStatus, StatusError } from '../../api/errors.ts';
import type { UserInfo } from '../admission/types.ts';
import type { AuthorizationAttributes, Authorizer } from './types.ts';

export const IMPERSONATE_USER = 'impersonate-user';
export const IMPERSONATE_GROUP = 'impersonate-group';
export const IMPERSONATE_UID = 'impersonate-uid';
export const IMPERSONATE_EXTRA_PREFIX = 'impersonate-extra-';

const ALL_AUTHENTICATED = 'system:authenticated';
const ALL_UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';
const SA_PREFIX = 'system:serviceaccount:';

interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  name: string;
  namespace?: string;
  /** The extra key (UserExtra). */
  key?: string;
}

function headerValues(headers: IncomingHttpHeaders, name: string): string[] {
  const v = headers[name];
  if (v === undefined) return [];
  // node:http joins repeated headers with ", " except for a few; Impersonate-Group may repeat.
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** `system:serviceaccount:NS:NAME` → [NS, NAME] (serviceaccount.SplitUsername). */
export function splitServiceAccountUser(name: string): [string, string] | undefined {
  if (!name.startsWith(SA_PREFIX)) return undefined;
  const parts = name.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return [parts[0]!, parts[1]!];
}

function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** The impersonation the headers ask for, in upstream's order; throws when groups, extras or uid come without a user. */
export function impersonationRequests(headers: IncomingHttpHeaders): ImpersonationRequest[] {
  const out: ImpersonationRequest[] = [];
  const user = headerValues(headers, IMPERSONATE_USER)[0] ?? '';
  if (user) {
    const sa = splitServiceAccountUser(user);
    out.push(sa ? { kind: 'ServiceAccount', namespace: sa[0], name: sa[1] } : { kind: 'User', name: user });
  }
  const groups = headerValues(headers, IMPERSONATE_GROUP);
  for (const g of groups) out.push({ kind: 'Group', name: g });
  let extras = false;
  for (const [h, v] of Object.entries(headers)) {
    if (!h.startsWith(IMPERSONATE_EXTRA_PREFIX) || v === undefined) continue;
    extras = true;
    const key = unescapeExtraKey(h.slice(IMPERSONATE_EXTRA_PREFIX.length).toLowerCase());
    for (const value of Array.isArray(v) ? v : v.split(',').map((s) => s.trim())) out.push({ kind: 'UserExtra', key, name: value });
  }
  const uid = headerValues(headers, IMPERSONATE_UID)[0] ?? '';
  if (uid) out.push({ kind: 'UID', name: uid });
  if ((groups.length > 0 || extras || uid) && !user) {
    throw new StatusError(newStatus(500, 'InternalError', 'Internal error occurred: requested impersonation of groups, extra or uid without impersonating a user'));
  }
  return out;
}

/** "users \"jane\" is forbidden: User \"bob\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope". */
export function impersonationForbidden(a: AuthorizationAttributes, reason: string): StatusError {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  let msg = `User ${JSON.stringify(a.user.name)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${scope}`;
  if (reason) msg = `${msg}: ${reason}`;
  const gr = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  return new StatusError(newStatus(403, 'Forbidden', `${gr} ${JSON.stringify(a.name)} is forbidden: ${msg}`, { name: a.name, group: a.apiGroup, kind: a.resource }));
}

/**
 * The user a request acts as: `requestor` itself without impersonation headers, else the
 * impersonated user once every piece is allowed. Throws 403 on the first refusal.
 */
export async function impersonate(requestor: UserInfo, headers: IncomingHttpHeaders, authorizer: Authorizer): Promise<UserInfo> {
  const requests = impersonationRequests(headers);
  if (requests.length === 0) return requestor;
  const groupsSpecified = headerValues(headers, IMPERSONATE_GROUP).length > 0;
  let name = '';
  let uid = '';
  const groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    const a: AuthorizationAttributes = {
      user: requestor, verb: 'impersonate', isResourceRequest: true, path: '', namespace: r.namespace ?? '',
      apiGroup: '', apiVersion: 'v1', resource: '', subresource: '', name: r.name,
    };
    switch (r.kind) {
      case 'ServiceAccount':
        a.resource = 'serviceaccounts';
        name = `${SA_PREFIX}${r.namespace}:${r.name}`;
        if (!groupsSpecified) groups.push('system:serviceaccounts', `system:serviceaccounts:${r.namespace}`);
        break;
      case 'User':
        a.resource = 'users';
        name = r.name;
        break;
      case 'Group':
        a.resource = 'groups';
        groups.push(r.name);
        break;
      case 'UserExtra':
        a.apiGroup = 'authentication.k8s.io';
        a.resource = 'userextras';
        a.subresource = r.key ?? '';
        (extra[r.key ?? ''] ??= []).push(r.name);
        break;
      case 'UID':
        a.apiGroup = 'authentication.k8s.io';
        a.resource = 'uids';
        uid = r.name;
        break;
    }
    let decision;
    let reason = '';
    try {
      ({ decision, reason } = await authorizer.authorize(a));
    } catch (err) {
      decision = 'error';
      reason = (err as Error).message;
    }
    if (decision !== 'allow') throw impersonationForbidden(a, reason);
  }
  if (name !== ANONYMOUS) {
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_UNAUTHENTICATED);
  const user: UserInfo = { name, groups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
