import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodIpPool } from './pod-ips.ts';

test('hands out host addresses of the pod CIDR from .2, keeps them per pod and reuses released ones', () => {
  const pool = new PodIpPool('10.42.7.0/24');
  assert.equal(pool.allocate('a'), '10.42.7.2');
  assert.equal(pool.allocate('b'), '10.42.7.3');
  assert.equal(pool.allocate('a'), '10.42.7.2');
  pool.release('a');
  assert.equal(pool.allocate('c'), '10.42.7.2');
  pool.occupy('d', '10.42.7.4');
  assert.equal(pool.allocate('e'), '10.42.7.5');
  assert.equal(pool.used, 4);
});

test('runs out with an error and refuses what is not a CIDR', () => {
  const pool = new PodIpPool('10.42.0.0/30');
  assert.equal(pool.allocate('a'), '10.42.0.2');
  assert.throws(() => pool.allocate('b'), { code: 'PodIpPoolError' });
  assert.throws(() => new PodIpPool('10.42.0.0'), { code: 'PodIpPoolError' });
  assert.throws(() => new PodIpPool('fd00::/64'), /IPv4/);
});
