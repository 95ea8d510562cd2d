import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alreadyExists, notFound } from '../../api/errors.ts';
import type { CronJob, Job } from '../../api/types/batch-v1.ts';
import { cleanupFinishedJobs, syncCronJob, type CronJobDeps } from './cronjob-sync.ts';

const T = (s: string): number => Date.parse(s);
const JOBS = { group: 'batch', resource: 'jobs' };

/** An in-memory API and a clock the test moves. */
class Fake implements CronJobDeps {
  clock = 0;
  jobs = new Map<string, Job>();
  events: string[] = [];
  cron: CronJob | undefined;
  #uid = 0;
  now(): number { return this.clock; }
  async getCronJob(): Promise<CronJob> { return structuredClone(this.cron!); }
  async getJob(_ns: string, name: string): Promise<Job> {
    const j = this.jobs.get(name);
    if (!j) throw notFound(JOBS, name);
    return structuredClone(j);
  }
  async createJob(_ns: string, job: Job): Promise<Job> {
    const name = job.metadata.name ?? '';
    if (this.jobs.has(name)) throw alreadyExists(JOBS, name);
    const created = { ...structuredClone(job), metadata: { ...job.metadata, uid: `job-${++this.#uid}` } };
    this.jobs.set(name, created);
    return created;
  }
  async deleteJob(_ns: string, name: string): Promise<void> {
    if (!this.jobs.delete(name)) throw notFound(JOBS, name);
  }
  event(_cj: CronJob, type: string, reason: string, message: string): void { this.events.push(`${type} ${reason} ${message}`); }
  finish(name: string, type: 'Complete' | 'Failed', at: string): void {
    const j = this.jobs.get(name)!;
    j.status = { startTime: at, ...(type === 'Complete' ? { completionTime: at } : {}), conditions: [{ type, status: 'True', lastTransitionTime: at }] };
  }
  children(): Job[] { return [...this.jobs.values()]; }
}

