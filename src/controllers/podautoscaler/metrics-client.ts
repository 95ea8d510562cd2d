// Pod resource usage from metrics.k8s.io/v1beta1 through the API server, as the HPA's resource
// metrics client (pkg/controller/podautoscaler/metrics/client.go, getPodMetrics): per pod, the
// sum over its containers (or the one named) in milli-units; a pod missing the resource for some
// container is left out, and an empty answer is an error.
import { METRICS_API_VERSION, type MetricsList, type PodMetrics } from '../../api/types/metrics-v1beta1.ts';
import type { RestClient } from '../../client/rest-client.ts';
import { milliValue, type PodMetricsInfo } from './replica-calculator.ts';

export interface ResourceMetrics {
  metrics: PodMetricsInfo;
  /** The first item's timestamp, as upstream reports. */
  timestampMs: number;
}

/** Go's time.Duration text ("10s", "1m30s", "500ms") in ms; 0 when unreadable. */
function windowMs(text: string | undefined): number {
  let ms = 0;
  for (const m of (text ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return ms;
}

export function podMetricsInfo(items: readonly PodMetrics[], resource: string, container: string): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const m of items) {
    let sum = 0;
    let missing = m.containers.length === 0;
    let found = false;
    for (const c of m.containers) {
      if (container !== '' && c.name !== container) continue;
      const v = c.usage[resource];
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += milliValue(v);
      found = true;
    }
    if (container !== '' && !found) missing = true;
    if (!missing) out.set(m.metadata.name ?? '', { timestampMs: Date.parse(m.timestamp), windowMs: windowMs(m.window), value: sum });
  }
  return out;
}

export async function getResourceMetric(rest: RestClient, namespace: string, selector: string, resource: string, container: string): Promise<ResourceMetrics> {
  const list = await rest.request<MetricsList<PodMetrics>>('GET', `/apis/${METRICS_API_VERSION}/namespaces/${encodeURIComponent(namespace)}/pods`, { query: { labelSelector: selector } });
  const items = list?.items ?? [];
  if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
  return { metrics: podMetricsInfo(items, resource, container), timestampMs: Date.parse(items[0]!.timestamp) };
}
