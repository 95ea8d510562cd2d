// Node memory-pressure eviction (pkg/kubelet/eviction/eviction_manager.go synchronize): every
// interval, compare memory.available from the stats summary with the hard threshold; while it is
// met, report MemoryPressure and fail one pod per round — the first in rankMemoryPressure order —
// with reason Evicted, a DisruptionTarget condition and an Evicted event, stopping its containers
// at once. MemoryPressure stays True for the transition period after the threshold stops being met
// (--eviction-pressure-transition-period) so the condition does not flap.
import type { Logger } from 'pino';
import type { Pod, Toleration } from '../../api/types/core-v1.ts';
import type { PodStats, Summary } from '../../api/types/stats-v1alpha1.ts';
import type { PodState } from '../pods/pod-state.ts';
import { podKey } from '../pods/pod-state.ts';
import { qosClass } from '../status/qos.ts';
import { sleepOrAbort } from '../util/sleep.ts';
import { EVICTED_REASON, memoryEvictionMessage } from './eviction-message.ts';
import { rankMemoryPressure } from './memory-ranking.ts';
import { thresholdBytes, thresholdQuantity, type MemoryThreshold } from './threshold.ts';

/** Pods at or above system-cluster-critical are never evicted (pkg/kubelet/types IsCriticalPod). */
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
/** Hard thresholds stop the pod at once (eviction_manager.go immediateEvictionGracePeriodSeconds). */
const IMMEDIATE_GRACE_SECONDS = 1;
const MEMORY_PRESSURE_TAINT = { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' } as const;

function toleratesMemoryPressure(tolerations: readonly Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => (!t.effect || t.effect === MEMORY_PRESSURE_TAINT.effect)
    && (t.operator === 'Exists' ? !t.key || t.key === MEMORY_PRESSURE_TAINT.key : t.key === MEMORY_PRESSURE_TAINT.key && !t.value));
}

export interface EvictionPodSource {
  readonly states: ReadonlyMap<string, PodState>;
  enqueue(uid: string): void;
}

export interface EvictionRecorder {
  pod(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface EvictionManagerOptions {
  stats: { summary(): Promise<Summary> };
  pods: EvictionPodSource;
  recorder: EvictionRecorder;
  log: Logger;
  threshold: MemoryThreshold;
  /** How often thresholds are checked (ms); 10 s by default, as the kubelet's monitoring interval. */
  intervalMs?: number;
  /** How long MemoryPressure stays True after the threshold stops being met (ms); 5 min by default. */
  pressureTransitionMs?: number;
  /** Called when the MemoryPressure verdict changes (to report the node condition at once). */
  onPressureChange?: (underPressure: boolean) => void;
}

export interface EvictionRound {
  availableBytes: number | undefined;
  thresholdBytes: number;
  thresholdMet: boolean;
  evicted?: Pod;
}

export class EvictionManager {
  readonly #o: EvictionManagerOptions;
  #lastMetAt: number | undefined;
  #pressure = false;

  constructor(opts: EvictionManagerOptions) {
    this.#o = opts;
  }

  /** The MemoryPressure node condition. */
  get underMemoryPressure(): boolean {
    return this.#pressure;
  }

  async run(signal: AbortSignal): Promise<void> {
    const every = this.#o.intervalMs ?? 10_000;
    while (!signal.aborted) {
      try {
        await this.synchronize();
      } catch (err) {
        this.#o.log.warn({ err: (err as Error).message }, 'eviction manager: failed to synchronize');
      }
      await sleepOrAbort(every, signal);
    }
  }

  /**
   * Whether a new pod may start (eviction_manager.go Admit): under memory pressure a BestEffort
   * pod is turned away unless it is critical or tolerates the memory-pressure taint.
   */
  admit(pod: Pod): { reason: string; message: string } | undefined {
    if (!this.#pressure) return undefined;
    if ((pod.spec?.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY) return undefined;
    if (!pod.spec || qosClass(pod.spec) !== 'BestEffort') return undefined;
    if (toleratesMemoryPressure(pod.spec.tolerations)) return undefined;
    return { reason: EVICTED_REASON, message: 'The node had condition: [MemoryPressure]. ' };
  }

  /** One round: observe, update the pressure verdict, evict at most one pod. */
  async synchronize(now = Date.now()): Promise<EvictionRound> {
    const summary = await this.#o.stats.summary();
    const mem = summary.node.memory;
    const available = mem?.availableBytes;
    const capacity = (mem?.availableBytes ?? 0) + (mem?.workingSetBytes ?? 0);
    const limit = thresholdBytes(this.#o.threshold, capacity);
    const met = available !== undefined && available < limit;
    if (met) this.#lastMetAt = now;
    const pressure = this.#lastMetAt !== undefined && now - this.#lastMetAt < (this.#o.pressureTransitionMs ?? 300_000);
    if (pressure !== this.#pressure) {
      this.#pressure = pressure;
      this.#o.log.info({ memoryAvailable: available, threshold: this.#o.threshold.text }, pressure ? 'node has memory pressure' : 'node memory pressure is over');
      this.#o.onPressureChange?.(pressure);
    }
    const round: EvictionRound = { availableBytes: available, thresholdBytes: limit, thresholdMet: met };
    if (!met) return round;
    const byUid = new Map<string, PodStats>(summary.pods.map((p) => [p.podRef.uid, p]));
    const candidates = [...this.#o.pods.states.values()].filter((st) =>
      !st.removedFromApi && !st.terminating && !st.terminalPhase && !st.pod.metadata.deletionTimestamp
      && (st.pod.spec?.priority ?? 0) < SYSTEM_CRITICAL_PRIORITY);
    const ranked = rankMemoryPressure(candidates.map((st) => st.pod), (p) => byUid.get(p.metadata.uid!));
    const victim = ranked[0];
    if (!victim) {
      this.#o.log.warn({ memoryAvailable: available, threshold: this.#o.threshold.text }, 'eviction manager: unable to evict any pods from the node');
      return round;
    }
    const st = this.#o.pods.states.get(victim.metadata.uid!)!;
    const message = memoryEvictionMessage(victim, byUid.get(st.uid), thresholdQuantity(this.#o.threshold, capacity), available);
    st.failure = { reason: EVICTED_REASON, message, disruptionTarget: true };
    st.terminalPhase = 'Failed';
    st.stopGraceSeconds = IMMEDIATE_GRACE_SECONDS;
    this.#o.recorder.pod(victim, 'Warning', EVICTED_REASON, message);
    this.#o.log.info({ pod: podKey(victim), message }, 'eviction manager: evicting pod');
    this.#o.pods.enqueue(st.uid);
    return { ...round, evicted: victim };
  }
}
