// What the node agent holds per pod between syncs. Everything here can be rebuilt from the API
// and the engine's labels after a restart except backoff timers and waiting reasons, which
// upstream keeps in memory too.
import type { Pod } from '../../api/types/core-v1.ts';

export interface PodState {
  uid: string;
  /** The latest pod object seen (kept after the API deleted it, to finish the termination). */
  pod: Pod;
  /** The API no longer has the pod (deleted, possibly forcibly). */
  removedFromApi: boolean;
  /** Engine container ids of this pod (adopted at start from labels, then the ones created). */
  containerIds: Set<string>;
  /** Why a container is not running, by container name (image errors, backoff, config errors). */
  waiting: Map<string, { reason: string; message?: string }>;
  /** The attempt number last started per container name. */
  lastAttempt: Map<string, number>;
  /** Termination messages read when a container stopped, by engine container id. */
  terminationMessages: Map<string, string>;
  startTime?: string;
  terminalPhase?: 'Succeeded' | 'Failed';
  /**
   * Why the node agent itself failed the pod (eviction, rejection, active deadline): status reason
   * and message, and whether to add the DisruptionTarget condition
   * (pkg/kubelet/eviction/eviction_manager.go evictPod).
   */
  failure?: { reason: string; message: string; disruptionTarget?: boolean };
  /** Grace period (s) to stop the containers of a pod failed by the node agent, instead of the pod's. */
  stopGraceSeconds?: number;
  /** Termination running or done. */
  terminating: boolean;
  /** The earliest time a timed retry is wanted (backoff), ms since the epoch. */
  nextSyncAt?: number;
  /** The pod finished and its network attachment (IP) was released. */
  networkReleased?: boolean;
  /** Containers whose postStart hook failed (engine id), to report the reason. */
  postStartFailed: Set<string>;
}

export function newPodState(pod: Pod): PodState {
  // A pod the API shows in a terminal phase stays there (an agent restart must not run an
  // evicted pod again: pkg/kubelet/status/status_manager.go never leaves a terminal phase).
  const phase = pod.status?.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed' ? phase : undefined;
  const disrupted = (pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  return {
    uid: pod.metadata.uid!,
    pod,
    removedFromApi: false,
    containerIds: new Set(),
    waiting: new Map(),
    lastAttempt: new Map(),
    terminationMessages: new Map(),
    terminating: false,
    postStartFailed: new Set(),
    ...(terminal ? { terminalPhase: terminal } : {}),
    ...(terminal === 'Failed' && pod.status?.reason ? { failure: { reason: pod.status.reason, message: pod.status.message ?? '', ...(disrupted ? { disruptionTarget: true } : {}) } } : {}),
  };
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}
