// A node whose Ready condition is not True takes no new pods unless they tolerate it. Upstream the
// node lifecycle controller turns the condition into the taints node.kubernetes.io/not-ready
// (False) and node.kubernetes.io/unreachable (Unknown) and TaintToleration rejects the node
// (pkg/controller/nodelifecycle/node_lifecycle_controller.go); skiff has no such controller, so
// this filter derives the same taint from the condition and rejects with the same message.
import type { Taint } from '../../api/types/core-v1.ts';
import { unresolvable, type FilterPlugin } from '../framework/types.ts';
import { tolerated, untoleratedTaintReason } from './tolerations.ts';

const NAME = 'NodeReady';

const NOT_READY: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
const UNREACHABLE: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

/** The taint the node lifecycle controller would put on a node in this Ready state. */
export function readinessTaint(readyStatus: 'True' | 'False' | 'Unknown'): Taint | undefined {
  return readyStatus === 'True' ? undefined : readyStatus === 'False' ? NOT_READY : UNREACHABLE;
}

export const nodeReady: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeCondition', 'NodeTaint'],
  filter(_state, pi, node) {
    if (node.readyStatus === 'True' || !node.node) return undefined;
    const taint = readinessTaint(node.readyStatus);
    if (!taint || tolerated(pi.pod.spec?.tolerations, taint)) return undefined;
    return unresolvable(NAME, untoleratedTaintReason(taint));
  },
};
