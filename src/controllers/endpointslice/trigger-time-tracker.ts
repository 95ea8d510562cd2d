// The time of the earliest change not yet reflected in a service's endpoints, for the
// endpoints.kubernetes.io/last-change-trigger-time annotation that lets consumers measure
// end-to-end programming latency (pkg/controller/util/endpoint/trigger_time_tracker.go). A pod's
// change time is its Ready condition's lastTransitionTime; a service's is its creation time.
import type { Pod } from '../../api/types/core-v1.ts';
import type { Service } from './types.ts';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

function parse(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function podTriggerTime(pod: Pod): number | undefined {
  return parse(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
}

export class TriggerTimeTracker {
  readonly #states = new Map<string, ServiceState>();

  /**
   * The trigger time for this sync of `key`, or undefined when nothing changed since the last one;
   * a service seen for the first time answers its creation time.
   */
  compute(key: string, svc: Service, pods: readonly Pod[]): number | undefined {
    const known = this.#states.get(key);
    let min: number | undefined;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (t === undefined) continue;
      const name = pod.metadata.name ?? '';
      podTimes.set(name, t);
      if (t > (known?.podTimes.get(name) ?? -Infinity)) min = min === undefined ? t : Math.min(min, t);
    }
    const serviceTime = parse(svc.metadata.creationTimestamp) ?? 0;
    if (serviceTime > (known?.serviceTime ?? -Infinity)) min = min === undefined ? serviceTime : Math.min(min, serviceTime);
    this.#states.set(key, { serviceTime, podTimes });
    if (!known) return parse(svc.metadata.creationTimestamp);
    return min;
  }

  delete(key: string): void { this.#states.delete(key); }
}
