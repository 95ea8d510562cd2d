// When a finished Job may be deleted (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go:
// timeLeft, getFinishAndExpireTime): ttlSecondsAfterFinished after the Complete or Failed
// condition's transition.
import type { Job } from '../../api/types/batch-v1.ts';

/** The finish time in ms: the last transition of the True Complete/Failed condition. */
export function jobFinishTime(job: Job): number | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') {
      const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
      return Number.isNaN(t) ? undefined : t;
    }
  }
  return undefined;
}

/** A Job this controller looks after: a TTL set, and finished. */
export function needsCleanup(job: Job): boolean {
  return job.spec?.ttlSecondsAfterFinished !== undefined && job.spec.ttlSecondsAfterFinished !== null && jobFinishTime(job) !== undefined;
}

/**
 * ms until the Job expires (≤ 0: expired), or undefined when it has no TTL or is not finished
 * (or its finish time cannot be read).
 */
export function timeLeft(job: Job, now: number): number | undefined {
  if (!needsCleanup(job)) return undefined;
  const finished = jobFinishTime(job)!;
  return finished + job.spec!.ttlSecondsAfterFinished! * 1000 - now;
}
