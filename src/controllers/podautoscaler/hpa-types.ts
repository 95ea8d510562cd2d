// JSON shapes of autoscaling/v2 HorizontalPodAutoscaler and autoscaling/v1 Scale
// (k8s.io/api/autoscaling/v2/types.go, v1/types.go); only the fields the controller reads and writes.
import type { KubeObject } from '../../api/meta.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface MetricTarget {
  type: 'Utilization' | 'Value' | 'AverageValue';
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

export interface MetricValueStatus {
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

export interface ResourceMetricSource { name: string; target: MetricTarget }
export interface ContainerResourceMetricSource extends ResourceMetricSource { container: string }

export interface MetricSpec {
  type: string;
  resource?: ResourceMetricSource;
  containerResource?: ContainerResourceMetricSource;
}

export interface MetricStatus {
  type: string;
  resource?: { name: string; current: MetricValueStatus };
  containerResource?: { name: string; container: string; current: MetricValueStatus };
}

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface HPABehavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

export interface HPACondition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  status: ConditionStatus;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface HPAStatus {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas?: number;
  desiredReplicas: number;
  currentMetrics?: MetricStatus[];
  conditions?: HPACondition[];
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: HPABehavior;
  };
  status?: HPAStatus;
}

export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}
