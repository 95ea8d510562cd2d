// From kubelet Summary API documents to metrics.k8s.io objects, as metrics-server does
// (pkg/scraper/client/resource/decode.go, pkg/storage/{node,pod}.go, pkg/api/{node,pod}.go):
// CPU is the kubelet's usageNanoCores, memory the working set; a pod is reported only while it is
// Running and has metrics for at least one container; a container without both readings is left out.
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { METRICS_API_VERSION, type ContainerMetrics, type NodeMetrics, type PodMetrics } from '../../api/types/metrics-v1beta1.ts';
import type { CPUStats, MemoryStats, PodStats, Summary } from '../../api/types/stats-v1alpha1.ts';
import { formatBytes, formatGoDuration, formatNanoCores } from '../../api/quantity-format.ts';

/**
 * The window the kubelet's rates cover: its stats provider samples every cgroup every 10 s
 * (src/kubelet/stats/stats-provider.ts), as metrics-server's default resolution reports.
 */
export const METRICS_WINDOW_MS = 10_000;

/** metav1.Time: RFC 3339 in whole seconds. */
export function metaTime(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return `${d.toISOString().slice(0, 19)}Z`;
}

function usage(cpu: CPUStats | undefined, memory: MemoryStats | undefined): { usage: Record<string, string>; time: string } | undefined {
  if (cpu?.usageNanoCores === undefined || memory?.workingSetBytes === undefined) return undefined;
  return { usage: { cpu: formatNanoCores(cpu.usageNanoCores), memory: formatBytes(memory.workingSetBytes) }, time: cpu.time };
}

export function nodeMetricsFromSummary(node: Node, summary: Summary, now: Date): NodeMetrics | undefined {
  const u = usage(summary.node.cpu, summary.node.memory);
  if (!u) return undefined;
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: {
      name: node.metadata.name!,
      creationTimestamp: metaTime(now),
      ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
    },
    timestamp: metaTime(u.time),
    window: formatGoDuration(METRICS_WINDOW_MS),
    usage: u.usage,
  };
}

/** The pod's stats in its node's summary, matched by uid (a recreated pod of the same name is another pod). */
export function findPodStats(summary: Summary | undefined, pod: Pod): PodStats | undefined {
  return summary?.pods.find((p) => p.podRef.uid === pod.metadata.uid && p.podRef.namespace === (pod.metadata.namespace ?? 'default') && p.podRef.name === pod.metadata.name);
}

export function podMetricsFromStats(pod: Pod, stats: PodStats | undefined, now: Date): PodMetrics | undefined {
  if (!stats || pod.status?.phase !== 'Running') return undefined;
  const containers: ContainerMetrics[] = [];
  let newest: string | undefined;
  for (const c of stats.containers) {
    const u = usage(c.cpu, c.memory);
    if (!u) continue;
    containers.push({ name: c.name, usage: u.usage });
    if (!newest || u.time > newest) newest = u.time;
  }
  if (containers.length === 0 || !newest) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: {
      name: pod.metadata.name!,
      namespace: pod.metadata.namespace ?? 'default',
      creationTimestamp: metaTime(now),
      ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
    },
    timestamp: metaTime(newest),
    window: formatGoDuration(METRICS_WINDOW_MS),
    containers,
  };
}
