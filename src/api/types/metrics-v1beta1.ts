// metrics.k8s.io/v1beta1 (k8s.io/metrics/pkg/apis/metrics/v1beta1/types.go): the resource
// metrics API that metrics-server serves and `kubectl top` reads. Never stored.
import type { ObjectMeta } from '../meta.ts';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** cpu (cores) and memory (bytes) as quantity strings. */
export type MetricsUsage = Record<string, string>;

export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  usage: MetricsUsage;
}

export interface ContainerMetrics {
  name: string;
  usage: MetricsUsage;
}

export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  containers: ContainerMetrics[];
}

export interface MetricsList<T> {
  kind: 'NodeMetricsList' | 'PodMetricsList';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: Record<string, never>;
  items: T[];
}
