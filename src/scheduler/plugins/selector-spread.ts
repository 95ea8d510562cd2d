// Spreads pods of one controller or service over nodes and zones (the SelectorSpread plugin of
// pkg/scheduler/framework/plugins/selectorspread, which upstream now expresses as default topology
// spread constraints): fewer such pods on a node (and in its zone, weighted 2/3) scores higher.
import type { Pod } from '../../api/types/core-v1.ts';
import { matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework/types.ts';

const NAME = 'SelectorSpread';
const ZONE = 'topology.kubernetes.io/zone';
const ZONE_WEIGHTING = 2 / 3;

interface SpreadState {
  /** matches(pod) says whether an existing pod belongs to the same group */
  matches: (p: Pod) => boolean;
  perNode: Map<string, number>;
  perZone: Map<string, number>;
}

const STATE = `${NAME}/state`;

function controllerUid(pod: Pod): string | undefined {
  return pod.metadata.ownerReferences?.find((o) => o.controller)?.uid;
}

function countOn(node: NodeInfo, namespace: string, matches: (p: Pod) => boolean): number {
  let n = 0;
  for (const ex of node.pods.values()) {
    if (ex.namespace === namespace && !ex.pod.metadata.deletionTimestamp && matches(ex.pod)) n++;
  }
  return n;
}

export const selectorSpread: ScorePlugin = {
  name: NAME,
  weight: 1,
  preScore(state, pi, nodes, cluster) {
    // Pods with their own spread constraints are spread by PodTopologySpread instead.
    if (pi.pod.spec?.topologySpreadConstraints?.length) return true;
    const owner = controllerUid(pi.pod);
    const services: LabelSelectorExpr[] = cluster.servicesSelecting(pi.pod);
    if (!owner && services.length === 0) return true;
    const matches = (p: Pod): boolean => (owner !== undefined && controllerUid(p) === owner) || services.some((s) => matchesLabels(s, p.metadata.labels));
    const perNode = new Map<string, number>();
    const perZone = new Map<string, number>();
    for (const node of nodes) {
      const n = countOn(node, pi.namespace, matches);
      perNode.set(node.name, n);
      const zone = node.labels[ZONE];
      if (zone !== undefined) perZone.set(zone, (perZone.get(zone) ?? 0) + n);
    }
    state.set(STATE, { matches, perNode, perZone } satisfies SpreadState);
    return false;
  },
  score(state, _pi, node) {
    return (state.get(STATE) as SpreadState).perNode.get(node.name) ?? 0;
  },
  normalize(state, _pi, scores, nodes) {
    const s = state.get(STATE) as SpreadState;
    let maxNode = 0;
    for (const v of scores) maxNode = Math.max(maxNode, v);
    let maxZone = 0;
    for (const v of s.perZone.values()) maxZone = Math.max(maxZone, v);
    const haveZones = s.perZone.size > 0;
    nodes.forEach((n, i) => {
      let f = maxNode > 0 ? (MAX_NODE_SCORE * (maxNode - scores[i]!)) / maxNode : MAX_NODE_SCORE;
      const zone = n.labels[ZONE];
      if (haveZones && zone !== undefined) {
        const z = maxZone > 0 ? (MAX_NODE_SCORE * (maxZone - (s.perZone.get(zone) ?? 0))) / maxZone : MAX_NODE_SCORE;
        f = f * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * z;
      }
      scores[i] = Math.trunc(f);
    });
  },
};
