// What a simulated node reports: a Node with fixed capacity and a Ready condition, and pods that
// are Running with ready containers the moment they are bound (kwok's node and pod stages:
// kwok/stages/node-fast.yaml, pod-fast.yaml). Pure functions; hollow-fleet.ts does the writing.
import type { ContainerStatus, Node, NodeCondition, NodeStatus, Pod, PodCondition, PodStatus } from '../../api/types/core-v1.ts';
import { CONTAINER_RUNTIME_VERSION, KUBELET_VERSION } from '../node/node-info.ts';

/** Marks the Nodes a simulator made, as kwok's `kwok.x-k8s.io/node: fake` annotation does. */
export const HOLLOW_ANNOTATION = 'skiff.dev/hollow-node';

export interface HollowNodeSpec {
  name: string;
  internalIP: string;
  cpu: string;
  memory: string;
  maxPods: number;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function hollowNodeObject(spec: HollowNodeSpec): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: spec.name,
      labels: { 'kubernetes.io/hostname': spec.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'type': 'hollow' },
      annotations: { [HOLLOW_ANNOTATION]: 'true', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
  };
}

const CONDITIONS: Array<Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>> = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/** The node's status at `now`; transition times carried over from `previous` while a condition holds. */
export function hollowNodeStatus(spec: HollowNodeSpec, previous: NodeCondition[] | undefined, now: Date): NodeStatus {
  const t = rfc3339(now);
  const resources = { cpu: spec.cpu, memory: spec.memory, pods: String(spec.maxPods), 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: CONDITIONS.map((c) => {
      const old = previous?.find((p) => p.type === c.type);
      return { ...c, lastHeartbeatTime: t, lastTransitionTime: old?.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : t };
    }),
    addresses: [{ type: 'InternalIP', address: spec.internalIP }, { type: 'Hostname', address: spec.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: 'hollow',
      containerRuntimeVersion: CONTAINER_RUNTIME_VERSION.replace('skiff:', 'hollow:'), kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64',
    },
  };
}

/** The InternalIP of the i-th simulated node: 198.18.0.0/15, the range set aside for benchmarks (RFC 2544). */
export function hollowNodeIP(index: number): string {
  const n = (198 * 2 ** 24) + (18 * 2 ** 16) + 1 + (index % (2 ** 17 - 2));
  return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
}

/** Whether the simulator still has to report this bound pod as running. */
export function needsRunningStatus(pod: Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return phase !== 'Running' || !pod.status?.podIP || !pod.status.startTime;
}

/**
 * Running, every container running and ready, init containers completed, all four conditions
 * True (pkg/kubelet/status/generate.go's condition set). Once reported, the pod is left alone: a
 * readiness someone else patches in stays (benchmarks flip it on purpose).
 */
export function hollowPodStatus(pod: Pod, podIP: string, hostIP: string, now: Date): PodStatus {
  const t = rfc3339(now);
  const startTime = pod.status?.startTime ?? t;
  const running = (name: string, image: string): ContainerStatus => ({
    name, image, imageID: '', ready: true, started: true, restartCount: 0,
    containerID: `hollow://${pod.metadata.uid ?? ''}/${name}`,
    state: { running: { startedAt: startTime } },
  });
  const completed = (name: string, image: string): ContainerStatus => ({
    name, image, imageID: '', ready: true, started: false, restartCount: 0,
    containerID: `hollow://${pod.metadata.uid ?? ''}/${name}`,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: startTime } },
  });
  // A condition already True (PodScheduled, from the scheduler) keeps its transition time.
  const condition = (type: string): PodCondition => {
    const old = pod.status?.conditions?.find((c) => c.type === type);
    return { type, status: 'True', lastProbeTime: null, lastTransitionTime: old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : t };
  };
  const inits = pod.spec?.initContainers ?? [];
  return {
    phase: 'Running',
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    hostIP, hostIPs: [{ ip: hostIP }],
    podIP, podIPs: [{ ip: podIP }],
    startTime,
    ...(inits.length > 0 ? { initContainerStatuses: inits.map((c) => completed(c.name, c.image ?? '')) } : {}),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => running(c.name, c.image ?? '')),
  };
}

/**
 * Whether a simulated node should finish this pod: Running, owned by a Job (controller
 * reference) and not restarted on success (restartPolicy Never or OnFailure). kwok's default
 * stages do the same (kwok/stages/pod-general.yaml "pod-complete": pods with a Job owner).
 */
export function needsCompletion(pod: Pod): boolean {
  if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp) return false;
  const policy = pod.spec?.restartPolicy;
  if (policy !== 'Never' && policy !== 'OnFailure') return false;
  return (pod.metadata.ownerReferences ?? []).some((r) => r.kind === 'Job' && r.controller === true);
}

/**
 * Succeeded: every container terminated with exit code 0 (reason Completed), Ready and
 * ContainersReady False with reason PodCompleted, as the kubelet reports a finished pod
 * (pkg/kubelet/status/generate.go).
 */
export function hollowCompletedStatus(pod: Pod, now: Date): PodStatus {
  const t = rfc3339(now);
  const startTime = pod.status?.startTime ?? t;
  const terminated = (name: string, image: string, old: ContainerStatus | undefined): ContainerStatus => ({
    name, image, imageID: old?.imageID ?? '', ready: false, started: false, restartCount: old?.restartCount ?? 0,
    containerID: old?.containerID ?? `hollow://${pod.metadata.uid ?? ''}/${name}`,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: old?.state?.running?.startedAt ?? startTime, finishedAt: t } },
  });
  const conditions = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type): PodCondition => {
    const old = pod.status?.conditions?.find((c) => c.type === type);
    if (type === 'Ready' || type === 'ContainersReady') {
      return { type, status: 'False', reason: 'PodCompleted', lastProbeTime: null, lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : t };
    }
    return { type, status: 'True', lastProbeTime: null, lastTransitionTime: old?.status === 'True' && old.lastTransitionTime ? old.lastTransitionTime : t };
  });
  const current = pod.status?.containerStatuses ?? [];
  return {
    ...pod.status,
    phase: 'Succeeded',
    conditions,
    containerStatuses: (pod.spec?.containers ?? []).map((c) => terminated(c.name, c.image ?? '', current.find((s) => s.name === c.name))),
  };
}
