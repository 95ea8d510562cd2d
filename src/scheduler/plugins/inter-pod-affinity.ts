// Pod affinity and anti-affinity (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go,
// scoring.go). Required terms are counted per topology pair once per cycle (PreFilter), then each
// node is checked against the counts; preferred terms of the pod and of existing pods score.
import type { Pod } from '../../api/types/core-v1.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { termMatches, type AffinityTerm, type NamespaceLabels, type PodInfo, type WeightedAffinityTerm } from '../framework/pod-info.ts';
import { MAX_NODE_SCORE, unresolvable, unschedulable, type ClusterView, type CycleState, type FilterPlugin, type ScorePlugin } from '../framework/types.ts';

const NAME = 'InterPodAffinity';
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** "key\0value" → number of matching pods (topologyToMatchedTermCount). */
type PairCounts = Map<string, number>;

const pair = (key: string, value: string): string => `${key}\0${value}`;

function bump(m: PairCounts, node: NodeInfo, key: string, by: number): void {
  const v = node.labels[key];
  if (v === undefined) return;
  const p = pair(key, v);
  m.set(p, (m.get(p) ?? 0) + by);
}

function matchesAll(terms: readonly AffinityTerm[], pod: Pod, ns: NamespaceLabels): boolean {
  return terms.length > 0 && terms.every((t) => termMatches(t, pod, ns));
}

interface FilterState {
  existingAnti: PairCounts;
  affinity: PairCounts;
  anti: PairCounts;
  nsLabels: NamespaceLabels;
}

const STATE = `${NAME}/filter`;

export const interPodAffinityFilter: FilterPlugin = {
  name: NAME,
  events: ['AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete', 'NodeAdd', 'NodeLabel'],
  preFilter(state, pi, cluster) {
    const s: FilterState = { existingAnti: new Map(), affinity: new Map(), anti: new Map(), nsLabels: cluster.namespaceLabels };
    // Existing pods whose required anti-affinity selects the incoming pod.
    for (const node of cluster.nodesWithRequiredAntiAffinityPods()) {
      for (const ex of node.podsWithRequiredAntiAffinity) {
        for (const t of ex.requiredAntiAffinity) if (termMatches(t, pi.pod, s.nsLabels)) bump(s.existingAnti, node, t.topologyKey, 1);
      }
    }
    if (pi.requiredAffinity.length || pi.requiredAntiAffinity.length) {
      for (const node of cluster.nodes) {
        for (const ex of node.pods.values()) {
          if (pi.requiredAffinity.length && matchesAll(pi.requiredAffinity, ex.pod, s.nsLabels)) {
            for (const t of pi.requiredAffinity) bump(s.affinity, node, t.topologyKey, 1);
          }
          for (const t of pi.requiredAntiAffinity) if (termMatches(t, ex.pod, s.nsLabels)) bump(s.anti, node, t.topologyKey, 1);
        }
      }
    }
    if (s.existingAnti.size === 0 && pi.requiredAffinity.length === 0 && pi.requiredAntiAffinity.length === 0) return { skip: true };
    state.set(STATE, s);
    return undefined;
  },
  filter(state, pi, node) {
    const s = state.get(STATE) as FilterState;
    if (!satisfiesAffinity(s, pi, node)) return unresolvable(NAME, ERR_REASON_AFFINITY);
    for (const t of pi.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (s.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) return unschedulable(NAME, ERR_REASON_ANTI_AFFINITY);
    }
    if (s.existingAnti.size) {
      for (const [k, v] of Object.entries(node.labels)) {
        if ((s.existingAnti.get(pair(k, v)) ?? 0) > 0) return unschedulable(NAME, ERR_REASON_EXISTING_ANTI_AFFINITY);
      }
    }
    return undefined;
  },
};

function satisfiesAffinity(s: FilterState, pi: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of pi.requiredAffinity) {
    const v = node.labels[t.topologyKey];
    // Every topology key must be on the node.
    if (v === undefined) return false;
    if ((s.affinity.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself may go anywhere the keys exist.
  if (!podsExist) return s.affinity.size === 0 && matchesAll(pi.requiredAffinity, pi.pod, s.nsLabels);
  return true;
}

// The weight of existing pods' required affinity terms in scoring (HardPodAffinityWeight default).
const HARD_POD_AFFINITY_WEIGHT = 1;
const SCORE_STATE = `${NAME}/score`;

/** topologyKey → value → score */
type TopologyScore = Map<string, Map<string, number>>;

function addScore(m: TopologyScore, node: NodeInfo, key: string, by: number): void {
  const v = node.labels[key];
  if (v === undefined || by === 0) return;
  let inner = m.get(key);
  if (!inner) m.set(key, (inner = new Map()));
  inner.set(v, (inner.get(v) ?? 0) + by);
}

function processTerms(m: TopologyScore, terms: readonly WeightedAffinityTerm[], target: Pod, ns: NamespaceLabels, node: NodeInfo, sign: number): void {
  for (const t of terms) if (termMatches(t, target, ns)) addScore(m, node, t.topologyKey, sign * t.weight);
}

function processExistingPod(m: TopologyScore, pi: PodInfo, ex: PodInfo, node: NodeInfo, ns: NamespaceLabels): void {
  if (Object.keys(node.labels).length === 0) return;
  processTerms(m, pi.preferredAffinity, ex.pod, ns, node, 1);
  processTerms(m, pi.preferredAntiAffinity, ex.pod, ns, node, -1);
  for (const t of ex.requiredAffinity) if (termMatches(t, pi.pod, ns)) addScore(m, node, t.topologyKey, HARD_POD_AFFINITY_WEIGHT);
  processTerms(m, ex.preferredAffinity, pi.pod, ns, node, 1);
  processTerms(m, ex.preferredAntiAffinity, pi.pod, ns, node, -1);
}

export const interPodAffinityScore: ScorePlugin = {
  name: NAME,
  weight: 2,
  preScore(state: CycleState, pi: PodInfo, _nodes, cluster: ClusterView) {
    const hasConstraints = pi.preferredAffinity.length > 0 || pi.preferredAntiAffinity.length > 0;
    const m: TopologyScore = new Map();
    if (hasConstraints) {
      for (const node of cluster.nodes) for (const ex of node.pods.values()) processExistingPod(m, pi, ex, node, cluster.namespaceLabels);
    } else {
      for (const node of cluster.nodesWithAffinityPods()) for (const ex of node.podsWithAffinity) processExistingPod(m, pi, ex, node, cluster.namespaceLabels);
    }
    if (m.size === 0) return true;
    state.set(SCORE_STATE, m);
    return false;
  },
  score(state, _pi, node) {
    const m = state.get(SCORE_STATE) as TopologyScore;
    let s = 0;
    for (const [key, values] of m) {
      const v = node.labels[key];
      if (v !== undefined) s += values.get(v) ?? 0;
    }
    return s;
  },
  normalize(_state, _pi, scores) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) { if (s < min) min = s; if (s > max) max = s; }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
  },
};
