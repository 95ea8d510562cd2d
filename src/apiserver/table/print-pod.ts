// Pod rows, mirroring printPod in pkg/printers/internalversion/printers.go: READY counts, the
// STATUS reason ladder (init containers, waiting/terminated reasons, Terminating), RESTARTS with
// the time of the last restart.
import type { KubeObject } from '../../api/meta.ts';
import { col, NAME, AGE, wide } from './columns.ts';
import { humanDuration, parseTime, since } from './human-duration.ts';
import type { Printer, TableRowCondition } from './types.ts';

interface ContainerState {
  waiting?: { reason?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface Condition { type?: string; status?: string; reason?: string }

interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    containers?: Array<{ name?: string }>;
    initContainers?: Array<{ name?: string; restartPolicy?: string }>;
    readinessGates?: Array<{ conditionType?: string }>;
  };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    podIPs?: Array<{ ip?: string }>;
    nominatedNodeName?: string;
    conditions?: Condition[];
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

const NODE_LOST = 'NodeLost';

function hasCondition(conds: Condition[] | undefined, type: string): boolean {
  return (conds ?? []).some((c) => c.type === type && c.status === 'True');
}

/** The Initialized condition, read from the first entry of that type only. */
function initializedTrue(conds: Condition[] | undefined): boolean {
  const c = (conds ?? []).find((x) => x.type === 'Initialized');
  return c?.status === 'True';
}

function terminatedReason(t: NonNullable<ContainerState['terminated']>, prefix: string): string {
  if (t.reason) return prefix + t.reason;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

export interface PodSummary { ready: string; status: string; restarts: number; lastRestart: number | undefined }

/** READY, STATUS and the restart count of a pod, as `kubectl get pods` shows them. */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs = spec.initContainers ?? [];
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const total = (spec.containers ?? []).length + sidecars.size;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined): number | undefined =>
    b === undefined ? a : a === undefined || b > a ? b : a;

  let reason = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    const finished = parseTime(c.lastState?.terminated?.finishedAt);
    restarts += c.restartCount ?? 0;
    if (c.lastState?.terminated) lastRestart = later(lastRestart, finished);
    const sidecar = sidecars.has(c.name);
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastSidecarRestart = later(lastSidecarRestart, finished);
    }
    const term = c.state?.terminated;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (term) reason = terminatedReason(term, 'Init:');
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || initializedTrue(status.conditions)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestart = later(lastRestart, parseTime(c.lastState.terminated.finishedAt));
      const term = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (term) reason = terminatedReason(term, '');
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A container still running after another completed keeps the pod Running (or NotReady).
    if (reason === 'Completed' && hasRunning) reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  const phase = status.phase ?? '';
  if (pod.metadata.deletionTimestamp && status.reason === NODE_LOST) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  return { ready: `${ready}/${total}`, status: reason, restarts, lastRestart };
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conds = pod.status?.conditions ?? [];
  const ok = gates.filter((g) => conds.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${ok}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    NAME,
    col('Ready', 'string', 'Ready containers out of all containers in the pod.'),
    col('Status', 'string', 'Summary of the pod and container states.'),
    col('Restarts', 'string', 'Container restarts in the pod, and how long ago the last one was.'),
    AGE,
    wide('IP', 'string', 'The pod\'s primary IP address.'),
    wide('Node', 'string', 'Node the pod is bound to.'),
    wide('Nominated Node', 'string', 'Node on which the scheduler expects the pod to run once preemption finishes.'),
    wide('Readiness Gates', 'string', 'Readiness gates that are satisfied, out of all declared.'),
  ],
  cells(obj, now) {
    const pod = obj as Pod;
    const s = summarizePod(pod);
    const restarts = s.restarts !== 0 && s.lastRestart !== undefined
      ? `${s.restarts} (${humanDuration(now - s.lastRestart)} ago)`
      : String(s.restarts);
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
    return [
      pod.metadata.name ?? '', s.ready, s.status, restarts, since(pod.metadata.creationTimestamp, now),
      ip, pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readinessGates(pod),
    ];
  },
  conditions(obj): TableRowCondition[] | undefined {
    const phase = (obj as Pod).status?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};