const cronJob = (spec: Partial<NonNullable<CronJob['spec']>> = {}): CronJob => ({
  metadata: { name: 'tick', namespace: 'ns', uid: 'cj-1', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { schedule: '*/1 * * * *', concurrencyPolicy: 'Allow', jobTemplate: { spec: { template: { spec: { containers: [] } } } }, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, ...spec },
  status: {},
});

/** One controller pass: sync, prune, keep the written status. */
async function pass(f: Fake, at: string): Promise<number | undefined> {
  f.clock = T(at);
  const r = await syncCronJob(f.cron!, f.children(), f);
  await cleanupFinishedJobs(r.cronJob, f.children(), f);
  f.cron = r.cronJob;
  return r.requeueAfter;
}

test('cronjob: one Job per minute, named by the minute, active then completed (CronJob AllowConcurrent)', async () => {
  const f = new Fake();
  f.cron = cronJob();
  assert.equal(await pass(f, '2024-01-01T00:00:30Z'), 30_100);
  assert.equal(f.jobs.size, 0);
  const wait = await pass(f, '2024-01-01T00:01:00.100Z');
  const name = `tick-${T('2024-01-01T00:01:00Z') / 60_000}`;
  assert.deepEqual([...f.jobs.keys()], [name]);
  assert.equal(f.cron.status?.lastScheduleTime, '2024-01-01T00:01:00Z');
  assert.deepEqual(f.cron.status?.active?.map((r) => r.name), [name]);
  assert.equal(wait, 60_000);
  assert.ok(f.events.includes(`Normal SuccessfulCreate Created job ${name}`));
  // Allow: the next minute starts another while the first runs.
  await pass(f, '2024-01-01T00:02:00.100Z');
  assert.equal(f.cron.status?.active?.length, 2);
  f.finish(name, 'Complete', '2024-01-01T00:02:30Z');
  await pass(f, '2024-01-01T00:02:31Z');
  assert.equal(f.cron.status?.active?.length, 1);
  assert.ok(f.events.some((e) => e.startsWith('Normal SawCompletedJob')));
  await pass(f, '2024-01-01T00:02:32Z');
  assert.equal(f.cron.status?.lastSuccessfulTime, '2024-01-01T00:02:30Z');
  // The same minute is never started twice.
  await pass(f, '2024-01-01T00:02:40Z');
  assert.equal(f.jobs.size, 2);
});

test('cronjob: Forbid skips while one runs (CronJob ForbidConcurrent)', async () => {
  const f = new Fake();
  f.cron = cronJob({ concurrencyPolicy: 'Forbid' });
  await pass(f, '2024-01-01T00:01:00.100Z');
  await pass(f, '2024-01-01T00:02:00.100Z');
  assert.equal(f.jobs.size, 1);
  assert.ok(f.events.includes('Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'));
  f.finish([...f.jobs.keys()][0]!, 'Complete', '2024-01-01T00:02:10Z');
  await pass(f, '2024-01-01T00:02:11Z');
  // The 00:02 run was skipped, not queued: it starts now, late, since there is no deadline.
  assert.equal(f.jobs.size, 2);
});

test('cronjob: Replace deletes the running Job and starts the new one (CronJob ReplaceConcurrent)', async () => {
  const f = new Fake();
  f.cron = cronJob({ concurrencyPolicy: 'Replace' });
  await pass(f, '2024-01-01T00:01:00.100Z');
  const first = [...f.jobs.keys()][0]!;
  await pass(f, '2024-01-01T00:02:00.100Z');
  assert.deepEqual([...f.jobs.keys()], [`tick-${T('2024-01-01T00:02:00Z') / 60_000}`]);
  assert.ok(f.events.includes(`Normal SuccessfulDelete Deleted job ${first}`));
  assert.equal(f.cron.status?.active?.length, 1);
});

test('cronjob: suspended, nothing starts; a missed window past the deadline is reported (CronJob Suspend)', async () => {
  const f = new Fake();
  f.cron = cronJob({ suspend: true });
  assert.equal(await pass(f, '2024-01-01T00:05:00Z'), undefined);
  assert.equal(f.jobs.size, 0);
  f.cron = cronJob({ startingDeadlineSeconds: 10, schedule: '0 * * * *' });
  f.cron.status = { lastScheduleTime: '2024-01-01T00:00:00Z' };
  // With startingDeadlineSeconds the earliest time looked at is now-10s: the 01:00 run is
  // not seen at 01:00:30 at all; at 01:00:05 it starts.
  await pass(f, '2024-01-01T01:00:30Z');
  assert.equal(f.jobs.size, 0);
  await pass(f, '2024-01-01T02:00:05Z');
  assert.equal(f.jobs.size, 1);
});

test('cronjob: after a long outage one catch-up run, and the TooManyMissedTimes warning past 100 (CronJob should be able to schedule after more than 100 missed schedule)', async () => {
  const f = new Fake();
  f.cron = cronJob();
  f.cron.status = { lastScheduleTime: '2024-01-01T00:00:00Z' };
  await pass(f, '2024-01-01T05:00:30Z');
  assert.equal(f.jobs.size, 1);
  assert.equal(f.cron.status?.lastScheduleTime, '2024-01-01T05:00:00Z');
  assert.ok(f.events.includes('Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew'));
});

test('cronjob: history limits keep the newest finished Jobs (CronJob should delete successful/failed finished jobs with limit of one job)', async () => {
  const f = new Fake();
  f.cron = cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 });
  for (const m of ['01', '02', '03']) {
    await pass(f, `2024-01-01T00:${m}:00.100Z`);
    f.finish(`tick-${T(`2024-01-01T00:${m}:00Z`) / 60_000}`, m === '02' ? 'Failed' : 'Complete', `2024-01-01T00:${m}:10Z`);
    await pass(f, `2024-01-01T00:${m}:20Z`);
  }
  assert.deepEqual([...f.jobs.keys()].sort(), [`tick-${T('2024-01-01T00:02:00Z') / 60_000}`, `tick-${T('2024-01-01T00:03:00Z') / 60_000}`]);
});

test('cronjob: an active Job that vanished leaves the list; an unknown one is reported; bad schedules and zones are events', async () => {
  const f = new Fake();
  f.cron = cronJob();
  await pass(f, '2024-01-01T00:01:00.100Z');
  f.jobs.clear();
  await pass(f, '2024-01-01T00:01:10Z');
  assert.equal(f.cron.status?.active?.length, 0);
  assert.ok(f.events.some((e) => e.startsWith('Normal MissingJob Active job went missing')));
  f.jobs.set('stray', { metadata: { name: 'stray', uid: 'x', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-1', controller: true }] } });
  await pass(f, '2024-01-01T00:01:20Z');
  assert.ok(f.events.includes('Warning UnexpectedJob Saw a job that the controller did not create or forgot: stray'));
  f.cron = cronJob({ schedule: 'not a schedule' });
  assert.equal(await pass(f, '2024-01-01T00:01:30Z'), undefined);
  assert.ok(f.events.some((e) => e.startsWith('Warning UnparseableSchedule')));
  f.cron = cronJob({ timeZone: 'Nowhere/Land' });
  await pass(f, '2024-01-01T00:01:40Z');
  assert.ok(f.events.some((e) => e.startsWith('Warning UnknownTimeZone')));
});
