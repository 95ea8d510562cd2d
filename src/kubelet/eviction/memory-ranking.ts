// Which pod goes first under memory pressure (pkg/kubelet/eviction/helpers.go rankMemoryPressure):
// pods using more memory than they request, then lower priority, then the largest use above the
// request. A pod without stats goes first. BestEffort pods request nothing, so any use exceeds
// it; Guaranteed pods cannot use more than their request: the QoS order falls out of this.
import type { Container, Pod } from '../../api/types/core-v1.ts';
import type { PodStats } from '../../api/types/stats-v1alpha1.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';

export type PodStatsLookup = (pod: Pod) => PodStats | undefined;

function containerRequest(c: Container): number {
  const r = c.resources?.requests?.memory ?? c.resources?.limits?.memory;
  return r === undefined ? 0 : parseQuantity(r);
}

/** The pod's memory request: its containers' sum, or the largest init container's if larger (resource helpers PodRequests). */
export function podMemoryRequest(pod: Pod): number {
  const app = (pod.spec?.containers ?? []).reduce((n, c) => n + containerRequest(c), 0);
  const init = Math.max(0, ...(pod.spec?.initContainers ?? []).map(containerRequest));
  return Math.max(app, init);
}

function memoryUsage(stats: PodStats | undefined): number | undefined {
  return stats?.memory?.workingSetBytes;
}

/** true first, as upstream's cmpBool. */
function cmpBool(a: boolean, b: boolean): number {
  return a === b ? 0 : a ? -1 : 1;
}

export function rankMemoryPressure(pods: readonly Pod[], stats: PodStatsLookup): Pod[] {
  const facts = new Map(pods.map((p) => {
    const usage = memoryUsage(stats(p));
    const request = podMemoryRequest(p);
    return [p, { usage, request, priority: p.spec?.priority ?? 0 }] as const;
  }));
  return [...pods].sort((a, b) => {
    const fa = facts.get(a)!;
    const fb = facts.get(b)!;
    if (fa.usage === undefined || fb.usage === undefined) return cmpBool(fa.usage === undefined, fb.usage === undefined);
    return cmpBool(fa.usage > fa.request, fb.usage > fb.request)
      || fa.priority - fb.priority
      || (fb.usage - fb.request) - (fa.usage - fa.request);
  });
}
