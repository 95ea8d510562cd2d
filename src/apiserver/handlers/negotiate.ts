// Response formats a client may ask for in Accept: plain JSON, a server-side Table, or metadata only.
import { notAcceptable } from '../../api/errors.ts';

export type Format =
  | { kind: 'json' }
  | { kind: 'table'; apiVersion: string }
  | { kind: 'partial'; apiVersion: string };

export function negotiate(accept: string | undefined): Format {
  if (!accept || !accept.trim()) return { kind: 'json' };
  for (const raw of accept.split(',')) {
    const parts = raw.split(';').map((x) => x.trim());
    const type = parts[0]?.toLowerCase() ?? '';
    const params = new Map(parts.slice(1).map((p) => { const i = p.indexOf('='); return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as [string, string]; }));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const as = params.get('as');
    if (!as) return { kind: 'json' };
    const g = params.get('g');
    const v = params.get('v') ?? 'v1';
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table') return { kind: 'table', apiVersion: `meta.k8s.io/${v}` };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'partial', apiVersion: `meta.k8s.io/${v}` };
  }
  throw notAcceptable(`only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io (asked for ${accept})`);
}
