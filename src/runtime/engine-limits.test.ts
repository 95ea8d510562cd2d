import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidRunRequest } from './engine-errors.ts';
import { parseCpus, parseMemory, parsePidsLimit } from './engine-limits.ts';

test('memory sizes as docker spells them', () => {
  assert.equal(parseMemory('64m'), 64 * 1024 * 1024);
  assert.equal(parseMemory('1g'), 1024 ** 3);
  assert.equal(parseMemory('512MiB'), 512 * 1024 * 1024);
  assert.equal(parseMemory('10485760'), 10485760);
  for (const bad of ['12q', '', 'm', '-1m', '1m']) assert.throws(() => parseMemory(bad), isInvalidRunRequest, bad);
});

test('cpus become a CFS quota over 100 ms; pids limits are positive integers', () => {
  assert.deepEqual(parseCpus('0.5'), { cpuQuota: 50_000, cpuPeriod: 100_000 });
  assert.deepEqual(parseCpus('2'), { cpuQuota: 200_000, cpuPeriod: 100_000 });
  for (const bad of ['0', 'lots', '-1', '']) assert.throws(() => parseCpus(bad), isInvalidRunRequest, bad);
  assert.equal(parsePidsLimit('64'), 64);
  assert.throws(() => parsePidsLimit('0'), isInvalidRunRequest);
  assert.throws(() => parsePidsLimit('1.5'), isInvalidRunRequest);
});
