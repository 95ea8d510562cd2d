import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity } from './validation/quantity.ts';
import { formatBytes, formatDecimalSI, formatGoDuration, formatNanoCores } from './quantity-format.ts';

test('CPU nanocores print as resource.Quantity does for NewScaledQuantity(n, Nano)', () => {
  assert.equal(formatNanoCores(0), '0');
  assert.equal(formatNanoCores(1234567), '1234567n');
  assert.equal(formatNanoCores(1234000), '1234u');
  assert.equal(formatNanoCores(250_000_000), '250m');
  assert.equal(formatNanoCores(1_500_000_000), '1500m');
  assert.equal(formatNanoCores(2_000_000_000), '2');
  assert.equal(formatNanoCores(10), '10n');
  assert.equal(formatNanoCores(998_004_123), '998004123n');
  for (const n of [1, 17, 1234567, 998_004_123, 2_000_000_000]) assert.equal(parseQuantity(formatNanoCores(n)), n / 1e9);
});

test('memory bytes print in binary SI when a power of 1024 divides them', () => {
  assert.equal(formatBytes(0), '0');
  assert.equal(formatBytes(512), '512');
  assert.equal(formatBytes(1000), '1k'); // below 1024: decimal form, as Quantity does
  assert.equal(formatBytes(4096), '4Ki');
  assert.equal(formatBytes(4_096_000), '4000Ki');
  assert.equal(formatBytes(2 * 1024 * 1024), '2Mi');
  assert.equal(formatBytes(1025), '1025');
  assert.equal(formatBytes(3 * 1024 ** 3), '3Gi');
  for (const n of [4096, 4_096_000, 1025, 3 * 1024 ** 3]) assert.equal(parseQuantity(formatBytes(n)), n);
});

test('decimal SI folds trailing zeros into the largest suffix', () => {
  assert.equal(formatDecimalSI(5000, 0), '5k');
  assert.equal(formatDecimalSI(120, 0), '120');
  assert.equal(formatDecimalSI(1, -8), '10n');
});

test('durations print as Go time.Duration', () => {
  assert.equal(formatGoDuration(10_000), '10s');
  assert.equal(formatGoDuration(1500), '1.5s');
  assert.equal(formatGoDuration(90_000), '1m30s');
  assert.equal(formatGoDuration(250), '250ms');
});
