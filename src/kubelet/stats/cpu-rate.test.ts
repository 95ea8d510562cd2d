import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CpuRateTracker } from './cpu-rate.ts';

test('the rate is the CPU time between two samples over the time between them', () => {
  const t = new CpuRateTracker({ minWindowMs: 1000 });
  assert.equal(t.hasBaseline('c', 10_000), false);
  assert.equal(t.rate('c', { atMs: 10_000, usageNanos: 5e9 }), undefined, 'one sample gives no rate');
  t.record('c', { atMs: 10_000, usageNanos: 5e9 });
  // 1.5 s of CPU over 2 s: 0.75 cores
  assert.equal(t.rate('c', { atMs: 12_000, usageNanos: 6.5e9 }), 750_000_000);
  assert.equal(t.hasBaseline('c', 12_000), true);
});

test('a baseline younger than the minimum window is not used; the newest old enough one is', () => {
  const t = new CpuRateTracker({ minWindowMs: 1000 });
  t.record('c', { atMs: 0, usageNanos: 0 });
  t.record('c', { atMs: 5_000, usageNanos: 1e9 });
  t.record('c', { atMs: 9_500, usageNanos: 3e9 });
  assert.equal(t.hasBaseline('c', 5_500), true);
  // at 10 s: the 9.5 s sample is too recent, the 5 s one is used: 2 s of CPU over 5 s
  assert.equal(t.rate('c', { atMs: 10_000, usageNanos: 3e9 }), 400_000_000);
});

test('a counter that went backwards (cgroup recreated) and stale samples give no rate', () => {
  const t = new CpuRateTracker({ minWindowMs: 1000, maxAgeMs: 30_000 });
  t.record('c', { atMs: 0, usageNanos: 9e9 });
  assert.equal(t.rate('c', { atMs: 2_000, usageNanos: 1e9 }), undefined);
  assert.equal(t.rate('c', { atMs: 40_000, usageNanos: 10e9 }), undefined, 'older than maxAge');
});

test('retain forgets keys that are gone; samples per key are bounded', () => {
  const t = new CpuRateTracker({ minWindowMs: 1, maxSamples: 2 });
  for (let i = 0; i < 5; i++) t.record('a', { atMs: i * 10, usageNanos: i });
  t.record('b', { atMs: 0, usageNanos: 0 });
  t.retain(new Set(['a']));
  assert.equal(t.hasBaseline('b', 100), false);
  // only the samples at 30 and 40 ms remain: nothing at or before 20 ms
  assert.equal(t.rate('a', { atMs: 41, usageNanos: 4 }), 0);
  assert.equal(t.rate('a', { atMs: 35, usageNanos: 3 }), 0);
  assert.equal(t.hasBaseline('a', 31), true);
  assert.equal(t.hasBaseline('a', 30), false);
});
