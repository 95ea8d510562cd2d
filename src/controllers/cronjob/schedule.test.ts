import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob } from '../../api/types/batch-v1.ts';
import { formatInZone, jobFromTemplate, jobNameFor, mostRecentScheduleTime, nextScheduleTimeDuration, parseGoDuration, parseSchedule } from './schedule.ts';

const T = (s: string): number => Date.parse(s);
const cj = (schedule: string, o: { created?: string; last?: string; deadline?: number; tz?: string } = {}): CronJob => ({
  metadata: { name: 'hello', namespace: 'ns', uid: 'cj-1', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z' },
  spec: { schedule, jobTemplate: { metadata: { labels: { a: 'b' } }, spec: { template: { spec: { containers: [] } } } }, ...(o.deadline !== undefined ? { startingDeadlineSeconds: o.deadline } : {}), ...(o.tz ? { timeZone: o.tz } : {}) },
  status: o.last ? { lastScheduleTime: o.last } : {},
});

test('schedule: five fields, descriptors, @every, time zones', () => {
  assert.equal(parseSchedule('*/5 * * * *').next(T('2024-01-01T00:05:00Z')), T('2024-01-01T00:10:00Z'));
  assert.equal(parseSchedule('@hourly').next(T('2024-01-01T00:05:00Z')), T('2024-01-01T01:00:00Z'));
  assert.equal(parseSchedule('@daily', 'UTC').next(T('2024-01-01T00:05:00Z')), T('2024-01-02T00:00:00Z'));
  assert.equal(parseSchedule('@midnight', 'UTC').next(T('2024-01-01T00:05:00Z')), T('2024-01-02T00:00:00Z'));
  assert.equal(parseSchedule('@every 90s').next(T('2024-01-01T00:00:00.500Z')), T('2024-01-01T00:01:30Z'));
  // 09:00 in Berlin is 08:00 UTC in winter, 07:00 UTC after the clocks go forward.
  const berlin = parseSchedule('0 9 * * *', 'Europe/Berlin');
  assert.equal(berlin.next(T('2024-03-30T12:00:00Z')), T('2024-03-31T07:00:00Z'));
  assert.equal(berlin.next(T('2024-01-10T12:00:00Z')), T('2024-01-11T08:00:00Z'));
  assert.equal(parseSchedule('TZ=Asia/Tokyo 0 0 * * *').next(T('2024-01-01T00:00:00Z')), T('2024-01-01T15:00:00Z'));
  assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields, found 4/);
  assert.throws(() => parseSchedule('* * * * * *'), /expected exactly 5 fields, found 6/);
  assert.throws(() => parseSchedule('@fortnightly'), /unrecognized descriptor/);
  assert.throws(() => parseSchedule('61 * * * *'));
  assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus'), /unknown time zone/);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.throws(() => parseGoDuration('5x'));
});

test('schedule: the most recent unmet time, and how many were missed', () => {
  const s = parseSchedule('*/1 * * * *');
  // Created at 00:00:00; at 00:00:30 nothing is due yet.
  assert.deepEqual(mostRecentScheduleTime(cj('*/1 * * * *'), T('2024-01-01T00:00:30Z'), s, true), { earliest: T('2024-01-01T00:00:00Z'), mostRecent: undefined, missed: 'none' });
  // At 00:01:10 the 00:01 run is due.
  assert.equal(mostRecentScheduleTime(cj('*/1 * * * *'), T('2024-01-01T00:01:10Z'), s, true).mostRecent, T('2024-01-01T00:01:00Z'));
  // Down for an hour: only the latest is due (one catch-up), and the few missed are noted.
  const hour = mostRecentScheduleTime(cj('*/1 * * * *', { last: '2024-01-01T00:01:00Z' }), T('2024-01-01T01:01:30Z'), s, true);
  assert.equal(hour.mostRecent, T('2024-01-01T01:01:00Z'));
  assert.equal(hour.missed, 'few');
  // Down for a day: many missed.
  assert.equal(mostRecentScheduleTime(cj('*/1 * * * *', { last: '2024-01-01T00:01:00Z' }), T('2024-01-02T00:00:30Z'), s, true).missed, 'many');
  // A starting deadline moves the earliest time up, so the old misses are not counted.
  const dl = mostRecentScheduleTime(cj('*/1 * * * *', { last: '2024-01-01T00:01:00Z', deadline: 200 }), T('2024-01-02T00:00:30Z'), s, true);
  assert.equal(dl.missed, 'few');
  assert.equal(dl.mostRecent, T('2024-01-02T00:00:00Z'));
});

test('schedule: requeue just after the next activation', () => {
  const s = parseSchedule('*/1 * * * *');
  assert.equal(nextScheduleTimeDuration(cj('*/1 * * * *', { last: '2024-01-01T00:01:00Z' }), T('2024-01-01T00:01:10Z'), s), 50_100);
  assert.equal(nextScheduleTimeDuration(cj('0 * * * *'), T('2024-01-01T00:30:00Z'), parseSchedule('0 * * * *')), 30 * 60_000 + 100);
});

test('schedule: job name in minutes since the epoch; template copied with the scheduled-time annotation', () => {
  const t = T('2024-01-01T00:05:00Z');
  assert.equal(jobNameFor(cj('* * * * *'), t), `hello-${t / 60_000}`);
  const j = jobFromTemplate(cj('* * * * *', { tz: 'Europe/Berlin' }), t, { apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-1', controller: true });
  assert.equal(j.metadata.name, 'hello-28401125');
  assert.equal(j.metadata.labels?.a, 'b');
  assert.equal(j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-01-01T01:05:00+01:00');
  assert.equal(formatInZone(t, undefined), '2024-01-01T00:05:00Z');
  assert.equal(formatInZone(t, 'America/New_York'), '2023-12-31T19:05:00-05:00');
});
