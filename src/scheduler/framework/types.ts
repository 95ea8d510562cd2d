// The plugin interfaces of the scheduling framework, reduced to the extension points skiff uses
// (pkg/scheduler/framework/interface.go): PreFilter, Filter, PreScore, Score, NormalizeScore.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/types/core-v1.ts';
import type { StorageClass } from '../../api/types/storage-v1.ts';
import type { LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { NodeInfo } from './node-info.ts';
import type { NamespaceLabels, PodInfo } from './pod-info.ts';

/**
 * Why a node was rejected. `Unschedulable` may change as pods come and go; `UnschedulableAndUnresolvable`
 * will not change without a change to the node or pod (upstream's status codes).
 */
export interface FilterStatus {
  code: 'Unschedulable' | 'UnschedulableAndUnresolvable';
  reasons: string[];
  plugin: string;
}

/** Cluster state a cycle reads. Valid only during one synchronous scheduling cycle. */
export interface ClusterView {
  /** Every node with a Node object, in scheduling order. */
  nodes: readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  /** Nodes that hold at least one pod with pod (anti-)affinity. */
  nodesWithAffinityPods(): Iterable<NodeInfo>;
  /** Nodes that hold at least one pod with required anti-affinity. */
  nodesWithRequiredAntiAffinityPods(): Iterable<NodeInfo>;
  namespaceLabels: NamespaceLabels;
  /** Label selectors of the services in the pod's namespace that select it. */
  servicesSelecting(pod: Pod): LabelSelectorExpr[];
  /** Claims, volumes and storage classes, for VolumeBinding; undefined where nothing watches them. */
  volumes?: VolumeLister | undefined;
}

/** What VolumeBinding reads (the PVC, PV and StorageClass listers of upstream's binder). */
export interface VolumeLister {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): Iterable<PersistentVolume>;
  storageClass(name: string): StorageClass | undefined;
  /** Volumes this scheduler has chosen for a claim but not yet seen bound (the assume cache). */
  assumedVolumes: ReadonlySet<string>;
}

/** Per-cycle scratch space shared between a plugin's extension points. */
export type CycleState = Map<string, unknown>;

export interface PreFilterResult {
  /** Only these nodes can pass (e.g. matchFields on metadata.name); undefined means all. */
  nodeNames?: Set<string>;
  /** The plugin has nothing to check for this pod: skip its Filter. */
  skip?: boolean;
}

/**
 * Cluster events that can make a rejected pod schedulable (pkg/scheduler/framework/types.go
 * ClusterEvent); plugins list the ones that matter to them (EventsToRegister).
 */
export type ClusterEvent =
  | 'NodeAdd' | 'NodeDelete' | 'NodeAllocatable' | 'NodeLabel' | 'NodeTaint' | 'NodeCondition'
  | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete'
  | 'PvcAdd' | 'PvcUpdate' | 'PvAdd' | 'PvUpdate' | 'StorageClassAdd';

export interface Plugin {
  readonly name: string;
  /** Events that may make pods this plugin rejected schedulable. */
  readonly events: readonly ClusterEvent[];
}

export interface FilterPlugin extends Plugin {
  preFilter?(state: CycleState, pi: PodInfo, cluster: ClusterView): PreFilterResult | FilterStatus | undefined;
  filter(state: CycleState, pi: PodInfo, node: NodeInfo, cluster: ClusterView): FilterStatus | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  /** Return true to skip scoring for this pod (every node would score the same). */
  preScore?(state: CycleState, pi: PodInfo, nodes: readonly NodeInfo[], cluster: ClusterView): boolean;
  score(state: CycleState, pi: PodInfo, node: NodeInfo): number;
  /** Bring raw scores (in the order of `nodes`) to 0–100 in place. */
  normalize?(state: CycleState, pi: PodInfo, scores: Float64Array, nodes: readonly NodeInfo[]): void;
}

export const MAX_NODE_SCORE = 100;

export function unschedulable(plugin: string, ...reasons: string[]): FilterStatus {
  return { code: 'Unschedulable', reasons, plugin };
}

export function unresolvable(plugin: string, ...reasons: string[]): FilterStatus {
  return { code: 'UnschedulableAndUnresolvable', reasons, plugin };
}

export function isFilterStatus(v: PreFilterResult | FilterStatus | undefined): v is FilterStatus {
  return v !== undefined && 'code' in v;
}

/** Scores 0..max scaled to 0..100, optionally reversed (pkg/scheduler/framework/plugins/helper/normalize_score.go). */
export function defaultNormalizeScore(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((MAX_NODE_SCORE * scores[i]!) / max);
    if (reverse) s = MAX_NODE_SCORE - s;
    scores[i] = s;
  }
}

export type { Pod };
