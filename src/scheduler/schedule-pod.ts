// One scheduling decision (pkg/scheduler/schedule_one.go schedulePod): PreFilter, Filter over a
// rotating sample of nodes large enough to choose well (numFeasibleNodesToFind), Score, pick the
// best node with ties broken at random.
import type { NodeInfo } from './framework/node-info.ts';
import type { PodInfo } from './framework/pod-info.ts';
import { FitError } from './framework/fit-error.ts';
import { isFilterStatus, unresolvable, type ClusterView, type CycleState, type FilterPlugin, type FilterStatus } from './framework/types.ts';
import type { Profile } from './profile.ts';

// pkg/scheduler/schedule_one.go
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** How many feasible nodes to look for before scoring: all of a small cluster, a shrinking share of a large one. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore?: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentageOfNodesToScore ?? 0;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export interface ScheduleResult {
  node: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export class PodScheduler {
  readonly #profile: Profile;
  readonly #percentage: number | undefined;
  readonly #random: () => number;
  #nextStartNodeIndex = 0;
  #buffer = new Float64Array(0);

  constructor(profile: Profile, opts: { percentageOfNodesToScore?: number; random?: () => number } = {}) {
    this.#profile = profile;
    this.#percentage = opts.percentageOfNodesToScore;
    this.#random = opts.random ?? Math.random;
  }

  /** The node for the pod, or a FitError saying why none fits. */
  schedule(pi: PodInfo, cluster: ClusterView): ScheduleResult {
    const all = cluster.nodes;
    if (all.length === 0) throw new FitError(0, new Map());
    const state: CycleState = new Map();
    const statuses = new Map<string, FilterStatus>();
    const filters: FilterPlugin[] = [];
    let candidates: readonly NodeInfo[] = all;
    for (const f of this.#profile.filters) {
      const r = f.preFilter?.(state, pi, cluster);
      if (isFilterStatus(r)) {
        // Rejected for every node at once.
        for (const n of all) statuses.set(n.name, r);
        throw new FitError(all.length, statuses);
      }
      if (r?.nodeNames) {
        const names = r.nodeNames;
        const restricted = candidates.filter((n) => names.has(n.name));
        const outside = unresolvable(f.name, `node(s) didn't satisfy plugin(s) [${f.name}]`);
        for (const n of candidates) if (!names.has(n.name)) statuses.set(n.name, outside);
        candidates = restricted;
      }
      if (!r?.skip) filters.push(f);
    }
    const feasible = this.#findFeasible(pi, cluster, state, filters, candidates, statuses);
    if (feasible.length === 0) throw new FitError(all.length, statuses);
    const evaluated = feasible.length + statuses.size;
    if (feasible.length === 1) return { node: feasible[0]!.name, evaluatedNodes: evaluated, feasibleNodes: 1 };
    const totals = this.#score(pi, cluster, state, feasible);
    return { node: this.#selectHost(feasible, totals), evaluatedNodes: evaluated, feasibleNodes: feasible.length };
  }

  #findFeasible(pi: PodInfo, cluster: ClusterView, state: CycleState, filters: readonly FilterPlugin[], nodes: readonly NodeInfo[], statuses: Map<string, FilterStatus>): NodeInfo[] {
    const want = numFeasibleNodesToFind(nodes.length, this.#percentage);
    const feasible: NodeInfo[] = [];
    const n = nodes.length;
    const start = n ? this.#nextStartNodeIndex % n : 0;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % n]!;
      let failed: FilterStatus | undefined;
      for (const f of filters) {
        failed = f.filter(state, pi, node, cluster);
        if (failed) break;
      }
      if (failed) statuses.set(node.name, failed);
      else feasible.push(node);
    }
    // The next pod starts where this one stopped, so every node gets its turn.
    this.#nextStartNodeIndex = n ? (start + processed) % n : 0;
    return feasible;
  }

  #score(pi: PodInfo, cluster: ClusterView, state: CycleState, nodes: readonly NodeInfo[]): Float64Array {
    // Scratch space kept across cycles: hundreds of nodes are scored for every pod.
    if (this.#buffer.length < 2 * nodes.length) this.#buffer = new Float64Array(2 * nodes.length);
    const totals = this.#buffer.subarray(0, nodes.length).fill(0);
    const scores = this.#buffer.subarray(nodes.length, 2 * nodes.length);
    for (const p of this.#profile.scores) {
      if (p.preScore?.(state, pi, nodes, cluster)) continue;
      for (let i = 0; i < nodes.length; i++) scores[i] = p.score(state, pi, nodes[i]!);
      p.normalize?.(state, pi, scores, nodes);
      for (let i = 0; i < nodes.length; i++) totals[i] = totals[i]! + scores[i]! * p.weight;
    }
    return totals;
  }

  /** The highest total; among equals each is equally likely (reservoir sampling, selectHost). */
  #selectHost(nodes: readonly NodeInfo[], totals: Float64Array): string {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.#random() * ties < 1) best = i;
      }
    }
    return nodes[best]!.name;
  }
}
