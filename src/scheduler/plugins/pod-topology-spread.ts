// Topology spread constraints (pkg/scheduler/framework/plugins/podtopologyspread/filtering.go,
// scoring.go): DoNotSchedule constraints filter by skew against the least loaded domain;
// ScheduleAnyway constraints score nodes by how many matching pods their domain already holds.
import type { Pod, TopologySpreadConstraint } from '../../api/types/core-v1.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import { newRequirement } from '../../api/selectors/label-requirement.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { MAX_NODE_SCORE, unresolvable, unschedulable, type ClusterView, type FilterPlugin, type ScorePlugin } from '../framework/types.ts';
import { podMatchesNodeSelectorAndAffinity } from './node-affinity.ts';
import { tolerated } from './tolerations.ts';

const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
const HOSTNAME = 'kubernetes.io/hostname';

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelectorExpr;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function compile(pod: Pod, cs: readonly TopologySpreadConstraint[]): Constraint[] {
  const labels = pod.metadata.labels ?? {};
  return cs.map((c) => {
    let selector: LabelSelectorExpr;
    try {
      selector = labelSelectorFromMeta(c.labelSelector);
      // matchLabelKeys: the pod's values for these keys narrow the selector (KEP-3243).
      const extra = (c.matchLabelKeys ?? []).filter((k) => k in labels).map((k) => newRequirement(k, 'in', [labels[k]!]));
      if (extra.length && !selector.nothing) selector = { requirements: [...selector.requirements, ...extra] };
    } catch {
      selector = { requirements: [], nothing: true };
    }
    return {
      maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector, minDomains: c.minDomains ?? 1,
      honorAffinity: c.nodeAffinityPolicy !== 'Ignore', honorTaints: c.nodeTaintsPolicy === 'Honor',
    };
  });
}

/** Does the node count for spreading this pod (node inclusion policies, all topology keys present)? */
function eligible(pod: Pod, node: NodeInfo, cs: readonly Constraint[]): boolean {
  if (!node.node) return false;
  for (const c of cs) {
    if (!(c.topologyKey in node.labels)) return false;
  }
  if (cs.some((c) => c.honorAffinity) && !podMatchesNodeSelectorAndAffinity(pod, node.node)) return false;
  if (cs.some((c) => c.honorTaints)) {
    for (const t of node.taints) {
      if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(pod.spec?.tolerations, t)) return false;
    }
  }
  return true;
}

function countMatching(node: NodeInfo, selector: LabelSelectorExpr, namespace: string): number {
  let n = 0;
  for (const ex of node.pods.values()) {
    // Terminating pods do not count (countPodsMatchSelector).
    if (ex.namespace !== namespace || ex.pod.metadata.deletionTimestamp) continue;
    if (matchesLabels(selector, ex.pod.metadata.labels)) n++;
  }
  return n;
}

interface FilterState {
  constraints: Constraint[];
  /** per constraint: domain value → matching pods */
  counts: Array<Map<string, number>>;
}

const FILTER_STATE = `${NAME}/filter`;

export const podTopologySpreadFilter: FilterPlugin = {
  name: NAME,
  events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeLabel', 'NodeTaint', 'NodeDelete'],
  preFilter(state, pi, cluster) {
    const hard = (pi.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (hard.length === 0) return { skip: true };
    const constraints = compile(pi.pod, hard);
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of cluster.nodes) {
      if (!eligible(pi.pod, node, constraints)) continue;
      constraints.forEach((c, i) => {
        const v = node.labels[c.topologyKey]!;
        counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + countMatching(node, c.selector, pi.namespace));
      });
    }
    state.set(FILTER_STATE, { constraints, counts } satisfies FilterState);
    return undefined;
  },
  filter(state, pi, node) {
    const s = state.get(FILTER_STATE) as FilterState;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return unresolvable(NAME, ERR_REASON_NODE_LABEL);
      const domains = s.counts[i]!;
      // Fewer domains than minDomains: the global minimum counts as 0 (minMatchNum).
      let min = 0;
      if (domains.size >= c.minDomains) {
        min = Infinity;
        for (const n of domains.values()) if (n < min) min = n;
        if (min === Infinity) min = 0;
      }
      const self = matchesLabels(c.selector, pi.pod.metadata.labels) ? 1 : 0;
      if ((domains.get(v) ?? 0) + self - min > c.maxSkew) return unschedulable(NAME, ERR_REASON_CONSTRAINTS);
    }
    return undefined;
  },
};

interface ScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  /** per constraint: domain value → matching pods (not used for the hostname key) */
  counts: Array<Map<string, number>>;
  weights: number[];
}

const SCORE_STATE = `${NAME}/score`;

export const podTopologySpreadScore: ScorePlugin = {
  name: NAME,
  weight: 2,
  preScore(state, pi, nodes, cluster: ClusterView) {
    const soft = (pi.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
    if (soft.length === 0) return true;
    const constraints = compile(pi.pod, soft);
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of nodes) {
      if (constraints.some((c) => !(c.topologyKey in node.labels))) {
        ignored.add(node.name);
        continue;
      }
      // Only domains of the candidate nodes are counted.
      constraints.forEach((c, i) => counts[i]!.set(node.labels[c.topologyKey]!, 0));
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? nodes.length - ignored.size : counts[i]!.size) + 2));
    for (const node of cluster.nodes) {
      if (!eligible(pi.pod, node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME) return;
        const v = node.labels[c.topologyKey]!;
        const cur = counts[i]!.get(v);
        if (cur !== undefined) counts[i]!.set(v, cur + countMatching(node, c.selector, pi.namespace));
      });
    }
    state.set(SCORE_STATE, { constraints, ignored, counts, weights } satisfies ScoreState);
    return false;
  },
  score(state, pi, node) {
    const s = state.get(SCORE_STATE) as ScoreState;
    if (s.ignored.has(node.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey];
      if (v === undefined) return;
      const cnt = c.topologyKey === HOSTNAME ? countMatching(node, c.selector, pi.namespace) : s.counts[i]!.get(v) ?? 0;
      score += cnt * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalize(state, _pi, scores, nodes) {
    const s = state.get(SCORE_STATE) as ScoreState;
    let min = Infinity;
    let max = 0;
    nodes.forEach((n, i) => {
      if (s.ignored.has(n.name)) return;
      min = Math.min(min, scores[i]!);
      max = Math.max(max, scores[i]!);
    });
    nodes.forEach((n, i) => {
      if (s.ignored.has(n.name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
    });
  },
};
