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
  /** Termination running or done. */
  terminating: boolean;
  /** The earliest time a timed retry is wanted (backoff), ms since the epoch. */
  nextSyncAt?: number;
  /** status.reason and message (e.g. DeadlineExceeded). */
  statusReason?: { reason: string; message: string };
  /** The pod finished and its network attachment (IP) was released. */
  networkReleased?: boolean;
  /** Containers whose postStart hook failed (engine id), to report the reason. */
  postStartFailed: Set<string>;
}

export function newPodState(pod: Pod): PodState {
  const phase = pod.status?.phase;
  return {
    // A pod the API already shows finished (e.g. before an agent restart) stays finished.
    ...(phase === 'Succeeded' || phase === 'Failed' ? { terminalPhase: phase } : {}),
    uid: pod.metadata.uid!,
    pod,
    removedFromApi: false,
    containerIds: new Set(),
    waiting: new Map(),
    lastAttempt: new Map(),
    terminationMessages: new Map(),
    terminating: false,
    postStartFailed: new Set(),
  };
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}
