// CronJob schedules and the times derived from them (pkg/controller/cronjob/utils.go:
// mostRecentScheduleTime, nextScheduleTime, nextScheduleTimeDuration, getJobFromTemplate2).
// Upstream parses with robfig/cron's ParseStandard: five fields, the @yearly…@hourly descriptors,
// `@every <duration>`, and a `TZ=`/`CRON_TZ=` prefix; the field matching is cron-parser's.
import { CronExpressionParser } from 'cron-parser';
import type { OwnerReference } from '../../api/meta.ts';
import { CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION, type CronJob, type Job } from '../../api/types/batch-v1.ts';

/** Upstream's nextScheduleDelta: requeue a little after the scheduled time, for clock skew. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** Past this many missed schedules the controller warns (TooManyMissedTimes). */
export const MANY_MISSED = 100;

export class ScheduleParseError extends Error {
  readonly code = 'ScheduleParseError';
}

export interface Schedule {
  /** The first activation strictly after `ms` (ms since the epoch). */
  next(ms: number): number;
}

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("1h30m", "90s", "1.5h") in ms. */
export function parseGoDuration(s: string): number {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  if (s === '' ) throw new ScheduleParseError('invalid duration ""');
  while (pos < s.length && (m = re.exec(s)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length) throw new ScheduleParseError(`invalid duration "${s}"`);
  return total;
}

/** Whether the IANA zone is known (time.LoadLocation). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a schedule. `timeZone` is the CronJob's spec.timeZone; a `TZ=` prefix in the schedule
 * wins over it (upstream only ever adds the prefix when the schedule has none).
 */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  let spec = schedule.trim();
  let tz = timeZone;
  const prefix = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(spec);
  if (prefix) {
    tz = prefix[1];
    spec = prefix[2]!.trim();
  }
  if (tz !== undefined && tz !== '' && !isValidTimeZone(tz)) throw new ScheduleParseError(`provided bad location ${tz}: unknown time zone ${tz}`);
  if (spec.startsWith('@every ')) {
    // A constant delay, counted from the given time rounded down to the second (ConstantDelaySchedule).
    const delay = Math.max(1000, Math.floor(parseGoDuration(spec.slice('@every '.length).trim()) / 1000) * 1000);
    return { next: (ms) => Math.floor(ms / 1000) * 1000 + delay };
  }
  if (spec.startsWith('@')) {
    const d = DESCRIPTORS[spec];
    if (!d) throw new ScheduleParseError(`unrecognized descriptor: ${spec}`);
    spec = d;
  }
  const fields = spec.split(/\s+/);
  if (fields.length !== 5) throw new ScheduleParseError(`expected exactly 5 fields, found ${fields.length}: ${spec}`);
  const options = tz ? { tz } : {};
  let expr;
  try {
    expr = CronExpressionParser.parse(spec, options);
  } catch (err) {
    throw new ScheduleParseError((err as Error).message, { cause: err });
  }
  return {
    next(ms) {
      expr.reset(new Date(ms));
      return expr.next().getTime();
    },
  };
}

export type MissedSchedules = 'none' | 'few' | 'many';

export interface MostRecent {
  /** The last schedule time, or the CronJob's creation (raised to the starting deadline). */
  earliest: number;
  /** The latest time a Job should have started at or before now, if any. */
  mostRecent: number | undefined;
  missed: MissedSchedules;
}

/**
 * The most recent unmet schedule time (mostRecentScheduleTime): starting from the last schedule
 * time (or creation), estimate how many activations were missed from the interval between the next
 * two, then step the schedule from just before the estimate. Throws for schedules whose two next
 * activations are less than a second apart (impossible dates).
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = Date.parse(cj.metadata.creationTimestamp ?? '') || 0;
  if (cj.status?.lastScheduleTime) earliest = Date.parse(cj.status.lastScheduleTime);
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline !== undefined && deadline !== null) {
    const limit = now - deadline * 1000;
    if (limit > earliest) earliest = limit;
  }
  const t1 = schedule.next(earliest);
  const t2 = schedule.next(t1);
  if (now < t1) return { earliest, mostRecent: undefined, missed: 'none' };
  if (now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) throw new ScheduleParseError('time difference between two schedules is less than 1 second');
  const elapsed = Math.trunc((now - t1) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
  for (let t = schedule.next(potentialEarliest); t <= now; t = schedule.next(t)) mostRecent = t;
  const missed: MissedSchedules = missedCount > MANY_MISSED ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** How long until the next activation after the last one handled, plus the delta (nextScheduleTimeDuration). */
export function nextScheduleTimeDuration(cj: CronJob, now: number, schedule: Schedule): number {
  let from: number;
  try {
    const r = mostRecentScheduleTime(cj, now, schedule, false);
    from = r.mostRecent ?? (r.missed === 'none' ? r.earliest : now);
  } catch {
    from = now;
  }
  return schedule.next(from) + NEXT_SCHEDULE_DELTA_MS - now;
}

/** `NAME-<minutes since the epoch of the scheduled time>` (getJobName). */
export function jobNameFor(cj: CronJob, scheduled: number): string {
  return `${cj.metadata.name ?? ''}-${Math.floor(scheduled / 60_000)}`;
}

/** RFC 3339 in the given IANA zone (Go's time.In(loc).Format(time.RFC3339)); UTC when none. */
export function formatInZone(ms: number, tz: string | undefined): string {
  const base = new Date(Math.floor(ms / 1000) * 1000);
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC') return base.toISOString().replace(/\.\d+Z$/, 'Z');
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(base).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((local - base.getTime()) / 60_000);
  const date = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  if (offsetMin === 0) return `${date}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${date}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The Job a CronJob starts for one scheduled time (getJobFromTemplate2). */
export function jobFromTemplate(cj: CronJob, scheduled: number, ref: OwnerReference): Job {
  const tmpl = cj.spec?.jobTemplate;
  const annotations = { ...tmpl?.metadata?.annotations, [CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduled, cj.spec?.timeZone) };
  const labels = { ...tmpl?.metadata?.labels };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduled),
      namespace: cj.metadata.namespace ?? 'default',
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      annotations,
      ownerReferences: [ref],
    },
    spec: structuredClone(tmpl?.spec ?? { template: {} }),
  };
}
