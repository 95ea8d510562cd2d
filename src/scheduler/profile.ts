// The default profile: filters in upstream's order and scores with upstream's weights
// (pkg/scheduler/apis/config/v1/default_plugins.go).
import type { ClusterEvent, FilterPlugin, ScorePlugin } from './framework/types.ts';
import { balancedAllocation } from './plugins/balanced-allocation.ts';
import { interPodAffinityFilter, interPodAffinityScore } from './plugins/inter-pod-affinity.ts';
import { nodeAffinityFilter, nodeAffinityScore } from './plugins/node-affinity.ts';
import { nodeName } from './plugins/node-name.ts';
import { nodePorts } from './plugins/node-ports.ts';
import { nodeReady } from './plugins/node-ready.ts';
import { nodeResourcesFitFilter, nodeResourcesLeastAllocated } from './plugins/node-resources-fit.ts';
import { nodeUnschedulable } from './plugins/node-unschedulable.ts';
import { podTopologySpreadFilter, podTopologySpreadScore } from './plugins/pod-topology-spread.ts';
import { selectorSpread } from './plugins/selector-spread.ts';
import { taintTolerationFilter, taintTolerationScore } from './plugins/taint-toleration.ts';
import { volumeBinding } from './plugins/volume-binding.ts';

export interface Profile {
  filters: readonly FilterPlugin[];
  scores: readonly ScorePlugin[];
}

export const DEFAULT_PROFILE: Profile = {
  filters: [
    nodeUnschedulable, nodeName, nodeReady, taintTolerationFilter, nodeAffinityFilter, nodePorts,
    nodeResourcesFitFilter, volumeBinding, podTopologySpreadFilter, interPodAffinityFilter,
  ],
  scores: [
    taintTolerationScore, nodeAffinityScore, podTopologySpreadScore, interPodAffinityScore,
    nodeResourcesLeastAllocated, balancedAllocation, selectorSpread,
  ],
};

/** Whether `plugin` registered interest in `event` (for the queue's requeueing). */
export function profileInterest(profile: Profile): (plugin: string, event: ClusterEvent) => boolean {
  const m = new Map<string, Set<ClusterEvent>>();
  for (const f of profile.filters) {
    const s = m.get(f.name) ?? new Set<ClusterEvent>();
    for (const e of f.events) s.add(e);
    m.set(f.name, s);
  }
  return (plugin, event) => m.get(plugin)?.has(event) ?? true;
}
