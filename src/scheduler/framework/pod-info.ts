// What the scheduler derives once from a pod and keeps beside it: requests, host ports and
// compiled affinity terms (pkg/scheduler/framework/types.go PodInfo, AffinityTerm).
import type { PodAffinityTerm, Pod, WeightedPodAffinityTerm } from '../../api/types/core-v1.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import { newRequirement } from '../../api/selectors/label-requirement.ts';
import { podRequests, type Resource } from './resources.ts';

export interface AffinityTerm {
  selector: LabelSelectorExpr;
  /** Explicit namespaces (or the pod's own when neither namespaces nor namespaceSelector is set). */
  namespaces: Set<string>;
  /** A namespace label selector; undefined when the term has none. */
  namespaceSelector: LabelSelectorExpr | undefined;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm { weight: number }

export interface HostPort { protocol: string; ip: string; port: number }

export interface PodInfo {
  pod: Pod;
  /** namespace/name */
  key: string;
  namespace: string;
  requests: Resource;
  /** cpu and memory with the scheduler's defaults for containers that set none (for scoring). */
  nonZeroCPU: number;
  nonZeroMemory: number;
  hostPorts: HostPort[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** Parse problems in the pod's affinity terms, reported instead of scheduling. */
  parseError: string | undefined;
}

const NOTHING: LabelSelectorExpr = { requirements: [], nothing: true };

function compileTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const ns = pod.metadata.namespace ?? 'default';
  let selector = labelSelectorFromMeta(t.labelSelector);
  // matchLabelKeys / mismatchLabelKeys fold the pod's own label values into the selector
  // (pkg/apis/core/v1 defaulting of the PodAffinityTerm, KEP-3633).
  const labels = pod.metadata.labels ?? {};
  const extra = [
    ...(t.matchLabelKeys ?? []).filter((k) => k in labels).map((k) => newRequirement(k, 'in', [labels[k]!])),
    ...(t.mismatchLabelKeys ?? []).filter((k) => k in labels).map((k) => newRequirement(k, 'notin', [labels[k]!])),
  ];
  if (extra.length && !selector.nothing) selector = { requirements: [...selector.requirements, ...extra] };
  const namespaces = new Set(t.namespaces ?? []);
  const namespaceSelector = t.namespaceSelector ? labelSelectorFromMeta(t.namespaceSelector) : undefined;
  if (namespaces.size === 0 && !namespaceSelector) namespaces.add(ns);
  return { selector, namespaces, namespaceSelector, topologyKey: t.topologyKey };
}

function compileTerms(pod: Pod, terms: PodAffinityTerm[] | undefined, errs: string[]): AffinityTerm[] {
  const out: AffinityTerm[] = [];
  for (const t of terms ?? []) {
    try {
      out.push(compileTerm(pod, t));
    } catch (err) {
      errs.push((err as Error).message);
      out.push({ selector: NOTHING, namespaces: new Set(), namespaceSelector: undefined, topologyKey: t.topologyKey });
    }
  }
  return out;
}

function compileWeighted(pod: Pod, terms: WeightedPodAffinityTerm[] | undefined, errs: string[]): WeightedAffinityTerm[] {
  return (terms ?? []).map((w) => ({ ...compileTerms(pod, [w.podAffinityTerm], errs)[0]!, weight: w.weight }));
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
    }
  }
  return out;
}

export function newPodInfo(pod: Pod): PodInfo {
  const errs: string[] = [];
  const aff = pod.spec?.affinity;
  const nonZero = podRequests(pod, true);
  return {
    pod,
    key: `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`,
    namespace: pod.metadata.namespace ?? 'default',
    requests: podRequests(pod),
    nonZeroCPU: nonZero.milliCPU,
    nonZeroMemory: nonZero.memory,
    hostPorts: hostPortsOf(pod),
    requiredAffinity: compileTerms(pod, aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, errs),
    requiredAntiAffinity: compileTerms(pod, aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, errs),
    preferredAffinity: compileWeighted(pod, aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, errs),
    preferredAntiAffinity: compileWeighted(pod, aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, errs),
    parseError: errs[0],
  };
}

/** Namespace labels by name, for namespaceSelector terms. */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/** Does a term (of some pod) select `target`? (AffinityTerm.Matches) */
export function termMatches(term: AffinityTerm, target: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = target.metadata.namespace ?? 'default';
  if (!term.namespaces.has(ns)) {
    if (!term.namespaceSelector || !matchesLabels(term.namespaceSelector, nsLabels(ns))) return false;
  }
  return matchesLabels(term.selector, target.metadata.labels);
}

export function hasAffinity(pi: PodInfo): boolean {
  return pi.requiredAffinity.length + pi.requiredAntiAffinity.length + pi.preferredAffinity.length + pi.preferredAntiAffinity.length > 0;
}
