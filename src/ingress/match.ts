// How an Ingress rule's host and path match a request, as the Ingress API defines them
// (k8s.io/api/networking/v1/types.go HTTPIngressPath and IngressRule; the tables of
// https://kubernetes.io/docs/concepts/services-networking/ingress/#examples).
import type { PathType } from '../api/types/networking-v1-ingress.ts';

/** The request's host without port, lower-cased (DNS names are case-insensitive); '' when absent. */
export function requestHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  let h = hostHeader.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end > 0 ? h.slice(1, end) : h;
  } else {
    const colon = h.indexOf(':');
    // One colon is host:port; more is a bare IPv6 address.
    if (colon >= 0 && h.indexOf(':', colon + 1) < 0) h = h.slice(0, colon);
  }
  return h.toLowerCase().replace(/\.$/, '');
}

/** The path of a request target: without query or fragment, always starting with '/'. */
export function requestPath(url: string | undefined): string {
  let p = url ?? '/';
  // An absolute-form target (`GET http://host/path`) as proxies are sent.
  if (!p.startsWith('/')) {
    const scheme = p.indexOf('://');
    if (scheme >= 0) {
      const slash = p.indexOf('/', scheme + 3);
      p = slash >= 0 ? p.slice(slash) : '/';
    }
  }
  const q = p.search(/[?#]/);
  if (q >= 0) p = p.slice(0, q);
  return p.startsWith('/') ? p : `/${p}`;
}

/** The path's elements split by '/', empty ones (leading, trailing, doubled slashes) dropped. */
function elements(path: string): string[] {
  return path.split('/').filter((e) => e !== '');
}

/**
 * Whether a rule path of the given type matches the request path. Exact compares the strings
 * (case-sensitive, trailing slash significant). Prefix compares element by element, so `/foo/bar`
 * matches `/foo/bar` and `/foo/bar/baz` but not `/foo/barbaz`, and a trailing slash on either side
 * is ignored. ImplementationSpecific is matched as Prefix here.
 */
export function pathMatches(pathType: PathType, rulePath: string | undefined, path: string): boolean {
  const rp = rulePath || '/';
  if (pathType === 'Exact') return rp === path;
  const want = elements(rp);
  const got = elements(path);
  if (want.length > got.length) return false;
  for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) return false;
  return true;
}

/**
 * How specific a matching rule path is: the longest matching path wins, and at equal length an
 * Exact path beats a Prefix one (the Ingress API's "Multiple matches" rule). A Prefix path's
 * trailing slash adds nothing, since it matches the same requests as the path without it.
 */
export function pathWeight(pathType: PathType, rulePath: string | undefined): number {
  const rp = rulePath || '/';
  if (pathType === 'Exact') return rp.length * 2 + 1;
  const trimmed = rp.replace(/\/+$/, '');
  return trimmed.length * 2;
}
