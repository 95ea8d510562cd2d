// Downward API field paths, as pkg/fieldpath/fieldpath.go (ExtractFieldPathAsString, FormatMap,
// SplitMaybeSubscriptedPath) and pkg/kubelet/kubelet_pods.go (podFieldSelectorRuntimeValue).
import type { Pod } from '../../api/types/core-v1.ts';
import { isQualifiedName } from '../../api/validation/names.ts';
import { FieldPathError } from './errors.ts';
import { goQuote } from './go-quote.ts';

/** `metadata.labels['k']` → ['metadata.labels', 'k']; anything else → undefined. */
export function splitSubscriptedPath(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

/** One `key="value"` line per entry, keys sorted, Go %q quoting (how labels/annotations files look). */
export function formatMap(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.map((k) => `${k}=${goQuote(m?.[k] ?? '')}`).join('\n');
}

/** The metadata paths both env vars and downwardAPI volumes support. */
export function extractFieldPathAsString(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata;
  const sub = splitSubscriptedPath(fieldPath);
  if (sub) {
    const [path, key] = sub;
    if (path !== 'metadata.annotations' && path !== 'metadata.labels') {
      throw new FieldPathError(`fieldPath "${fieldPath}" does not support subscript`);
    }
    const errs = isQualifiedName(path === 'metadata.annotations' ? key.toLowerCase() : key);
    if (errs.length > 0) throw new FieldPathError(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
    const map = path === 'metadata.annotations' ? meta.annotations : meta.labels;
    return map?.[key] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
  }
  throw new FieldPathError(`unsupported fieldPath: ${fieldPath}`);
}

export interface PodRuntimeFacts {
  hostIPs: string[];
  podIPs: string[];
}

/** Env var fieldRef: the metadata paths plus the spec/status ones only the kubelet knows. */
export function podFieldValue(pod: Pod, fieldPath: string, facts: PodRuntimeFacts): string {
  switch (fieldPath) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return facts.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return facts.hostIPs.join(',');
    case 'status.podIP':
      return facts.podIPs[0] ?? '';
    case 'status.podIPs':
      return facts.podIPs.join(',');
  }
  return extractFieldPathAsString(pod, fieldPath);
}
