// The status message and event of an evicted pod, worded as the kubelet's
// (pkg/kubelet/eviction/helpers.go evictionMessage): the starved resource, the threshold and what
// was available, then each container using more than it requested.
import type { Pod } from '../../api/types/core-v1.ts';
import type { PodStats } from '../../api/types/stats-v1alpha1.ts';
import { formatBytes } from '../../api/quantity-format.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';

export const EVICTED_REASON = 'Evicted';

export function memoryEvictionMessage(pod: Pod, stats: PodStats | undefined, threshold: string, availableBytes: number): string {
  let message = `The node was low on resource: memory. Threshold quantity: ${threshold}, available: ${formatBytes(availableBytes)}. `;
  for (const cs of stats?.containers ?? []) {
    const spec = pod.spec?.containers.find((c) => c.name === cs.name);
    const ws = cs.memory?.workingSetBytes;
    if (!spec || ws === undefined) continue;
    const requestText = spec.resources?.requests?.memory ?? '0';
    const requestBytes = spec.resources?.requests?.memory ? parseQuantity(spec.resources.requests.memory) : 0;
    if (ws > requestBytes) message += `Container ${cs.name} was using ${formatBytes(ws)}, request is ${requestText}, has larger consumption of memory. `;
  }
  return message;
}
