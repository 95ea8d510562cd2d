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

function containerStatus(pod: Pod, c: Container, facts: ContainerFacts | undefined, isInit: boolean, defaultWaiting: string): ApiContainerStatus {
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
      ready: isInit ? false : started && (facts?.ready ?? true),
      started,
    };
  }
  if (s.status === 'created') {
    return { ...base, containerID, state: { waiting: facts?.waiting ?? { reason: 'ContainerCreating' } }, lastState: previous ? terminated(previous) : {}, ready: false, started: false };
  }
  // Stopped. When it will run again, it waits and its last run becomes lastState.
  const restarts = isInit ? (pod.spec?.restartPolicy ?? 'Always') !== 'Never' && s.exitCode !== 0 : shouldRestart(pod, s.exitCode);
  if (restarts && facts?.waiting && !pod.metadata.deletionTimestamp) {
    return { ...base, containerID, state: { waiting: facts.waiting }, lastState: terminated(latest), ready: false, started: false };
  }
  return {
    ...base,
    containerID,
    state: terminated(latest),
    lastState: previous ? terminated(previous) : {},
    ready: isInit && s.exitCode === 0,
    started: false,
  };
}

/** Upstream's getPhase, with init containers first. */
export function podPhase(pod: Pod, init: ApiContainerStatus[], app: ApiContainerStatus[]): NonNullable<PodStatus['phase']> {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  for (const s of init) {
    const t = s.state?.terminated;
    if (t && t.exitCode !== 0 && policy === 'Never') return 'Failed';
  }
  const initDone = init.every((s) => s.state?.terminated?.exitCode === 0);
  if (!initDone) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === app.length && stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (policy === 'OnFailure') return succeeded === stopped ? 'Succeeded' : 'Running';
    return succeeded === stopped ? 'Succeeded' : 'Failed';
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
  const initStatuses = initSpecs.map((c) => containerStatus(pod, c, f.containers.get(c.name), true, 'PodInitializing'));
  const initDone = initStatuses.every((s) => s.state?.terminated?.exitCode === 0);
  const appStatuses = spec.containers.map((c) => containerStatus(pod, c, f.containers.get(c.name), false, initDone ? 'ContainerCreating' : 'PodInitializing'));
  const phase = f.terminalPhase ?? podPhase(pod, initStatuses, appStatuses);
  const prev = pod.status?.conditions;
  const notReady = appStatuses.filter((s) => !s.ready).map((s) => s.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = notReady.length === 0 && !terminal;
  const readyMsg = `containers with unready status: [${notReady.join(' ')}]`;
  const pendingInit = initStatuses.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  const scheduled = prev?.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: f.startTime };
  const conditions: PodCondition[] = [
    condition(prev, 'PodReadyToStartContainers', f.sandboxReady, f.now),
    condition(prev, 'Initialized', initDone || terminal && pendingInit.length === 0, f.now, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`),
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
