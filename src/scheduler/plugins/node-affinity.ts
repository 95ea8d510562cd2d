// nodeSelector and node affinity (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go,
// k8s.io/component-helpers/scheduling/corev1/nodeaffinity): required terms filter, preferred
// terms score.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../../api/types/core-v1.ts';
import { defaultNormalizeScore, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework/types.ts';

const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && vals.includes(value);
    case 'NotIn': return value === undefined || !vals.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': case 'Lt': {
      if (value === undefined || vals.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(vals[0]!)) return false;
      const a = Number(value);
      const b = Number(vals[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

/** A term matches when all its expressions and fields do; an empty term matches nothing. */
export function termMatchesNode(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const e of exprs) if (!requirementMatches(e, Object.hasOwn(labels, e.key) ? labels[e.key] : undefined)) return false;
  for (const f of fields) {
    // Only metadata.name is a supported field (validation rejects others).
    if (f.key !== 'metadata.name' || !requirementMatches(f, node.metadata.name)) return false;
  }
  return true;
}

/** nodeSelector and required node affinity both hold (GetRequiredNodeAffinity(pod).Match). */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel) {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  }
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) return req.nodeSelectorTerms.some((t) => termMatchesNode(t, node));
  return true;
}

/** Node names a pod is pinned to by matchFields metadata.name In in every term, or undefined. */
function pinnedNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms?.length) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    const f = t.matchFields?.find((r) => r.key === 'metadata.name' && r.operator === 'In');
    if (!f) return undefined;
    for (const n of f.values ?? []) names.add(n);
  }
  return names;
}

export const nodeAffinityFilter: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeLabel'],
  preFilter(_state, pi) {
    const spec = pi.pod.spec;
    if (!spec?.nodeSelector && !spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return { skip: true };
    const names = pinnedNodeNames(pi.pod);
    if (names && names.size === 0) return unresolvable(NAME, ERR_REASON_POD);
    return names ? { nodeNames: names } : undefined;
  },
  filter(_state, pi, node) {
    if (!node.node || podMatchesNodeSelectorAndAffinity(pi.pod, node.node)) return undefined;
    return unresolvable(NAME, ERR_REASON_POD);
  },
};

export const nodeAffinityScore: ScorePlugin = {
  name: NAME,
  weight: 2,
  preScore(_state, pi) {
    return !pi.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length;
  },
  score(_state, pi, node) {
    let s = 0;
    if (!node.node) return 0;
    for (const p of pi.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (p.weight !== 0 && termMatchesNode(p.preference, node.node)) s += p.weight;
    }
    return s;
  },
  normalize(_state, _pi, scores) { defaultNormalizeScore(scores, false); },
};
