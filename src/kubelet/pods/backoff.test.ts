import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from './backoff.ts';

test('first retry is immediate, then the delay doubles up to the maximum', () => {
  const b = new Backoff({ baseMs: 10_000, maxMs: 40_000 });
  assert.equal(b.blockedUntil('k', 1000, 1000), undefined);
  b.next('k', 1000);
  assert.equal(b.blockedUntil('k', 2000, 5000), 12_000);
  assert.equal(b.blockedUntil('k', 2000, 12_000), undefined);
  b.next('k', 12_000);
  assert.equal(b.delayMs('k'), 20_000);
  b.next('k', 40_000);
  b.next('k', 80_000);
  assert.equal(b.delayMs('k'), 40_000);
  // Quiet for more than twice the maximum: starts over.
  assert.equal(b.blockedUntil('k', 200_000, 200_000), undefined);
  assert.equal(b.delayMs('k'), 10_000);
});

test('forgetPrefix drops the keys of one pod only', () => {
  const b = new Backoff({ baseMs: 1000, maxMs: 8000 });
  b.next('uid1/a', 0);
  b.next('uid2/a', 0);
  b.forgetPrefix('uid1/');
  assert.equal(b.blockedUntil('uid1/a', 0, 10), undefined);
  assert.equal(b.blockedUntil('uid2/a', 0, 10), 1000);
});
