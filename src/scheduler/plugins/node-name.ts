// A pod that names a node (spec.nodeName) fits only that node
// (pkg/scheduler/framework/plugins/nodename/node_name.go). Pods reach the scheduler with an empty
// nodeName, so this matters only to callers that evaluate pods which already carry one.
import { unresolvable, type FilterPlugin } from '../framework/types.ts';

const NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd'],
  filter(_state, pi, node) {
    const want = pi.pod.spec?.nodeName;
    if (!want || want === node.name) return undefined;
    return unresolvable(NAME, ERR_REASON_NODE_NAME);
  },
};
