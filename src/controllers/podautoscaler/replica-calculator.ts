// How many replicas a resource metric asks for, as pkg/controller/podautoscaler/replica_calculator.go
// (GetResourceReplicas, GetRawResourceReplicas, groupPods, calculateRequests) and
// metrics/utilization.go: values are milli-units (cpu millicores, memory millibytes) as upstream's
// MilliValue(); pods without metrics count as 0% on a scale up and 100% on a scale down, pods not
// ready yet are left out (and count as 0% on a scale up), and a change within the tolerance is none.
import type { Pod } from '../../api/types/core-v1.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';

export interface PodMetric {
  timestampMs: number;
  windowMs: number;
  /** milli-units */
  value: number;
}

/** Pod name → its metric. */
export type PodMetricsInfo = Map<string, PodMetric>;

export interface CalculatorOptions {
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5m). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30s). */
  delayOfInitialReadinessStatusMs: number;
  nowMs: number;
}

export const DEFAULT_CALCULATOR_OPTIONS: Omit<CalculatorOptions, 'nowMs'> = {
  tolerance: 0.1, cpuInitializationPeriodMs: 5 * 60_000, delayOfInitialReadinessStatusMs: 30_000,
};

export interface PodGroups {
  readyPodCount: number;
  unreadyPods: Set<string>;
  missingPods: Set<string>;
  ignoredPods: Set<string>;
}

/** A quantity in milli-units, rounded up as Quantity.MilliValue() (the epsilon absorbs float noise of "150m"). */
export function milliValue(q: string | number): number {
  const v = typeof q === 'number' ? q : parseQuantity(q);
  return Math.ceil(v * 1000 - 1e-6);
}

const within = (ratio: number, tolerance: number): boolean => Math.abs(1 - ratio) <= tolerance;

/** groupPods: ready pods with metrics, unready ones (pending, or cpu not settled), ones without metrics, and ones that do not count. */
export function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, o: CalculatorOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unreadyPods: new Set(), missingPods: new Set(), ignoredPods: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignoredPods.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unreadyPods.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missingPods.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let unready: boolean;
      if (!cond || start === undefined) {
        unready = true;
      } else {
        const transition = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : 0;
        if (start + o.cpuInitializationPeriodMs > o.nowMs) {
          // Still starting: a sample is trusted once a whole metric window lies after the pod turned ready.
          unready = cond.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          // Past start-up: ignore only a pod that has never been ready.
          unready = cond.status === 'False' && start + o.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        g.unreadyPods.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

function removeMetrics(metrics: PodMetricsInfo, pods: Set<string>): void {
  for (const p of pods) metrics.delete(p);
}

/** calculateRequests: each pod's request for the resource (milli-units), over its containers or the one named. */
export function podRequests(pods: readonly Pod[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    let found = false;
    // Sidecars (init containers that keep running) use resources beside the app containers.
    const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
      if (container !== '' && c.name !== container) continue;
      const req = c.resources?.requests?.[resource];
      if (req === undefined) {
        if (container !== '') break;
        throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      }
      sum += milliValue(String(req));
      found = true;
    }
    if (!found) throw new Error(`missing request for ${resource} in container ${container} of Pod ${pod.metadata.name}`);
    out.set(pod.metadata.name ?? '', sum);
  }
  return out;
}

/** GetResourceUtilizationRatio: usage over requests of the pods that have both. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, m] of metrics) {
    const req = requests.get(pod);
    if (req === undefined) continue; // metrics of pods not selected
    metricsTotal += m.value;
    requestsTotal += req;
    entries++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** GetMetricUsageRatio: the average over the pods against the target average. */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

export interface ResourceReplicasInput {
  currentReplicas: number;
  resource: string;
  /** '' for every container of the pod (Resource metrics); a name for ContainerResource. */
  container: string;
  pods: readonly Pod[];
  metrics: PodMetricsInfo;
}

export interface ReplicasProposal {
  replicas: number;
  /** Average utilization in percent (Utilization targets only). */
  utilization?: number;
  /** Average usage per pod, milli-units. */
  rawAverage: number;
}

/**
 * Both calculations share this shape: filter, compute a ratio, and if unready or missing pods
 * would change the answer, recompute with their assumed values unless that flips the direction.
 */
function proposal(input: ResourceReplicasInput, o: CalculatorOptions, ratioOf: (m: PodMetricsInfo) => number,
  missingValue: (pod: string, scaleDown: boolean) => number): number {
  const { pods, resource, currentReplicas } = input;
  const metrics: PodMetricsInfo = new Map(input.metrics);
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, metrics, resource, o);
  removeMetrics(metrics, g.ignoredPods);
  removeMetrics(metrics, g.unreadyPods);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const ratio = ratioOf(metrics);
  const scaleUpWithUnready = g.unreadyPods.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missingPods.size === 0) {
    if (within(ratio, o.tolerance)) return currentReplicas;
    return Math.ceil(ratio * g.readyPodCount);
  }
  if (g.missingPods.size > 0) {
    if (ratio < 1) for (const p of g.missingPods) metrics.set(p, { timestampMs: 0, windowMs: 0, value: missingValue(p, true) });
    else if (ratio > 1) for (const p of g.missingPods) metrics.set(p, { timestampMs: 0, windowMs: 0, value: 0 });
  }
  if (scaleUpWithUnready) for (const p of g.unreadyPods) metrics.set(p, { timestampMs: 0, windowMs: 0, value: 0 });
  const newRatio = ratioOf(metrics);
  if (within(newRatio, o.tolerance) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return currentReplicas;
  const replicas = Math.ceil(newRatio * metrics.size);
  // Counting more pods must not turn a scale up into a scale down, nor the reverse.
  if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) return currentReplicas;
  return replicas;
}

/** The metrics of the pods that count as they are: neither ignored nor unready; an error when none is left. */
function readyMetrics(input: ResourceReplicasInput, o: CalculatorOptions): PodMetricsInfo {
  if (input.pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const ready = new Map(input.metrics);
  const g = groupPods(input.pods, ready, input.resource, o);
  removeMetrics(ready, g.ignoredPods);
  removeMetrics(ready, g.unreadyPods);
  if (ready.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  return ready;
}

/** GetResourceReplicas: a Utilization target, in percent of the pods' requests. */
export function resourceReplicas(input: ResourceReplicasInput, targetUtilization: number, o: CalculatorOptions): ReplicasProposal {
  // The first ratio (before any assumption) is what the status reports.
  const ready = readyMetrics(input, o);
  const requests = podRequests(input.pods, input.container, input.resource);
  const first = resourceUtilizationRatio(ready, requests, targetUtilization);
  // On a scale down a pod without metrics counts as using its whole request (or the target, if above 100%).
  const fallback = Math.max(100, targetUtilization);
  const replicas = proposal(input, o, (m) => resourceUtilizationRatio(m, requests, targetUtilization).ratio,
    (pod) => Math.trunc(((requests.get(pod) ?? 0) * fallback) / 100));
  return { replicas, utilization: first.utilization, rawAverage: first.rawAverage };
}

/** GetRawResourceReplicas (calcPlainMetricReplicas): an AverageValue target, milli-units per pod. */
export function rawResourceReplicas(input: ResourceReplicasInput, targetUsage: number, o: CalculatorOptions): ReplicasProposal {
  const ready = readyMetrics(input, o);
  const first = metricUsageRatio(ready, targetUsage);
  const replicas = proposal(input, o, (m) => metricUsageRatio(m, targetUsage).ratio, () => targetUsage);
  return { replicas, rawAverage: first.usage };
}
