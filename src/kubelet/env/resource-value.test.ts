import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, Pod } from '../../api/types/core-v1.ts';
import { containerResourceValue, resourceValueForContainer, withDefaultLimits } from './resource-value.ts';

const c: Container = { name: 'c', resources: { limits: { cpu: '1250m', memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi', 'ephemeral-storage': '1Gi' } } };

test('DownwardAPI, environment for CPU and memory limits and requests: divisor and rounding up', () => {
  assert.equal(containerResourceValue({ resource: 'limits.cpu' }, c), '2');
  assert.equal(containerResourceValue({ resource: 'limits.cpu', divisor: '1m' }, c), '1250');
  assert.equal(containerResourceValue({ resource: 'requests.cpu', divisor: '100m' }, c), '3');
  assert.equal(containerResourceValue({ resource: 'requests.cpu', divisor: '0' }, c), '1');
  assert.equal(containerResourceValue({ resource: 'limits.memory' }, c), String(64 * 2 ** 20));
  assert.equal(containerResourceValue({ resource: 'limits.memory', divisor: '1Mi' }, c), '64');
  assert.equal(containerResourceValue({ resource: 'requests.memory', divisor: '1M' }, c), '34');
  assert.equal(containerResourceValue({ resource: 'requests.ephemeral-storage', divisor: '1Mi' }, c), '1024');
  assert.equal(containerResourceValue({ resource: 'limits.ephemeral-storage' }, c), '0');
  assert.equal(containerResourceValue({ resource: 'requests.cpu', divisor: '1m' }, { name: 'x', resources: { requests: { cpu: '0.1' } } }), '100');
});

test('unsupported resources fail as upstream', () => {
  assert.throws(() => containerResourceValue({ resource: 'limits.gpu' }, c), { message: 'unsupported container resource : limits.gpu' });
  assert.throws(() => containerResourceValue({ resource: 'cpu' }, c), { message: 'unsupported container resource : cpu' });
});

test('DownwardAPI, environment for default CPU and memory limits and requests: limits default to node allocatable', () => {
  const bare: Container = { name: 'b' };
  const d = withDefaultLimits(bare, { cpu: '2', memory: '4Gi', pods: '110' });
  assert.deepEqual(d.resources?.limits, { cpu: '2', memory: '4Gi' });
  assert.equal(withDefaultLimits(c, { cpu: '2' }).resources?.limits?.cpu, '1250m', 'a set limit is kept');
  const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [c], initContainers: [bare] } };
  assert.equal(resourceValueForContainer({ resource: 'limits.memory', divisor: '1Gi' }, pod, 'b', { memory: '4Gi' }), '4');
  assert.throws(() => resourceValueForContainer({ resource: 'limits.cpu' }, pod, 'nope', {}), { message: 'container nope not found' });
});
