// VolumeBinding (pkg/scheduler/framework/plugins/volumebinding/volume_binding.go and binder.go):
// a pod's claims decide where it may go. A bound claim's volume must accept the node (its
// nodeAffinity); an unbound claim of an Immediate class keeps the pod waiting for the PV
// controller; an unbound claim of a WaitForFirstConsumer class is satisfied on a node by an
// Available volume that fits there, or else by its class's provisioner. Once a node is chosen the
// scheduler writes the decision (podVolumeDecisions → volume-binder.ts), as upstream's PreBind.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/types/core-v1.ts';
import { ANN_SELECTED_NODE, NO_PROVISIONER, claimClass, findBestMatch } from '../../controllers/persistentvolume/pv-matching.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { unresolvable, type ClusterView, type CycleState, type FilterPlugin, type VolumeLister } from '../framework/types.ts';
import { termMatchesNode } from './node-affinity.ts';

const NAME = 'VolumeBinding';
const STATE_KEY = NAME;

export { ANN_SELECTED_NODE };

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

/** A pod's claims sorted by what they need (upstream's PodVolumeClaims). */
export interface PodVolumeClaims {
  /** Claims with a volume name, and that volume (undefined when it does not exist). */
  bound: Array<{ claim: PersistentVolumeClaim; volume: PersistentVolume | undefined }>;
  /** Unbound claims of WaitForFirstConsumer classes. */
  delayed: PersistentVolumeClaim[];
}

/** What binding the pod's claims on one node takes: volumes to pre-bind, claims to provision. */
export interface PodVolumeDecisions {
  bindings: Array<{ claim: PersistentVolumeClaim; volume: PersistentVolume }>;
  provisions: PersistentVolumeClaim[];
}

/** Names of the claims a pod mounts (persistentVolumeClaim volumes; generic ephemeral ones by their generated name). */
export function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
    else if ((v as { ephemeral?: unknown }).ephemeral) out.push(`${pod.metadata.name ?? ''}-${v.name}`);
  }
  return out;
}

/** The pod's claims by kind, or the message that rejects the pod on every node. */
export function podVolumeClaims(pod: Pod, lister: VolumeLister): PodVolumeClaims | string {
  const ns = pod.metadata.namespace ?? 'default';
  const out: PodVolumeClaims = { bound: [], delayed: [] };
  let immediate = false;
  for (const name of podClaimNames(pod)) {
    const claim = lister.claim(ns, name);
    if (!claim) return `persistentvolumeclaim "${name}" not found`;
    if (claim.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
    const volumeName = claim.spec?.volumeName;
    if (volumeName) {
      out.bound.push({ claim, volume: lister.volume(volumeName) });
      continue;
    }
    const cls = claimClass(claim);
    const sc = cls ? lister.storageClass(cls) : undefined;
    if (sc?.volumeBindingMode === 'WaitForFirstConsumer') out.delayed.push(claim);
    else immediate = true;
  }
  if (immediate) return ERR_UNBOUND_IMMEDIATE;
  return out;
}

/** PersistentVolume nodeAffinity accepts the node (storage volume util CheckNodeAffinity). */
export function volumeFitsNode(volume: PersistentVolume, node: Node): boolean {
  const terms = volume.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => termMatchesNode(t, node));
}

/**
 * Whether the claims can be satisfied on this node (FindPodVolumes): undefined and the decisions
 * when they can, else the reasons. Each unbound claim takes the smallest Available volume that
 * fits here and that no other claim (of this pod, or assumed by an earlier pod) took; failing
 * that, its class must provision (and allow this node's topology).
 */
export function findPodVolumes(claims: PodVolumeClaims, node: Node, lister: VolumeLister): { reasons: string[]; decisions: PodVolumeDecisions } {
  const reasons: string[] = [];
  const decisions: PodVolumeDecisions = { bindings: [], provisions: [] };
  let boundOk = true;
  for (const { volume } of claims.bound) {
    if (!volume) return { reasons: [ERR_REASON_PV_NOT_EXIST], decisions };
    if (!volumeFitsNode(volume, node)) boundOk = false;
  }
  if (!boundOk) reasons.push(ERR_REASON_NODE_CONFLICT);
  let unboundOk = true;
  const taken = new Set(lister.assumedVolumes);
  for (const claim of claims.delayed) {
    const selected = claim.metadata.annotations?.[ANN_SELECTED_NODE];
    if (selected !== undefined) {
      // Provisioning on a node was already asked for: only that node will do.
      if (selected !== node.metadata.name) { unboundOk = false; break; }
    } else {
      const candidates = [...lister.volumes()].filter((v) => !taken.has(v.metadata.name ?? '') && volumeFitsNode(v, node));
      const match = findBestMatch(candidates, claim);
      if (match) {
        taken.add(match.metadata.name ?? '');
        decisions.bindings.push({ claim, volume: match });
        continue;
      }
    }
    const sc = lister.storageClass(claimClass(claim));
    if (!sc || sc.provisioner === NO_PROVISIONER || !topologyAllows(sc.allowedTopologies, node)) { unboundOk = false; break; }
    decisions.provisions.push(claim);
  }
  if (!unboundOk) reasons.push(ERR_REASON_BIND_CONFLICT);
  return { reasons, decisions };
}

/** StorageClass allowedTopologies (v1helper.MatchTopologySelectorTerms): empty allows all. */
function topologyAllows(terms: Array<{ matchLabelExpressions?: Array<{ key: string; values: string[] }> }> | undefined, node: Node): boolean {
  if (!terms?.length) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => labels[e.key] !== undefined && e.values.includes(labels[e.key]!)));
}

function stateOf(state: CycleState): PodVolumeClaims | undefined {
  return state.get(STATE_KEY) as PodVolumeClaims | undefined;
}

export const volumeBinding: FilterPlugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeLabel', 'PvcAdd', 'PvcUpdate', 'PvAdd', 'PvUpdate', 'StorageClassAdd'],
  preFilter(state, pi, cluster) {
    const lister = cluster.volumes;
    if (!lister || podClaimNames(pi.pod).length === 0) return { skip: true };
    const claims = podVolumeClaims(pi.pod, lister);
    if (typeof claims === 'string') return unresolvable(NAME, claims);
    if (claims.bound.length === 0 && claims.delayed.length === 0) return { skip: true };
    state.set(STATE_KEY, claims);
    return undefined;
  },
  filter(state, _pi, node: NodeInfo, cluster: ClusterView) {
    const claims = stateOf(state);
    if (!claims || !cluster.volumes || !node.node) return undefined;
    const { reasons } = findPodVolumes(claims, node.node, cluster.volumes);
    return reasons.length ? unresolvable(NAME, ...reasons) : undefined;
  },
};

/** The writes binding the pod's claims on the chosen node takes (nothing when it has none). */
export function podVolumeDecisions(pod: Pod, node: Node, lister: VolumeLister): PodVolumeDecisions {
  const claims = podVolumeClaims(pod, lister);
  if (typeof claims === 'string') return { bindings: [], provisions: [] };
  return findPodVolumes(claims, node, lister).decisions;
}
