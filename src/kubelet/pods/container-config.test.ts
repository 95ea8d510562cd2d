import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerResources } from './container-config.ts';

test('requests.cpu → shares, limits.cpu → quota, limits.memory → limit (pkg/kubelet/cm/helpers_linux.go)', () => {
  assert.deepEqual(containerResources({ name: 'c', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '64Mi' } } }), {
    cpuShares: 256, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimitBytes: 64 * 1024 * 1024,
  });
  // No request: the limit stands in; nothing at all: the minimum shares.
  assert.equal(containerResources({ name: 'c', resources: { limits: { cpu: '1' } } }).cpuShares, 1024);
  assert.deepEqual(containerResources({ name: 'c' }), { cpuShares: 2 });
  assert.equal(containerResources({ name: 'c', resources: { requests: { cpu: '1m' } } }).cpuShares, 2);
});
