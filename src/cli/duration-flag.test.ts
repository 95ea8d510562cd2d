import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDurationFlag } from './duration-flag.ts';

test('Go durations and bare seconds', () => {
  assert.equal(parseDurationFlag('--x', '50s'), 50_000);
  assert.equal(parseDurationFlag('--x', '1m30s'), 90_000);
  assert.equal(parseDurationFlag('--x', '500ms'), 500);
  assert.equal(parseDurationFlag('--x', '5'), 5000);
  assert.equal(parseDurationFlag('--x', '1.5h'), 5_400_000);
  assert.throws(() => parseDurationFlag('--x', '5 minutes'), /--x "5 minutes": expected a duration/);
  assert.throws(() => parseDurationFlag('--x', ''), /expected a duration/);
});
