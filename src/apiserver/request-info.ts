// What a request is about, parsed from its path and method alone
// (mirrors k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).

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
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1] ?? '';
      if (parts.length > 2 && parts[2] !== 'finalize' && parts[2] !== 'status') parts = parts.slice(2);
    }
  }
  info.parts = parts;
  info.resource = parts[0] ?? '';
  if (parts.length >= 2) info.name = parts[1] ?? '';
  if (parts.length >= 3) info.subresource = parts[2] ?? '';
  if (info.resource === 'namespaces' && info.namespace && info.name === '') info.name = info.namespace;
  if (info.resource === 'namespaces') info.namespace = '';

  if (info.name === '' && info.verb === 'get') {
    info.verb = isTrue(query.get('watch')) ? 'watch' : 'list';
  } else if (info.verb === 'get' && isTrue(query.get('watch'))) {
    info.verb = 'watch';
  }
  if (info.verb === 'delete' && info.name === '') info.verb = 'deletecollection';
  return info;
}

export function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}
