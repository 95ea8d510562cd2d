// JSON shapes of the workload objects controllers read and write (k8s.io/api/apps/v1 ReplicaSet,
// core/v1 ReplicationController and PodTemplateSpec). They live here until src/api/types has an
// apps/v1 file; only the fields controllers use are typed.
import type { KubeObject, ObjectMeta } from '../../api/meta.ts';
import type { LabelSelectorMeta } from '../../api/selectors/labels.ts';
import type { PodSpec } from '../../api/types/core-v1.ts';

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

export interface ReplicaSetCondition {
  /** `ReplicaFailure` is the one upstream sets. */
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelectorMeta;
  template?: PodTemplateSpec;
}

export interface ReplicaSet extends KubeObject {
  spec?: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

export interface ReplicationControllerSpec {
  replicas?: number;
  minReadySeconds?: number;
  /** A map selector (equality only); defaults to the template's labels. */
  selector?: Record<string, string>;
  template?: PodTemplateSpec;
}

export interface ReplicationController extends KubeObject {
  spec?: ReplicationControllerSpec;
  status?: ReplicaSetStatus;
}
