import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, since } from './human-duration.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('humanDuration matches upstream HumanDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'], [1 * s, '1s'], [59 * s, '59s'], [119 * s + 999, '119s'], [2 * m, '2m'], [2 * m + 3 * s, '2m3s'],
    [9 * m + 59 * s, '9m59s'], [10 * m, '10m'], [10 * m + 30 * s, '10m'], [179 * m, '179m'], [3 * h, '3h'],
    [3 * h + 4 * m, '3h4m'], [7 * h + 59 * m, '7h59m'], [8 * h, '8h'], [47 * h + 59 * m, '47h'], [48 * h, '2d'],
    [2 * d + 1 * h, '2d1h'], [7 * d + 23 * h, '7d23h'], [8 * d, '8d'], [5 * d, '5d'], [729 * d, '729d'], [730 * d, '2y'],
    [730 * d + 45 * d, '2y45d'], [8 * 365 * d, '8y'], [20 * 365 * d + 100 * d, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('humanDuration tolerates small clock skew and flags the future', () => {
  assert.equal(humanDuration(-1 * s), '0s');
  assert.equal(humanDuration(-1999), '0s');
  assert.equal(humanDuration(-2 * s), '<invalid>');
  assert.equal(humanDuration(-1 * h), '<invalid>');
});

test('since formats ages and reports missing timestamps', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(since('2025-12-31T23:55:00Z', now), '5m');
  assert.equal(since(undefined, now), '<unknown>');
  assert.equal(since('', now), '<unknown>');
  assert.equal(since('not a time', now), '<unknown>');
  assert.equal(since('2026-01-01T01:00:00Z', now), '<invalid>');
});
