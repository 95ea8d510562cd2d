// What the autoscaler actually asks for, once the metrics have proposed a size, as horizontal.go's
// normalizeDesiredReplicas (no `behavior`: downscale stabilisation window from the flag, scale up
// by at most max(2×, 4)) and normalizeDesiredReplicasWithBehaviors (stabilisation windows both
// ways, then scaleUp/scaleDown policies over the scale events of their periods). It keeps, per HPA,
// the recent recommendations and scale events that upstream keeps in the controller.
import { setCondition } from './hpa-conditions.ts';
import type { HorizontalPodAutoscaler, ScalingRules } from './hpa-types.ts';

interface Recommendation { replicas: number; atMs: number }
interface ScaleEvent { change: number; atMs: number; outdated: boolean }

const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;
const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

export interface NormalizeArgs {
  key: string;
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
}

/** getReplicasChangePerPeriod: replicas changed by the events within the last `periodSeconds`. */
function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  let n = 0;
  for (const e of events) if (e.atMs > cutoff) n += e.change;
  return n;
}

/** calculateScaleUpLimitWithScalingRules: the most replicas the scaleUp policies allow now. */
export function scaleUpLimit(current: number, ups: readonly ScaleEvent[], downs: readonly ScaleEvent[], rules: ScalingRules, nowMs: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  let result = select === 'Min' ? INT32_MAX : INT32_MIN;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, ups, nowMs) + changeInPeriod(p.periodSeconds, downs, nowMs);
    // Percent rounds up, or a small target would never grow.
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = select === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors: the fewest replicas the scaleDown policies allow now. */
export function scaleDownLimit(current: number, ups: readonly ScaleEvent[], downs: readonly ScaleEvent[], rules: ScalingRules, nowMs: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  let result = select === 'Min' ? INT32_MIN : INT32_MAX;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, ups, nowMs) + changeInPeriod(p.periodSeconds, downs, nowMs);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = select === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

export class ScaleNormalizer {
  readonly #recommendations = new Map<string, Recommendation[]>();
  readonly #ups = new Map<string, ScaleEvent[]>();
  readonly #downs = new Map<string, ScaleEvent[]>();
  readonly #downscaleWindowMs: number;
  readonly #now: () => number;

  /** `downscaleWindowMs`: --horizontal-pod-autoscaler-downscale-stabilization. */
  constructor(downscaleWindowMs: number, now: () => number = Date.now) {
    this.#downscaleWindowMs = downscaleWindowMs;
    this.#now = now;
  }

