// Host ports: a pod cannot go where another pod already holds the same protocol and port on an
// overlapping address; 0.0.0.0 overlaps every address (pkg/scheduler/framework/plugins/nodeports).
import { unschedulable, type FilterPlugin } from '../framework/types.ts';

const NAME = 'NodePorts';
export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

export const nodePorts: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'AssignedPodDelete'],
  preFilter(_state, pi) {
    return pi.hostPorts.length === 0 ? { skip: true } : undefined;
  },
  filter(_state, pi, node) {
    for (const p of pi.hostPorts) if (node.portConflicts(p)) return unschedulable(NAME, ERR_REASON_PORTS);
    return undefined;
  },
};
