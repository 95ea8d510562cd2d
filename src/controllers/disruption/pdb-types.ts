// JSON shape of policy/v1 PodDisruptionBudget (k8s.io/api/policy/v1/types.go), the fields the
// disruption controller and the eviction subresource read and write.
import type { KubeObject } from '../../api/meta.ts';
import type { LabelSelectorMeta } from '../../api/selectors/labels.ts';

export type IntOrPercent = number | string;

/** metav1.Condition. */
export interface PdbCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface PodDisruptionBudgetSpec {
  minAvailable?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
  selector?: LabelSelectorMeta | null;
  /** IfHealthyBudget (the default) or AlwaysAllow. */
  unhealthyPodEvictionPolicy?: string;
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  /** Pod name → when the eviction subresource let it go (RFC 3339). */
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  spec?: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}

/** The condition type and reasons upstream sets (pkg/apis/policy/types.go). */
export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';
