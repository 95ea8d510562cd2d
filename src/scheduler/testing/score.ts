// Running a score plugin over a cache's nodes as the scheduler does (PreScore, Score, NormalizeScore).
import type { Pod } from '../../api/types/core-v1.ts';
import type { SchedulerCache } from '../cache/cache.ts';
import { newPodInfo } from '../framework/pod-info.ts';
import type { CycleState, ScorePlugin } from '../framework/types.ts';

/** node name → normalized score, or undefined when the plugin skipped this pod. */
export function runScore(plugin: ScorePlugin, p: Pod, c: SchedulerCache): Record<string, number> | undefined {
  const state: CycleState = new Map();
  const pi = newPodInfo(p);
  const nodes = c.nodes;
  if (plugin.preScore?.(state, pi, nodes, c)) return undefined;
  const scores = new Float64Array(nodes.length);
  nodes.forEach((n, i) => { scores[i] = plugin.score(state, pi, n); });
  plugin.normalize?.(state, pi, scores, nodes);
  return Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]!]));
}
