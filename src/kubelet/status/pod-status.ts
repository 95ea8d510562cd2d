// The pod's status computed from what the engine reports (pkg/kubelet/kubelet_pods.go
// generateAPIPodStatus, getPhase, convertToAPIContainerStatuses; pkg/kubelet/status/generate.go
// for the conditions). Pure: the sync loop gathers the facts, this turns them into a PodStatus.
import type { Container, ContainerState, ContainerStatus as ApiContainerStatus, Pod, PodCondition, PodStatus } from '../../api/types/core-v1.ts';
import type { ContainerStatus as EngineContainerStatus } from '../../runtime/container-manager.ts';
import { IMAGE_ID_LABEL } from '../pods/labels.ts';
import { qosClass } from './qos.ts';

/** One run of a container: the engine's status and the attempt number from its labels. */
export interface Attempt {
  attempt: number;
  status: EngineContainerStatus;
  /** The image as resolved when it was created (normalised reference). */
  image: string;
  /** What it wrote to its terminationMessagePath (or the log tail), once it stopped. */
  terminationMessage?: string;
}

export interface ContainerFacts {
  /** Runs of the container, oldest first. */
  attempts: Attempt[];
  /** Why it is not running now, when the kubelet knows (image pull, backoff, config errors). */
  waiting?: { reason: string; message?: string };
  /** Readiness as probed (undefined: no probe, ready while running). */
  ready?: boolean;
  /** Startup probe passed (undefined: no probe). */
  started?: boolean;
}

export interface PodFacts {
  pod: Pod;
  sandboxReady: boolean;
  podIP?: string;
  hostIP: string;
  startTime: string;
  containers: Map<string, ContainerFacts>;
  /** A terminal phase the pod already reached: kept. */
  terminalPhase?: 'Succeeded' | 'Failed';
  /** The node agent failed the pod (eviction): status reason and message, DisruptionTarget condition. */
  failure?: { reason: string; message: string; disruptionTarget?: boolean };
  now: string;
}

export const CONTAINER_ID_PREFIX = 'skiff://';

/** Whether a stopped container is run again under the pod's restartPolicy. */
export function shouldRestart(pod: Pod, exitCode: number | undefined): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}

function terminated(a: Attempt): ContainerState {
  const s = a.status;
  return {
    terminated: {
      exitCode: s.exitCode ?? 0,
      reason: s.reason ?? (s.exitCode === 0 ? 'Completed' : 'Error'),
      ...(a.terminationMessage ? { message: a.terminationMessage } : {}),
      ...(s.startedAt ? { startedAt: s.startedAt.replace(/\.\d+Z$/, 'Z') } : {}),
      ...(s.finishedAt ? { finishedAt: s.finishedAt.replace(/\.\d+Z$/, 'Z') } : {}),
      containerID: `${CONTAINER_ID_PREFIX}${s.id}`,
    },
  };
}

/**
 * A sidecar: an init container with its own restartPolicy Always (KEP-753,
 * pkg/kubelet/types/pod_update.go IsRestartableInitContainer). It keeps running beside the app
 * containers and counts as initialized once started.
 */
