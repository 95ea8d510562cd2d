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
  assert.equal(a.allocateNext(), '10.42.3.0/24');
});

test('a node\'s own subnet of another size takes every /24 it overlaps, and only inside the range', () => {
  const a = new CidrAllocator();
  a.occupy('10.42.0.128/25'); // an agent's --pod-subnet smaller than a /24: its /24 is taken
  a.occupy('10.42.2.0/23'); // larger: both /24s
  a.occupy('10.0.0.0/8'); // covers the whole range
  assert.throws(() => a.allocateNext(), { code: 'CidrAllocatorError' });
  a.release('10.0.0.0/8');
  a.occupy('10.42.0.128/25');
  a.occupy('10.42.2.0/23');
  a.occupy('10.43.0.0/16'); // outside the range: ignored
  a.occupy('10.41.255.0/24');
  a.occupy('bogus');
  assert.equal(a.allocateNext(), '10.42.1.0/24');
  assert.equal(a.allocateNext(), '10.42.4.0/24');
});

test('runs out of subnets with an error', () => {
  const a = new CidrAllocator('10.42.0.0/23', 24);
  assert.equal(a.allocateNext(), '10.42.0.0/24');
  assert.equal(a.allocateNext(), '10.42.1.0/24');
  assert.throws(() => a.allocateNext(), { code: 'CidrAllocatorError' });
});
