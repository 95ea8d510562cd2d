// Image references normalised the way docker does (distribution/reference's ParseNormalizedNamed):
// `busybox` → `docker.io/library/busybox:latest`, `user/app` → `docker.io/user/app:latest`,
// `registry.k8s.io/pause:3.10` unchanged. The store keeps normalised names only.
import { InvalidReference } from './errors.ts';

export interface ImageReference {
  /** Registry host, e.g. `docker.io`. */
  domain: string;
  /** Repository path below the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DEFAULT_DOMAIN = 'docker.io';

export function parseReference(input: string): ImageReference {
  const ref = input.trim();
  if (ref === '') throw new InvalidReference(input, 'empty');
  if (ref.length > 255 + 200) throw new InvalidReference(input, 'too long');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReference(input, `"${digest}" is not a sha256 digest`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReference(input, `"${tag}" is not a valid tag`);
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) throw new InvalidReference(input, `"${domain}" is not a valid registry host`);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  for (const part of path.split('/')) {
    if (!COMPONENT.test(part)) throw new InvalidReference(input, `repository name must be lowercase letters, digits and separators ("${part}")`);
  }
  const parsed: ImageReference = { domain, path };
  if (tag !== undefined) parsed.tag = tag;
  if (digest !== undefined) parsed.digest = digest;
  if (tag === undefined && digest === undefined) parsed.tag = 'latest';
  return parsed;
}

export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

export function formatReference(ref: ImageReference): string {
  let s = repositoryName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** `busybox` → `docker.io/library/busybox:latest`. */
export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}

/** The short form docker prints: `docker.io/library/busybox:latest` → `busybox:latest`. */
export function familiarReference(normalized: string): string {
  let s = normalized;
  if (s.startsWith(`${DEFAULT_DOMAIN}/`)) {
    s = s.slice(DEFAULT_DOMAIN.length + 1);
    if (s.startsWith('library/') && !s.slice('library/'.length).split(/[:@]/)[0]!.includes('/')) s = s.slice('library/'.length);
  }
  return s;
}
