// Resource requests must fit what the node has left (pkg/scheduler/framework/plugins/noderesources/fit.go);
// the score prefers the least allocated node (least_allocated.go), cpu and memory weighted equally.
import { MAX_NODE_SCORE, unschedulable, type FilterPlugin, type ScorePlugin } from '../framework/types.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';

const NAME = 'NodeResourcesFit';

/** The reasons a pod does not fit a node, in upstream's order and wording (fitsRequest). */
export function insufficientResources(pi: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.size + 1 > alloc.allowedPodNumber) out.push('Too many pods');
  const req = pi.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalar.size === 0) return out;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) out.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) out.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) out.push('Insufficient ephemeral-storage');
  for (const [name, q] of req.scalar) {
    if (q === 0) continue;
    if (q > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) out.push(`Insufficient ${name}`);
  }
  return out;
}

/** The common case without allocating: does everything fit? */
function fits(pi: PodInfo, node: NodeInfo): boolean {
  const req = pi.requests;
  return node.freePods >= 1
    && (req.milliCPU <= 0 || req.milliCPU <= node.freeMilliCPU)
    && (req.memory <= 0 || req.memory <= node.freeMemory)
    && (req.ephemeralStorage <= 0 || req.ephemeralStorage <= node.freeEphemeralStorage)
    && req.scalar.size === 0;
}

export const nodeResourcesFitFilter: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeAllocatable', 'AssignedPodDelete'],
  filter(_state, pi, node) {
    if (fits(pi, node)) return undefined;
    const reasons = insufficientResources(pi, node);
    return reasons.length ? unschedulable(NAME, ...reasons) : undefined;
  },
};

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const nodeResourcesLeastAllocated: ScorePlugin = {
  name: NAME,
  weight: 1,
  score(_state, pi, node) {
    // Scores use the non-zero requests, so pods without requests still spread (resource_allocation.go).
    const cpu = leastRequested(node.nonZeroCPU + pi.nonZeroCPU, node.allocMilliCPU);
    const mem = leastRequested(node.nonZeroMemory + pi.nonZeroMemory, node.allocMemory);
    return Math.trunc((cpu + mem) / 2);
  },
};