  /** recordInitialRecommendation: the size found at the first sync counts as a recommendation. */
  recordInitial(key: string, replicas: number): void {
    if (!this.#recommendations.has(key)) this.#recommendations.set(key, [{ replicas, atMs: this.#now() }]);
  }

  forget(key: string): void {
    this.#recommendations.delete(key);
    this.#ups.delete(key);
    this.#downs.delete(key);
  }

  normalize(hpa: HorizontalPodAutoscaler, a: NormalizeArgs): number {
    return hpa.spec.behavior ? this.#withBehaviors(hpa, a) : this.#withoutBehaviors(hpa, a);
  }

  #withoutBehaviors(hpa: HorizontalPodAutoscaler, a: NormalizeArgs): number {
    const now = this.#now();
    const stabilized = this.#stabilize(a.key, a.desiredReplicas, now);
    if (stabilized !== a.desiredReplicas) {
      setCondition(hpa, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation', now);
    } else {
      setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    }
    // convertDesiredReplicasWithRules
    const upLimit = Math.max(SCALE_UP_LIMIT_FACTOR * a.currentReplicas, SCALE_UP_LIMIT_MINIMUM);
    const [max, limitReason, limitMessage] = a.maxReplicas > upLimit
      ? [upLimit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
      : [a.maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    let [desired, reason, message] = [stabilized, limitReason, limitMessage];
    if (stabilized < a.minReplicas) {
      [desired, reason, message] = [a.minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    } else if (stabilized > max) {
      desired = max;
    } else {
      [reason, message] = ['DesiredWithinRange', 'the desired count is within the acceptable range'];
    }
    setCondition(hpa, 'ScalingLimited', desired === stabilized ? 'False' : 'True', reason, message, now);
    return desired;
  }

  /** stabilizeRecommendation: the highest recommendation within the downscale window. */
  #stabilize(key: string, desired: number, now: number): number {
    const recs = this.#recommendations.get(key) ?? [];
    this.#recommendations.set(key, recs);
    const cutoff = now - this.#downscaleWindowMs;
    let max = desired;
    let old = -1;
    recs.forEach((r, i) => {
      if (r.atMs < cutoff) old = i;
      else if (r.replicas > max) max = r.replicas;
    });
    if (old >= 0) recs[old] = { replicas: desired, atMs: now };
    else recs.push({ replicas: desired, atMs: now });
    return max;
  }

  #withBehaviors(hpa: HorizontalPodAutoscaler, a: NormalizeArgs): number {
    const now = this.#now();
    const up = hpa.spec.behavior?.scaleUp ?? {};
    // maybeInitScaleDownStabilizationWindow: an unset scaleDown window is the flag's.
    const down = { ...hpa.spec.behavior?.scaleDown };
    down.stabilizationWindowSeconds ??= this.#downscaleWindowMs / 1000;
    const [stabilized, stabReason, stabMessage] = this.#stabilizeWithBehaviors(a, up.stabilizationWindowSeconds ?? 0, down.stabilizationWindowSeconds, now);
    if (stabilized !== a.desiredReplicas) setCondition(hpa, 'AbleToScale', 'True', stabReason, stabMessage, now);
    else setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    const [desired, reason, message] = this.#rateLimit({ ...a, desiredReplicas: stabilized }, up, down, now);
    setCondition(hpa, 'ScalingLimited', desired === stabilized ? 'False' : 'True', reason, message, now);
    return desired;
  }

  /** stabilizeRecommendationWithBehaviors: within [lowest recent up-window, highest recent down-window]. */
  #stabilizeWithBehaviors(a: NormalizeArgs, upSeconds: number, downSeconds: number, now: number): [number, string, string] {
    const upCutoff = now - upSeconds * 1000;
    const downCutoff = now - downSeconds * 1000;
    let upRec = a.desiredReplicas;
    let downRec = a.desiredReplicas;
    let old = -1;
    const recs = this.#recommendations.get(a.key) ?? [];
    this.#recommendations.set(a.key, recs);
    recs.forEach((r, i) => {
      if (r.atMs > upCutoff) upRec = Math.min(r.replicas, upRec);
      if (r.atMs > downCutoff) downRec = Math.max(r.replicas, downRec);
      if (r.atMs < upCutoff && r.atMs < downCutoff) old = i;
    });
    let rec = a.currentReplicas;
    if (rec < upRec) rec = upRec;
    if (rec > downRec) rec = downRec;
    if (old >= 0) recs[old] = { replicas: a.desiredReplicas, atMs: now };
    else recs.push({ replicas: a.desiredReplicas, atMs: now });
    return a.desiredReplicas >= a.currentReplicas
      ? [rec, 'ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation']
      : [rec, 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation'];
  }

  /** convertDesiredReplicasWithBehaviorRate */
  #rateLimit(a: NormalizeArgs, up: ScalingRules, down: ScalingRules, now: number): [number, string, string] {
    const ups = this.#ups.get(a.key) ?? [];
    const downs = this.#downs.get(a.key) ?? [];
    if (a.desiredReplicas > a.currentReplicas) {
      const limit = Math.max(scaleUpLimit(a.currentReplicas, ups, downs, up, now), a.currentReplicas);
      const [max, reason, message] = a.maxReplicas > limit
        ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
        : [a.maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
      if (a.desiredReplicas > max) return [max, reason, message];
    } else if (a.desiredReplicas < a.currentReplicas) {
      const limit = Math.min(scaleDownLimit(a.currentReplicas, ups, downs, down, now), a.currentReplicas);
      const [min, reason, message] = a.minReplicas < limit
        ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
        : [a.minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
      if (a.desiredReplicas < min) return [min, reason, message];
    }
    return [a.desiredReplicas, 'DesiredWithinRange', 'the desired count is within the acceptable range'];
  }

  /** storeScaleEvent: remembered only with a behavior, reusing an event older than the longest policy period. */
  recordScale(hpa: HorizontalPodAutoscaler, key: string, from: number, to: number): void {
    const behavior = hpa.spec.behavior;
    if (!behavior || from === to) return;
    const now = this.#now();
    const isUp = to > from;
    const rules = isUp ? behavior.scaleUp : behavior.scaleDown;
    const longest = Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));
    const map = isUp ? this.#ups : this.#downs;
    const events = map.get(key) ?? [];
    map.set(key, events);
    for (const e of events) if (e.atMs < now - longest * 1000) e.outdated = true;
    const fresh: ScaleEvent = { change: Math.abs(to - from), atMs: now, outdated: false };
    const i = events.findIndex((e) => e.outdated);
    if (i >= 0) events[i] = fresh;
    else events.push(fresh);
  }
}
