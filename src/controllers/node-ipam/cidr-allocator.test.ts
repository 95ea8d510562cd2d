import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CidrAllocator } from './cidr-allocator.ts';

test('allocates /24s of 10.42.0.0/16 in order, skipping taken ones and reusing released ones', () => {
  const a = new CidrAllocator();
  a.occupy('10.42.1.0/24');
  assert.equal(a.allocateNext(), '10.42.0.0/24');
  assert.equal(a.allocateNext(), '10.42.2.0/24');
  a.release('10.42.0.0/24');
  assert.equal(a.allocateNext(), '10.42.0.0/24');
  a.occupy('10.43.0.0/24'); // outside the range: ignored
  a.occupy('10.42.3.0/25'); // another size: ignored
  assert.equal(a.allocateNext(), '10.42.3.0/24');
});

test('runs out of subnets with an error', () => {
  const a = new CidrAllocator('10.42.0.0/23', 24);
  assert.equal(a.allocateNext(), '10.42.0.0/24');
  assert.equal(a.allocateNext(), '10.42.1.0/24');
  assert.throws(() => a.allocateNext(), { code: 'CidrAllocatorError' });
});