export function isSidecar(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

type Kind = 'init' | 'sidecar' | 'app';

function containerStatus(pod: Pod, c: Container, facts: ContainerFacts | undefined, kind: Kind, defaultWaiting: string): ApiContainerStatus {
  const attempts = facts?.attempts ?? [];
  const latest = attempts.at(-1);
  const previous = attempts.at(-2);
  const image = latest?.image ?? c.image ?? '';
  const imageID = latest?.status.labels[IMAGE_ID_LABEL] ?? '';
  const base = { name: c.name, image, imageID, restartCount: latest?.attempt ?? 0 };
  if (!latest) {
    return { ...base, state: { waiting: facts?.waiting ?? { reason: defaultWaiting } }, lastState: {}, ready: false, started: false };
  }
  const containerID = `${CONTAINER_ID_PREFIX}${latest.status.id}`;
  const s = latest.status;
  if (s.status === 'running') {
    const started = facts?.started ?? true;
    return {
      ...base,
      containerID,
      state: { running: { ...(s.startedAt ? { startedAt: s.startedAt.replace(/\.\d+Z$/, 'Z') } : {}) } },
      lastState: previous ? terminated(previous) : {},
      // A sidecar's readiness is probed and counts, as an app container's does.
      ready: kind === 'init' ? false : started && (facts?.ready ?? true),
      started,
    };
  }
  if (s.status === 'created') {
    return { ...base, containerID, state: { waiting: facts?.waiting ?? { reason: 'ContainerCreating' } }, lastState: previous ? terminated(previous) : {}, ready: false, started: false };
  }
  // Stopped. When it will run again, it waits and its last run becomes lastState.
  const restarts = kind === 'sidecar' || (kind === 'init' ? (pod.spec?.restartPolicy ?? 'Always') !== 'Never' && s.exitCode !== 0 : shouldRestart(pod, s.exitCode));
  if (restarts && facts?.waiting && !pod.metadata.deletionTimestamp) {
    return { ...base, containerID, state: { waiting: facts.waiting }, lastState: terminated(latest), ready: false, started: false };
  }
  return {
    ...base,
    containerID,
    state: terminated(latest),
    lastState: previous ? terminated(previous) : {},
    ready: kind === 'init' && s.exitCode === 0,
    started: false,
  };
}

/**
 * Upstream's getPhase (pkg/kubelet/kubelet_pods.go): regular init containers must all have
 * succeeded, sidecars must have started (a sidecar restarting after it had run does not hold the
 * pod back), then the app containers decide; running sidecars count as running containers, and
 * stopped ones are left out (they are restarted, or stopped by the kubelet once the pod is done).
 */
export function podPhase(pod: Pod, init: ApiContainerStatus[], app: ApiContainerStatus[]): NonNullable<PodStatus['phase']> {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const specs = pod.spec?.initContainers ?? [];
  let pendingInit = 0;
  let pendingSidecars = 0;
  let failedInit = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of init) {
    const sidecar = isSidecar(specs.find((c) => c.name === s.name));
    const st = s.state ?? {};
    if (sidecar) {
      if (st.running) {
        running++;
        if (s.started !== true) pendingSidecars++;
      } else if (st.waiting && !s.lastState?.terminated) pendingSidecars++;
      else if (!st.terminated && !st.waiting) pendingSidecars++;
      continue;
    }
    if (st.terminated) {
      if (st.terminated.exitCode !== 0) failedInit++;
    } else if (st.waiting && s.lastState?.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  // A sidecar not started again holds the pod Pending only before any app container stopped
  // (upstream: the kubelet cannot tell a new sandbox's statuses from the old one's).
  if (pendingInit > 0 || (pendingSidecars > 0 && stopped === 0)) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(previous: PodCondition[] | undefined, type: string, ok: boolean, now: string, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const old = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now,
    ...(!ok && reason ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
  };
}

export function computePodStatus(f: PodFacts): PodStatus {
  const { pod } = f;
  const spec = pod.spec ?? { containers: [] };
  const initSpecs = spec.initContainers ?? [];
  const initStatuses = initSpecs.map((c) => containerStatus(pod, c, f.containers.get(c.name), isSidecar(c) ? 'sidecar' : 'init', 'PodInitializing'));
  // pkg/kubelet/status/generate.go GeneratePodInitializedCondition: a regular init container must
  // have succeeded, a sidecar must have started.
  const pendingInit = initSpecs.filter((c, i) => {
    const s = initStatuses[i]!;
    return isSidecar(c) ? s.started !== true : s.state?.terminated?.exitCode !== 0;
  }).map((c) => c.name);
  const initDone = pendingInit.length === 0;
  const appStatuses = spec.containers.map((c) => containerStatus(pod, c, f.containers.get(c.name), 'app', initDone ? 'ContainerCreating' : 'PodInitializing'));
  const phase = f.terminalPhase ?? podPhase(pod, initStatuses, appStatuses);
  const prev = pod.status?.conditions;
  // Sidecars' readiness counts toward the pod's (GenerateContainersReadyCondition).
  const sidecarStatuses = initStatuses.filter((_, i) => isSidecar(initSpecs[i]));
  const notReady = [...sidecarStatuses, ...appStatuses].filter((s) => !s.ready).map((s) => s.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = notReady.length === 0 && !terminal;
  const readyMsg = `containers with unready status: [${notReady.join(' ')}]`;
  // Once an app container has run, the pod was initialized, even while a sidecar restarts
  // (HasAnyRegularContainerStarted).
  const appStarted = appStatuses.some((s) => s.state?.running || s.state?.terminated);
  const initialized = initDone || phase === 'Succeeded' || appStarted;
  const scheduled = prev?.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: f.startTime };
  const conditions: PodCondition[] = [
    condition(prev, 'PodReadyToStartContainers', f.sandboxReady, f.now),
    // A pod that succeeded says why it counts as initialized (GeneratePodInitializedCondition).
    { ...condition(prev, 'Initialized', initialized, f.now, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`), ...(phase === 'Succeeded' ? { reason: 'PodCompleted' } : {}) },
    condition(prev, 'Ready', containersReady, f.now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : readyMsg),
    condition(prev, 'ContainersReady', containersReady, f.now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : readyMsg),
    scheduled,
  ];
  if (f.failure?.disruptionTarget) {
    // pkg/kubelet/eviction/eviction_manager.go: DisruptionTarget, reason TerminationByKubelet.
    const old = prev?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
    conditions.push({ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: old?.lastTransitionTime ?? f.now, reason: 'TerminationByKubelet', message: f.failure.message });
  }
  return {
    phase,
    conditions,
    ...(f.failure ? { reason: f.failure.reason, message: f.failure.message } : {}),
    hostIP: f.hostIP,
    hostIPs: [{ ip: f.hostIP }],
    ...(f.podIP ? { podIP: f.podIP, podIPs: [{ ip: f.podIP }] } : {}),
    startTime: f.startTime,
    ...(initSpecs.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
    qosClass: qosClass(spec),
  };
}
