// The arithmetic of a PodDisruptionBudget's status (pkg/controller/disruption/disruption.go:
// getExpectedPodCount, buildDisruptedPodMap, countHealthyPods, updatePdbStatus; pkg/apis/policy/
// helper UpdateDisruptionAllowedCondition). Pure: the controller supplies pods, scale and time.
import type { Pod } from '../../api/types/core-v1.ts';
import { scaledValue } from '../deployment/rollout-math.ts';
import { isPodReady } from '../util/pod-status.ts';
import {
  DISRUPTION_ALLOWED, INSUFFICIENT_PODS, SUFFICIENT_PODS, SYNC_FAILED,
  type PdbCondition, type PodDisruptionBudget, type PodDisruptionBudgetStatus,
} from './pdb-types.ts';

/** Upstream's DeletionTimeout: an evicted pod not deleted within this counts as healthy again. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** True when the budget's expected count must come from the pods' controllers (their scale). */
export function needsControllerScale(pdb: PodDisruptionBudget): boolean {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) return true;
  return typeof spec.minAvailable === 'string';
}

/**
 * [expectedCount, desiredHealthy] for the budget: maxUnavailable and percentage minAvailable
 * against the controllers' scale (rounded up, as upstream), an integer minAvailable against the
 * number of pods. `scale` is only called when needsControllerScale says so; it may throw.
 */
export function expectedAndDesired(pdb: PodDisruptionBudget, podCount: number, scale: () => number): [number, number] {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const expected = scale();
    return [expected, Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true))];
  }
  if (typeof spec.minAvailable === 'number') return [podCount, spec.minAvailable];
  if (typeof spec.minAvailable === 'string') {
    const expected = scale();
    return [expected, scaledValue(spec.minAvailable, expected, true)];
  }
  return [0, 0];
}

/**
 * The entries of status.disruptedPods still pending: pods that exist, are not being deleted yet,
 * and were evicted less than DeletionTimeout ago. `recheckAt` is when the first of them expires.
 */
export function pendingDisruptions(pdb: PodDisruptionBudget, pods: readonly Pod[], nowMs: number): { disrupted: Record<string, string>; recheckAt?: number; expired: string[] } {
  const recorded = pdb.status?.disruptedPods ?? {};
  const disrupted: Record<string, string> = {};
  const expired: string[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const name = pod.metadata.name ?? '';
    const at = recorded[name];
    if (at === undefined) continue;
    const deadline = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!(deadline > nowMs)) {
      expired.push(name);
      continue;
    }
    disrupted[name] = at;
    if (recheckAt === undefined || deadline < recheckAt) recheckAt = deadline;
  }
  return recheckAt === undefined ? { disrupted, expired } : { disrupted, recheckAt, expired };
}

/** Ready pods that are neither being deleted nor just evicted. */
export function countHealthy(pods: readonly Pod[], disrupted: Record<string, string>, nowMs: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name ?? ''];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

/** meta.SetStatusCondition: lastTransitionTime moves only when the status does. */
export function setCondition(conditions: readonly PdbCondition[] | undefined, c: Omit<PdbCondition, 'lastTransitionTime'>, now: string): PdbCondition[] {
  const out = [...(conditions ?? [])];
  const i = out.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? out[i] : undefined;
  const next: PdbCondition = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}

export interface StatusInput {
  pdb: PodDisruptionBudget;
  currentHealthy: number;
  desiredHealthy: number;
  expectedCount: number;
  disruptedPods: Record<string, string>;
  now: string;
}

/** The status updatePdbStatus writes: allowed = healthy − desired, never below 0 nor with no pods expected. */
export function computeStatus(i: StatusInput): PodDisruptionBudgetStatus {
  let allowed = i.currentHealthy - i.desiredHealthy;
  if (i.expectedCount <= 0 || allowed <= 0) allowed = 0;
  const observedGeneration = i.pdb.metadata.generation ?? 0;
  const status: PodDisruptionBudgetStatus = {
    observedGeneration,
    disruptionsAllowed: allowed,
    currentHealthy: i.currentHealthy,
    desiredHealthy: i.desiredHealthy,
    expectedPods: i.expectedCount,
  };
  if (Object.keys(i.disruptedPods).length > 0) status.disruptedPods = i.disruptedPods;
  status.conditions = setCondition(i.pdb.status?.conditions, {
    type: DISRUPTION_ALLOWED,
    status: allowed > 0 ? 'True' : 'False',
    reason: allowed > 0 ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
    message: '',
    observedGeneration,
  }, i.now);
  return status;
}

/** What failSafe writes when the budget cannot be computed: no disruptions, reason SyncFailed. */
export function failSafeStatus(pdb: PodDisruptionBudget, err: Error, now: string): PodDisruptionBudgetStatus {
  const observedGeneration = pdb.metadata.generation ?? 0;
  const prev = pdb.status;
  const status: PodDisruptionBudgetStatus = {
    observedGeneration,
    disruptionsAllowed: 0,
    currentHealthy: prev?.currentHealthy ?? 0,
    desiredHealthy: prev?.desiredHealthy ?? 0,
    expectedPods: prev?.expectedPods ?? 0,
  };
  if (prev?.disruptedPods && Object.keys(prev.disruptedPods).length > 0) status.disruptedPods = prev.disruptedPods;
  status.conditions = setCondition(prev?.conditions, { type: DISRUPTION_ALLOWED, status: 'False', reason: SYNC_FAILED, message: err.message, observedGeneration }, now);
  return status;
}

/** Field-by-field, so a sync that changes nothing writes nothing. */
export function sameStatus(a: PodDisruptionBudgetStatus | undefined, b: PodDisruptionBudgetStatus): boolean {
  if (!a) return false;
  const norm = (s: PodDisruptionBudgetStatus): string => JSON.stringify([
    s.observedGeneration ?? 0, s.disruptionsAllowed, s.currentHealthy, s.desiredHealthy, s.expectedPods,
    Object.entries(s.disruptedPods ?? {}).sort(), (s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration ?? 0, c.lastTransitionTime]),
  ]);
  return norm(a) === norm(b);
}
