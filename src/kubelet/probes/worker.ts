// One probe worker per pod × container × probe kind, as pkg/kubelet/prober/worker.go: it probes
// every periodSeconds, waits initialDelaySeconds after the container started, needs
// successThreshold / failureThreshold consecutive results before the state changes, holds off after
// a liveness/startup failure until a new container appears, and keeps startup and the others apart
// (startup probes only until the container has started, the others only after).
import type { Pod, Probe } from '../../api/types/core-v1.ts';
import type { Clock } from './clock.ts';
import type { ProbeKind, ProbeOutcome } from './types.ts';

export type ProbeResult = 'success' | 'failure';

/** What the node agent knows about the probed container right now. */
export interface ContainerProbeState {
  /** '' until the container exists. A new id means a new container: results start over. */
  containerId: string;
  state: 'waiting' | 'running' | 'terminated';
  /** When it started running (ms since the epoch). */
  startedAt?: number;
}

export interface WorkerHost {
  clock: Clock;
  pod(): Pod;
  container(): ContainerProbeState | undefined;
  /** Whether the container counts as started (startup probe passed, or no startup probe). */
  started(): boolean;
  probe(): Promise<ProbeOutcome>;
  /** The worker's result changed (not called for the initial value of a container). */
  changed(result: ProbeResult, message: string, containerId: string): void;
  /** Every run that failed, warned or errored (for Unhealthy / ProbeWarning events). */
  ran(outcome: ProbeOutcome): void;
}

const INITIAL: Record<ProbeKind, ProbeResult | undefined> = { readiness: 'failure', liveness: 'success', startup: undefined };
const MAX_RETRIES = 3;

export class ProbeWorker {
  readonly kind: ProbeKind;
  readonly #spec: Required<Pick<Probe, 'initialDelaySeconds' | 'periodSeconds' | 'successThreshold' | 'failureThreshold'>>;
  readonly #host: WorkerHost;
  #containerId = '';
  #onHold = false;
  #lastResult: ProbeResult | undefined;
  #resultRun = 0;
  #current: ProbeResult | undefined;
  #wake: (() => void) | undefined;
  #triggered = false;

  constructor(kind: ProbeKind, probe: Probe, host: WorkerHost) {
    this.kind = kind;
    this.#host = host;
    this.#spec = {
      initialDelaySeconds: probe.initialDelaySeconds ?? 0,
      periodSeconds: probe.periodSeconds && probe.periodSeconds > 0 ? probe.periodSeconds : 10,
      successThreshold: probe.successThreshold && probe.successThreshold > 0 ? probe.successThreshold : 1,
      failureThreshold: probe.failureThreshold && probe.failureThreshold > 0 ? probe.failureThreshold : 3,
    };
  }

  /** The current result for the current container (undefined: startup not decided yet). */
  get result(): ProbeResult | undefined {
    return this.#current;
  }

  get containerId(): string {
    return this.#containerId;
  }

  /** Probe now instead of at the next period (upstream's manualTriggerCh). */
  trigger(): void {
    if (this.#wake) this.#wake();
    else this.#triggered = true; // mid-probe: run again instead of sleeping
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && (await this.doProbe())) {
      if (this.#triggered) {
        this.#triggered = false;
        continue;
      }
      const tick = new AbortController();
      this.#wake = () => tick.abort();
      await this.#host.clock.sleep(this.#spec.periodSeconds * 1000, AbortSignal.any([signal, tick.signal]));
      this.#wake = undefined;
    }
  }

  /**
   * Records a result and reports it when it differs from the previous one. Not reported: the
   * initial value of the first container (nothing flipped), and a liveness/startup failure that
   * only says the container is not running (upstream's kubelet ignores those too: it restarts
   * only running containers on liveness failure).
   */
  #set(result: ProbeResult | undefined, message: string, quiet = false): void {
    const prev = this.#current;
    this.#current = result;
    if (quiet || result === undefined || prev === result) return;
    this.#host.changed(result, message, this.#containerId);
  }

  /** One iteration; false when the worker should stop. */
  async doProbe(): Promise<boolean> {
    const pod = this.#host.pod();
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') return false;
    const c = this.#host.container();
    if (!c || !c.containerId) return true;
    if (c.containerId !== this.#containerId) {
      this.#containerId = c.containerId;
      this.#set(INITIAL[this.kind], 'new container', this.#current === undefined);
      this.#onHold = false;
      this.#lastResult = undefined;
      this.#resultRun = 0;
    }
    if (this.#onHold) return true;
    if (c.state !== 'running') {
      this.#set('failure', `container is ${c.state}`, this.kind !== 'readiness');
      return c.state !== 'terminated' || pod.spec?.restartPolicy !== 'Never';
    }
    if (pod.metadata.deletionTimestamp && (this.kind === 'liveness' || this.kind === 'startup')) {
      this.#set('success', 'pod is terminating');
      return false;
    }
    const sinceStart = Math.trunc((this.#host.clock.now() - (c.startedAt ?? 0)) / 1000);
    if (sinceStart < this.#spec.initialDelaySeconds) return true;
    if (this.#host.started()) {
      if (this.kind === 'startup') return true;
    } else if (this.kind !== 'startup') return true;

    let outcome: ProbeOutcome | undefined;
    for (let i = 0; i < MAX_RETRIES; i++) {
      outcome = await this.#host.probe().catch((err: unknown): ProbeOutcome => ({ result: 'failure', message: String(err), errored: true }));
      if (!outcome.errored) break;
    }
    if (!outcome) return true;
    if (outcome.result === 'failure' || outcome.warning || outcome.errored) this.#host.ran(outcome);
    if (outcome.errored) return true; // a prober error: the result is thrown away
    // The container may have been replaced while the probe ran.
    if (this.#host.container()?.containerId !== this.#containerId) return true;

    const result = outcome.result;
    if (this.#lastResult === result) this.#resultRun++;
    else {
      this.#lastResult = result;
      this.#resultRun = 1;
    }
    if ((result === 'failure' && this.#resultRun < this.#spec.failureThreshold) || (result === 'success' && this.#resultRun < this.#spec.successThreshold)) {
      return true;
    }
    this.#set(result, outcome.message);
    if ((this.kind === 'liveness' || this.kind === 'startup') && result === 'failure') {
      // The container will be restarted: stop probing it until a new one appears.
      this.#onHold = true;
      this.#resultRun = 0;
    }
    return true;
  }
}
