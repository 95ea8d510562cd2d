// Prefers nodes whose cpu and memory would be used in equal fractions after placing the pod
// (pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go): score = (1 − std) × 100.
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework/types.ts';

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  // A pod that requests neither cpu nor memory changes no fraction: skip (BalancedAllocation PreScore).
  preScore(_state, pi) { return pi.requests.milliCPU === 0 && pi.requests.memory === 0; },
  score(_state, pi, node) {
    // Balanced allocation uses the actual requests (useRequested), capped at the allocatable.
    if (node.allocMilliCPU === 0 || node.allocMemory === 0) return 0;
    const cpu = Math.min(1, (node.reqMilliCPU + pi.requests.milliCPU) / node.allocMilliCPU);
    const mem = Math.min(1, (node.reqMemory + pi.requests.memory) / node.allocMemory);
    const std = Math.abs((cpu - mem) / 2);
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};
