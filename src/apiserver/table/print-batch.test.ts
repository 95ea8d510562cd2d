import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronJobPrinter, jobPrinter } from './print-batch.ts';
import { DAY, HOUR, MIN, NOW, SEC, ago, obj } from './test-helpers.ts';

const template = { spec: { containers: [{ name: 'pi', image: 'perl' }] } };
const selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } };
const job = (spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
  jobPrinter.cells(obj('pi', HOUR, { spec: { template, selector, ...spec }, status }, meta), NOW);

test('running job: completions, duration since start, wide columns', () => {
  assert.deepEqual(job({ completions: 1, parallelism: 1 }, { startTime: ago(90 * SEC), active: 1 }), [
    'pi', 'Running', '0/1', '90s', '60m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=abc',
  ]);
});

test('complete job: duration from start to completion', () => {
  const c = job({ completions: 3 }, {
    succeeded: 3, startTime: ago(50 * MIN), completionTime: ago(50 * MIN - 2 * MIN - 3 * SEC),
    conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
  });
  assert.deepEqual(c.slice(1, 4), ['Complete', '3/3', '2m3s']);
});

test('status ladder: Failed, Terminating, Suspended, FailureTarget', () => {
  assert.equal(job({}, { conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] })[1], 'Failed');
  assert.equal(job({}, {}, { deletionTimestamp: ago(SEC) })[1], 'Terminating');
  assert.equal(job({ suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] })[1], 'Suspended');
  assert.equal(job({}, { conditions: [{ type: 'FailureTarget', status: 'True' }] })[1], 'FailureTarget');
  assert.equal(job({}, { conditions: [{ type: 'Suspended', status: 'False' }] })[1], 'Running');
});

test('completions without spec.completions, and no start time yet', () => {
  assert.equal(job({ parallelism: 4 }, { succeeded: 1 })[2], '1/1 of 4');
  assert.equal(job({ parallelism: 1 }, {})[2], '0/1');
  assert.equal(job({}, {})[3], '');
});

test('cron job row', () => {
  const cj = obj('backup', 3 * DAY, {
    spec: { schedule: '*/5 * * * *', timeZone: 'Etc/UTC', suspend: false, jobTemplate: { spec: { template } } },
    status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago(4 * MIN) },
  });
  assert.deepEqual(cronJobPrinter.cells(cj, NOW), ['backup', '*/5 * * * *', 'Etc/UTC', 'False', 1, '4m', '3d', 'pi', 'perl', '<none>']);
  const fresh = obj('b', MIN, { spec: { schedule: '@hourly', jobTemplate: { spec: { template } } } });
  assert.deepEqual(cronJobPrinter.cells(fresh, NOW).slice(1, 6), ['@hourly', '<none>', '<unset>', 0, '<none>']);
});
