// Taints and tolerations (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go):
// NoSchedule and NoExecute taints the pod does not tolerate reject the node; PreferNoSchedule
// taints it does not tolerate lower the node's score.
import type { Toleration } from '../../api/types/core-v1.ts';
import { defaultNormalizeScore, unresolvable, type FilterPlugin, type ScorePlugin } from '../framework/types.ts';
import { tolerated, untoleratedTaintReason } from './tolerations.ts';

const NAME = 'TaintToleration';

export const taintTolerationFilter: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeTaint'],
  filter(_state, pi, node) {
    for (const taint of node.taints) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerated(pi.pod.spec?.tolerations, taint)) return unresolvable(NAME, untoleratedTaintReason(taint));
    }
    return undefined;
  },
};

const PREFER_KEY = `${NAME}/prefer`;

export const taintTolerationScore: ScorePlugin = {
  name: NAME,
  weight: 3,
  preScore(state, pi) {
    state.set(PREFER_KEY, (pi.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
    return false;
  },
  score(state, _pi, node) {
    const tols = state.get(PREFER_KEY) as Toleration[];
    let n = 0;
    for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !tolerated(tols, taint)) n++;
    return n;
  },
  normalize(_state, _pi, scores) { defaultNormalizeScore(scores, true); },
};
