// The kubelet's Summary API (GET /stats/summary), as much of it as skiff fills in
// (k8s.io/kubelet/pkg/apis/stats/v1alpha1/types.go). Only CPU and memory are reported; the
// consumers (the metrics API, eviction) read nothing else.

export interface CPUStats {
  /** When the sample was taken (RFC 3339). */
  time: string;
  /** CPU in use, averaged over the sampling window, in billionths of a core. */
  usageNanoCores?: number;
  /** Cumulative CPU time consumed, core-nanoseconds. */
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  /** Memory that could be reclaimed or not: available to the workload + in use. */
  availableBytes?: number;
  usageBytes?: number;
  /** Usage minus inactive file pages: what the OOM killer and eviction look at. */
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface PodReference {
  name: string;
  namespace: string;
  uid: string;
}

export interface PodStats {
  podRef: PodReference;
  startTime: string;
  containers: ContainerStats[];
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface NodeStats {
  nodeName: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}
