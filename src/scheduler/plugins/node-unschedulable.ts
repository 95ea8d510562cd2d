// Rejects nodes marked spec.unschedulable unless the pod tolerates the unschedulable taint
// (pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go).
import type { Taint } from '../../api/types/core-v1.ts';
import { unresolvable, type FilterPlugin } from '../framework/types.ts';
import { tolerated } from './tolerations.ts';

const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulable: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeTaint'],
  filter(_state, pi, node) {
    if (!node.unschedulable) return undefined;
    if (tolerated(pi.pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
    return unresolvable(NAME, ERR_REASON_UNSCHEDULABLE);
  },
};
