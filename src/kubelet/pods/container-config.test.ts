import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerResources, podCgroupResources } from './container-config.ts';
import type { Container, Pod } from '../../api/types/core-v1.ts';

test('requests.cpu → shares, limits.cpu → quota, limits.memory → limit (pkg/kubelet/cm/helpers_linux.go)', () => {
  assert.deepEqual(containerResources({ name: 'c', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '64Mi' } } }), {
    cpuShares: 256, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimitBytes: 64 * 1024 * 1024,
  });
  // No request: the limit stands in; nothing at all: the minimum shares.
  assert.equal(containerResources({ name: 'c', resources: { limits: { cpu: '1' } } }).cpuShares, 1024);
  assert.deepEqual(containerResources({ name: 'c' }), { cpuShares: 2 });
  assert.equal(containerResources({ name: 'c', resources: { requests: { cpu: '1m' } } }).cpuShares, 2);
});

test('pod cgroup resources: shares from the summed requests, limits only when every container declares them', () => {
  const pod = (containers: Container[], initContainers: Container[] = []): Pod => ({ metadata: { name: 'p' }, spec: { containers, initContainers } });
  const c = (name: string, requests: Record<string, string>, limits: Record<string, string>): Container => ({ name, resources: { requests, limits } });
  // Guaranteed: two containers of 250m / 64Mi.
  assert.deepEqual(podCgroupResources(pod([c('a', { cpu: '250m', memory: '64Mi' }, { cpu: '250m', memory: '64Mi' }), c('b', { cpu: '250m', memory: '64Mi' }, { cpu: '250m', memory: '64Mi' })])), {
    cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimitBytes: 128 * 2 ** 20,
  });
  // One container without a memory limit: no pod memory limit; CPU limits declared by both.
  assert.deepEqual(podCgroupResources(pod([c('a', {}, { cpu: '1', memory: '64Mi' }), c('b', { cpu: '100m' }, { cpu: '500m' })])), {
    cpuShares: 1126, cpuQuota: 150_000, cpuPeriod: 100_000,
  });
  // BestEffort: the minimum shares, nothing else.
  assert.deepEqual(podCgroupResources(pod([{ name: 'a' }])), { cpuShares: 2 });
  // A big init container sets the pod's figure when it exceeds the app containers' sum.
  assert.deepEqual(podCgroupResources(pod([c('a', {}, { cpu: '100m', memory: '32Mi' })], [c('init', {}, { cpu: '2', memory: '256Mi' })])), {
    cpuShares: 2048, cpuQuota: 200_000, cpuPeriod: 100_000, memoryLimitBytes: 256 * 2 ** 20,
  });
});

test('pod cgroup resources count the RuntimeClass overhead (spec.overhead) except in a BestEffort pod\'s shares', () => {
  const limited: Pod = {
    metadata: { name: 'p' },
    spec: { overhead: { cpu: '250m', memory: '32Mi' }, containers: [{ name: 'a', resources: { limits: { cpu: '500m', memory: '64Mi' } } }] },
  };
  assert.deepEqual(podCgroupResources(limited), { cpuShares: 768, cpuQuota: 75_000, cpuPeriod: 100_000, memoryLimitBytes: 96 * 2 ** 20 });
  assert.deepEqual(podCgroupResources({ metadata: { name: 'p' }, spec: { overhead: { cpu: '250m' }, containers: [{ name: 'a' }] } }), { cpuShares: 2 });
});
