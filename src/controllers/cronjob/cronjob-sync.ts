// One CronJob's reconciliation (pkg/controller/cronjob/cronjob_controllerv2.go: syncCronJob,
// cleanupFinishedJobs): bring status.active in line with its Jobs, start the Job of the most recent
// unmet schedule time (at most one, however many were missed) as concurrencyPolicy allows, prune
// finished Jobs past the history limits, and say when to look again. The API calls and the clock
// come in through CronJobDeps so the decisions can be tested without a server or a wait.
import { isAlreadyExists, isNotFound, isStatusError } from '../../api/errors.ts';
import type { CronJob, Job } from '../../api/types/batch-v1.ts';
import type { ObjectReference } from '../../api/types/core-v1.ts';
import { newControllerRef } from '../util/controller-ref.ts';
import { isValidTimeZone, jobFromTemplate, jobNameFor, mostRecentScheduleTime, nextScheduleTimeDuration, parseSchedule, type Schedule } from './schedule.ts';

export interface CronJobDeps {
  now(): number;
  /** A fresh read of the CronJob (to check status.active before complaining of an unexpected Job). */
  getCronJob(namespace: string, name: string): Promise<CronJob>;
  getJob(namespace: string, name: string): Promise<Job>;
  createJob(namespace: string, job: Job): Promise<Job>;
  /** Deletes with background propagation. */
  deleteJob(namespace: string, name: string): Promise<void>;
  event(cj: CronJob, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface SyncResult {
  /** ms until the next look, when there is a schedule to wait for. */
  requeueAfter: number | undefined;
  /** The CronJob (a copy, possibly changed) and whether its status must be written. */
  cronJob: CronJob;
  updateStatus: boolean;
}

/** Complete or Failed, when the condition is True. */
export function jobFinishedType(j: Job): 'Complete' | 'Failed' | undefined {
  for (const c of j.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

const inActive = (cj: CronJob, uid: string | undefined): boolean => (cj.status?.active ?? []).some((r) => r.uid === uid);

function removeFromActive(cj: CronJob, uid: string | undefined): void {
  const status = (cj.status ??= {});
  status.active = (status.active ?? []).filter((r) => r.uid !== uid);
}

function jobRef(j: Job): ObjectReference {
  return {
    kind: 'Job', apiVersion: 'batch/v1', namespace: j.metadata.namespace ?? '', name: j.metadata.name ?? '',
    ...(j.metadata.uid ? { uid: j.metadata.uid } : {}),
    ...(j.metadata.resourceVersion ? { resourceVersion: j.metadata.resourceVersion } : {}),
  };
}

/** The schedule as upstream feeds it to the parser, warning about a TZ prefix (formatSchedule). */
function scheduleOf(cj: CronJob, deps: CronJobDeps): Schedule {
  const s = cj.spec?.schedule ?? '';
  if (s.includes('TZ')) {
    deps.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${s}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    return parseSchedule(s);
  }
  return parseSchedule(s, cj.spec?.timeZone);
}

async function deleteJob(cj: CronJob, job: Job, deps: CronJobDeps): Promise<boolean> {
  try {
    await deps.deleteJob(job.metadata.namespace ?? '', job.metadata.name ?? '');
  } catch (err) {
    deps.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
    return false;
  }
  removeFromActive(cj, job.metadata.uid);
  deps.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  return true;
}

/** syncCronJob: `jobs` are the Jobs this CronJob controls. */
export async function syncCronJob(input: CronJob, jobs: readonly Job[], deps: CronJobDeps): Promise<SyncResult> {
  let cj = structuredClone(input);
  const now = deps.now();
  let updateStatus = false;
  const done = (requeueAfter: number | undefined): SyncResult => ({ requeueAfter, cronJob: cj, updateStatus });
  const children = new Set<string>();
  for (const j of jobs) {
    children.add(j.metadata.uid ?? '');
    const found = inActive(cj, j.metadata.uid);
    const finished = jobFinishedType(j);
    if (!found && !finished) {
      const fresh = await deps.getCronJob(cj.metadata.namespace ?? '', cj.metadata.name ?? '');
      if (inActive(fresh, j.metadata.uid)) {
        cj = structuredClone(fresh);
        continue;
      }
      deps.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
    } else if (found && finished) {
      removeFromActive(cj, j.metadata.uid);
      deps.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${finished}`);
      updateStatus = true;
    } else if (finished === 'Complete' && j.status?.completionTime) {
      // A finished Job need not be in the active list for its completion to count.
      const last = cj.status?.lastSuccessfulTime;
      if (!last || Date.parse(j.status.completionTime) > Date.parse(last)) {
        (cj.status ??= {}).lastSuccessfulTime = j.status.completionTime;
        updateStatus = true;
      }
    }
  }
  // Active Jobs that are gone would keep a Forbid CronJob waiting forever: ask the API to be sure.
  for (const ref of [...(cj.status?.active ?? [])]) {
    if (children.has(ref.uid ?? '')) continue;
    try {
      await deps.getJob(ref.namespace ?? '', ref.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) throw err;
      deps.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      removeFromActive(cj, ref.uid);
      updateStatus = true;
    }
  }
  if (cj.metadata.deletionTimestamp) return done(undefined);
  const tz = cj.spec?.timeZone;
  if (tz !== undefined && tz !== null && !isValidTimeZone(tz)) {
    deps.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`);
    return done(undefined);
  }
  if (cj.spec?.suspend === true) return done(undefined);
  let sched: Schedule;
  try {
    sched = scheduleOf(cj, deps);
  } catch (err) {
    deps.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec?.schedule}" : ${(err as Error).message}`);
    return done(undefined);
  }
  let scheduled: number | undefined;
  try {
    const r = mostRecentScheduleTime(cj, now, sched, true);
    if (r.mostRecent !== undefined && r.mostRecent <= now) {
      scheduled = r.mostRecent;
      if (r.missed === 'many') {
        deps.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      }
    }
  } catch (err) {
    deps.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule} : ${(err as Error).message}`);
    return done(undefined);
  }
  if (scheduled === undefined) return done(nextScheduleTimeDuration(cj, now, sched));
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
    deps.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    return done(nextScheduleTimeDuration(cj, now, sched));
  }
  const name = jobNameFor(cj, scheduled);
  const lastSchedule = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
  if ((cj.status?.active ?? []).some((r) => r.name === name && r.namespace === cj.metadata.namespace) || lastSchedule === Math.floor(scheduled / 1000) * 1000) {
    return done(nextScheduleTimeDuration(cj, now, sched));
  }
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && (cj.status?.active ?? []).length > 0) {
    deps.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return done(nextScheduleTimeDuration(cj, now, sched));
  }
  if (policy === 'Replace') {
    for (const ref of [...(cj.status?.active ?? [])]) {
      let job: Job;
      try {
        job = await deps.getJob(ref.namespace ?? '', ref.name ?? '');
      } catch (err) {
        deps.event(cj, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
        throw err;
      }
      if (!(await deleteJob(cj, job, deps))) throw new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`);
      updateStatus = true;
    }
  }
  const req = jobFromTemplate(cj, scheduled, newControllerRef(cj, 'batch/v1', 'CronJob'));
  let created: Job;
  try {
    created = await deps.createJob(cj.metadata.namespace ?? '', req);
    deps.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
  } catch (err) {
    if (isStatusError(err) && /because it is being terminated/.test(err.message)) return done(undefined);
    if (!isAlreadyExists(err)) {
      deps.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
      throw err;
    }
    // Created before, but the status write that should have followed was lost.
    created = await deps.getJob(req.metadata.namespace ?? '', req.metadata.name ?? '');
    const owner = created.metadata.ownerReferences?.find((r) => r.controller === true);
    if (owner?.uid !== cj.metadata.uid || inActive(cj, created.metadata.uid)) return done(undefined);
  }
  const status = (cj.status ??= {});
  status.active = [...(status.active ?? []), jobRef(created)];
  status.lastScheduleTime = rfc3339(scheduled);
  updateStatus = true;
  return done(nextScheduleTimeDuration(cj, now, sched));
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** Oldest first by start time, unstarted last, names breaking ties (byJobStartTime). */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  if (sa && sb && sa !== sb) return Date.parse(sa) - Date.parse(sb);
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}

/** Deletes the oldest finished Jobs past the history limits (cleanupFinishedJobs). */
export async function cleanupFinishedJobs(cj: CronJob, jobs: readonly Job[], deps: CronJobDeps): Promise<boolean> {
  const spec = cj.spec;
  if (spec?.successfulJobsHistoryLimit === undefined && spec?.failedJobsHistoryLimit === undefined) return false;
  const ok = jobs.filter((j) => jobFinishedType(j) === 'Complete');
  const bad = jobs.filter((j) => jobFinishedType(j) === 'Failed');
  let changed = false;
  for (const [list, limit] of [[ok, spec.successfulJobsHistoryLimit], [bad, spec.failedJobsHistoryLimit]] as const) {
    if (limit === undefined || limit === null) continue;
    const extra = list.length - limit;
    if (extra <= 0) continue;
    const sorted = [...list].sort(byStartTime);
    for (const j of sorted.slice(0, extra)) if (await deleteJob(cj, j, deps)) changed = true;
  }
  return changed;
}
