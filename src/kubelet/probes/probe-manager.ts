// The probe manager, as pkg/kubelet/prober/prober_manager.go: a worker per container and probe
// kind, results the pod workers read (readiness, started) and changes pushed through onChange.
// Unlike upstream, container state is pushed in by the node agent (updateContainer) instead of
// being read from a status manager. Upstream's random start-up jitter is left out.
import type { Container, Pod, Probe } from '../../api/types/core-v1.ts';
import { realClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { runProbe } from './run-probe.ts';
import type { ExecFn, ProbeContext, ProbeKind, ProbeOutcome } from './types.ts';
import { ProbeWorker } from './worker.ts';
import type { ContainerProbeState, ProbeResult } from './worker.ts';

const KIND_TITLE: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export interface ProbeEvent {
  type: 'Warning';
  /** Unhealthy for failures and errors, ProbeWarning for warnings (pkg/kubelet/events). */
  reason: 'Unhealthy' | 'ProbeWarning';
  /** e.g. `Liveness probe failed: HTTP probe failed with statuscode: 500`. */
  message: string;
}

export interface ProbeManagerOptions {
  /**
   * A probe result flipped. liveness/startup `failure` → kill and restart the container;
   * readiness → the container's ready flag; startup `success` → started. `containerId` is the
   * container the result belongs to (ignore it when that container is already gone).
   */
  onChange(podUid: string, containerName: string, kind: ProbeKind, result: ProbeResult, message: string, containerId: string): void;
  /** One call per failed, warning or errored probe run: record it as an event on the pod. */
  onEvent?(podUid: string, containerName: string, kind: ProbeKind, event: ProbeEvent): void;
  clock?: Clock;
  /** Runs one probe; defaults to runProbe (tests may count calls through it). */
  runProbe?: (probe: Probe, ctx: ProbeContext) => Promise<ProbeOutcome>;
}

/** How to reach a pod's containers. */
export interface PodProbeTarget {
  /** The pod IP (host IP for hostNetwork pods). */
  podIP: string;
  /** Runs a command in the named container (the engine's exec with a timeout). */
  exec?: (containerName: string, argv: string[], timeoutMs: number) => ReturnType<ExecFn>;
}

interface PodEntry {
  pod: Pod;
  target: PodProbeTarget;
  abort: AbortController;
  states: Map<string, ContainerProbeState>;
  workers: Map<string, ProbeWorker>;
  running: Array<Promise<void>>;
}

const key = (container: string, kind: ProbeKind): string => `${container}/${kind}`;

export class ProbeManager {
  readonly #opts: ProbeManagerOptions;
  readonly #clock: Clock;
  readonly #run: (probe: Probe, ctx: ProbeContext) => Promise<ProbeOutcome>;
  readonly #pods = new Map<string, PodEntry>();

  constructor(options: ProbeManagerOptions) {
    this.#opts = options;
    this.#clock = options.clock ?? realClock;
    this.#run = options.runProbe ?? runProbe;
  }

  /**
   * Starts workers for the pod's app containers (init containers are not probed, except
   * restartable sidecars). Calling it again updates the pod object (deletionTimestamp, phase) and
   * the target without restarting workers.
   */
  addPod(pod: Pod, target: PodProbeTarget): void {
    const uid = pod.metadata.uid ?? '';
    const existing = this.#pods.get(uid);
    if (existing) {
      existing.pod = pod;
      existing.target = target;
      return;
    }
    const entry: PodEntry = { pod, target, abort: new AbortController(), states: new Map(), workers: new Map(), running: [] };
    this.#pods.set(uid, entry);
    const containers = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
    for (const c of containers) {
      for (const [kind, probe] of [['startup', c.startupProbe], ['readiness', c.readinessProbe], ['liveness', c.livenessProbe]] as const) {
        if (!probe) continue;
        const worker = new ProbeWorker(kind, probe, this.#hostFor(entry, uid, c, kind, probe));
        entry.workers.set(key(c.name, kind), worker);
      }
    }
    for (const w of entry.workers.values()) entry.running.push(w.run(entry.abort.signal));
  }

  /** The container's current state (call on every change: created, started, exited, replaced). */
  updateContainer(podUid: string, containerName: string, state: ContainerProbeState): void {
    const entry = this.#pods.get(podUid);
    if (!entry) return;
    const prev = entry.states.get(containerName);
    entry.states.set(containerName, state);
    // A new or newly running container is probed without waiting for the rest of the period.
    if (prev?.containerId !== state.containerId || prev?.state !== state.state) {
      for (const kind of ['startup', 'readiness', 'liveness'] as const) entry.workers.get(key(containerName, kind))?.trigger();
    }
  }

  /** Stops the pod's workers and forgets it; resolves when they have stopped. */
  async removePod(podUid: string): Promise<void> {
    const entry = this.#pods.get(podUid);
    if (!entry) return;
    this.#pods.delete(podUid);
    entry.abort.abort();
    await Promise.allSettled(entry.running);
  }

  /** Stops every worker (agent shutdown). */
  async stop(): Promise<void> {
    await Promise.all([...this.#pods.keys()].map((uid) => this.removePod(uid)));
  }

  /** Whether the container counts as started: running, and its startup probe (if any) succeeded. */
  isStarted(podUid: string, containerName: string): boolean {
    const entry = this.#pods.get(podUid);
    const state = entry?.states.get(containerName);
    if (!entry || state?.state !== 'running') return false;
    const startup = entry.workers.get(key(containerName, 'startup'));
    if (!startup) return true;
    return startup.containerId === state.containerId && startup.result === 'success';
  }

  /**
   * The container's readiness as the pod status shows it (manager.go UpdatePodStatus): not
   * started → false; no readiness probe → true; else the probe's result for this container.
   */
  isReady(podUid: string, containerName: string): boolean {
    if (!this.isStarted(podUid, containerName)) return false;
    const entry = this.#pods.get(podUid);
    const readiness = entry?.workers.get(key(containerName, 'readiness'));
    if (!readiness) return true;
    return readiness.containerId === entry?.states.get(containerName)?.containerId && readiness.result === 'success';
  }

  /**
   * The last result of one probe (undefined when there is no such probe or no result yet); with
   * containerId, only a result that belongs to that container.
   */
  result(podUid: string, containerName: string, kind: ProbeKind, containerId?: string): ProbeResult | undefined {
    const w = this.#pods.get(podUid)?.workers.get(key(containerName, kind));
    if (!w || (containerId !== undefined && w.containerId !== containerId)) return undefined;
    return w.result;
  }

  #hostFor(entry: PodEntry, uid: string, container: Container, kind: ProbeKind, probe: Probe): ConstructorParameters<typeof ProbeWorker>[2] {
    return {
      clock: this.#clock,
      pod: () => entry.pod,
      container: () => entry.states.get(container.name),
      started: () => this.isStarted(uid, container.name),
      probe: () => {
        const exec = entry.target.exec;
        const ctx: ProbeContext = { podIP: entry.target.podIP, container };
        if (exec) ctx.exec = (argv, timeoutMs) => exec(container.name, argv, timeoutMs);
        return this.#run(probe, ctx);
      },
      changed: (result, message, containerId) => {
        this.#opts.onChange(uid, container.name, kind, result, message, containerId);
        // Once started, readiness is probed right away instead of a period later (manager.go).
        if (kind === 'startup' && result === 'success') entry.workers.get(key(container.name, 'readiness'))?.trigger();
      },
      ran: (outcome) => {
        const title = KIND_TITLE[kind];
        const event: ProbeEvent = outcome.errored
          ? { type: 'Warning', reason: 'Unhealthy', message: `${title} probe errored: ${outcome.message}` }
          : outcome.warning
            ? { type: 'Warning', reason: 'ProbeWarning', message: `${title} probe warning: ${outcome.message}` }
            : { type: 'Warning', reason: 'Unhealthy', message: `${title} probe failed: ${outcome.message}` };
        this.#opts.onEvent?.(uid, container.name, kind, event);
      },
    };
  }
}
