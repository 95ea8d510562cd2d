// The delay before a Job replaces failed pods (pkg/controller/job/backoff_utils.go): 10 s after
// the first failure since the last success, doubling with each further failure, capped at the
// maximum. The record is kept per Job in memory, as upstream keeps it in a store beside the queue.
import type { Pod } from '../../api/types/core-v1.ts';

/** Upstream's DefaultJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
/**
 * Upstream's MaxJobPodFailureBackOff: job_controller.go caps the delay at 10 minutes (the Job
 * concept page still says six; the code is what runs).
 */
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** ms since the epoch of the last counted failure, if any. */
  lastFailureTime: number | undefined;
}

const ms = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

/**
 * When a pod finished (getFinishedTime): the latest container finish when every container has
 * one, else the Ready=False transition, else the deletion time minus its grace period, else its
 * creation.
 */
export function podFinishedTime(p: Pod): number {
  let latest: number | undefined;
  let all = (p.status?.containerStatuses?.length ?? 0) > 0;
  for (const cs of p.status?.containerStatuses ?? []) {
    const t = ms(cs.state?.terminated?.finishedAt);
    if (t === undefined) {
      all = false;
      break;
    }
    latest = latest === undefined ? t : Math.max(latest, t);
  }
  if (all && latest !== undefined) return latest;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const readyAt = ready?.status === 'False' ? ms(ready.lastTransitionTime) : undefined;
  if (readyAt !== undefined) return readyAt;
  const deleted = ms(p.metadata.deletionTimestamp);
  if (deleted !== undefined) return deleted - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return ms(p.metadata.creationTimestamp) ?? 0;
}

/** The record after this sync's newly finished pods (backoffStore.newBackoffRecord). */
export function nextBackoffRecord(old: BackoffRecord | undefined, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
  const rec: BackoffRecord = old ? { ...old } : { failuresAfterLastSuccess: 0, lastFailureTime: undefined };
  const failedTimes = newFailed.map(podFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return rec;
    return { failuresAfterLastSuccess: rec.failuresAfterLastSuccess + failedTimes.length, lastFailureTime: failedTimes[failedTimes.length - 1] };
  }
  const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
  // Only failures after the last success count: a success resets the backoff.
  const after = failedTimes.filter((t) => t > lastSuccess);
  return { failuresAfterLastSuccess: after.length, lastFailureTime: after.length > 0 ? after[after.length - 1] : undefined };
}

/** The backoff for n consecutive failures (n ≥ 1). */
export function backoffFor(failures: number, baseMs = POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  let d = baseMs;
  for (let i = 1; i < failures; i++) {
    d *= 2;
    if (d >= maxMs) return maxMs;
  }
  return d;
}

/** How long until replacements may be created; 0 when now (getRemainingTimeForFailuresCount). */
export function remainingBackoff(failures: number, lastFailureTime: number | undefined, now: number, baseMs = POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (failures === 0 || lastFailureTime === undefined) return 0;
  const d = backoffFor(failures, baseMs, maxMs);
  const elapsed = now - lastFailureTime;
  return d < elapsed ? 0 : d - elapsed;
}
