// What a request is about, parsed from its path and method alone
// (mirrors k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), and the request target itself,
// checked before anything routes on it.
import { badRequest } from '../api/errors.ts';
import { parseBool } from './query-params.ts';

/** The path and query of an origin-form request target, the path made of canonical segments. */
export interface RequestTarget {
  /** `/` followed by the percent-decoded segments; a single trailing slash is kept. */
  path: string;
  query: URLSearchParams;
}

/** Longest piece of a client's path echoed in an error message. */
const MAX_ECHO = 256;

/** The client's value for an error message: at most MAX_ECHO characters. */
export function capForMessage(value: string): string {
  return value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
}

/** The client's value for an error message: at most MAX_ECHO characters, quoted. */
export function quoteForMessage(value: string): string {
  return JSON.stringify(capForMessage(value));
}

/**
 * Split and check a request target (the second word of the request line). Only origin-form
 * (`/path?query`) is served; a path must be canonical — no empty, `.` or `..` segments, also not
 * once percent-decoded, and no encoded `/` — because routing by a path that a client, a proxy and
 * this server would each resolve differently is how a request ends up acting on something it did
 * not name. Upstream's Go mux cleans such paths with a redirect; answering 400 names the problem
 * instead. A single trailing slash is tolerated (`/apis/`), as upstream trims it.
 */
export function parseRequestTarget(target: string): RequestTarget {
  if (!target.startsWith('/')) {
    throw badRequest(`the request target ${quoteForMessage(target)} is not an absolute path: only origin-form targets (/path?query) are served`);
  }
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  if (rawPath === '/') return { path: '/', query };
  const raw = rawPath.slice(1).split('/');
  const trailing = raw.length > 1 && raw[raw.length - 1] === '';
  if (trailing) raw.pop();
  const segments: string[] = [];
  for (const seg of raw) {
    const problem = segmentProblem(seg);
    if (problem) throw badRequest(`the request path ${quoteForMessage(rawPath)} is not canonical: ${problem}`);
    segments.push(decodeURIComponent(seg));
  }
  return { path: `/${segments.join('/')}${trailing ? '/' : ''}`, query };
}

function segmentProblem(seg: string): string | undefined {
  if (seg === '') return 'it has an empty segment (//)';
  let decoded: string;
  try {
    decoded = decodeURIComponent(seg);
  } catch {
    return `the segment ${quoteForMessage(seg)} has a malformed percent-encoding`;
  }
  if (decoded === '.' || decoded === '..') return `it has a ${quoteForMessage(decoded)} segment`;
  if (decoded.includes('/')) return `the segment ${quoteForMessage(seg)} encodes a slash`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(decoded)) return `the segment ${quoteForMessage(seg)} encodes a control character`;
  return undefined;
}

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection (resource requests), or the HTTP method lower-cased. */
  verb: string;
  apiPrefix: 'api' | 'apis' | '';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

const SPECIAL_VERBS = new Set(['proxy', 'watch']);

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', group: '', version: '',
    namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
  let parts = path.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
  if (parts.length < 2 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  info.apiPrefix = parts[0];
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (parts.length < 2) return info; // /apis/group: group discovery
    info.group = parts[0] ?? '';
    parts = parts.slice(1);
  }
  info.version = parts[0] ?? '';
  parts = parts.slice(1);
  if (parts.length === 0) return info; // /api/v1: resource discovery
  info.isResourceRequest = true;

  if (parts[0] && SPECIAL_VERBS.has(parts[0])) {
    // Deprecated /watch/ and /proxy/ prefixes.
    info.verb = parts[0];
    parts = parts.slice(1);
  } else {
    switch (method) {
      case 'POST': info.verb = 'create'; break;
      case 'GET': case 'HEAD': info.verb = 'get'; break;
      case 'PUT': info.verb = 'update'; break;
      case 'PATCH': info.verb = 'patch'; break;
      case 'DELETE': info.verb = 'delete'; break;
      default: info.verb = ''; break;
    }
  }

  // namespaces/{ns}/{resource}… is a namespaced request, except namespaces/{name}[/{subresource}].
  let inNamespace = false;
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1] ?? '';
      if (parts.length > 2 && parts[2] !== 'finalize' && parts[2] !== 'status') {
        parts = parts.slice(2);
        inNamespace = true;
      }
    }
  }
  info.parts = parts;
  info.resource = parts[0] ?? '';
  if (parts.length >= 2) info.name = parts[1] ?? '';
  if (parts.length >= 3) info.subresource = parts[2] ?? '';
  // namespaces/{name} names the namespace itself; namespaces/{ns}/namespaces… keeps its namespace, so
  // the server answers it as any cluster-scoped resource asked for inside a namespace (404).
  if (info.resource === 'namespaces' && !inNamespace) info.namespace = '';

  if (info.name === '' && info.verb === 'get') {
    info.verb = isTrue(query.get('watch')) ? 'watch' : 'list';
  } else if (info.verb === 'get' && info.subresource === '' && isTrue(query.get('watch'))) {
    info.verb = 'watch';
  }
  if (info.verb === 'delete' && info.name === '') info.verb = 'deletecollection';
  return info;
}

/** Whether `?watch=` asks for a watch, as upstream's requestinfo.go decodes ListOptions.Watch. */
export function isTrue(v: string | null): boolean {
  return v !== null && parseBool(v);
}
