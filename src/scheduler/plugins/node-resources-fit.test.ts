import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, container, node, onNode, pod, podWith, runFilter } from '../testing/fixtures.ts';
import { runScore } from '../testing/score.ts';
import { nodeResourcesFitFilter, nodeResourcesLeastAllocated } from './node-resources-fit.ts';

describe('NodeResourcesFit filter', () => {
  it('seed B4: 1 GiB + 0.5 GiB fits only the node with 2 GiB free, never split', () => {
    const c = cluster([node('node1', { memory: '1280Mi' }), node('node2', { memory: '2Gi' })]);
    const p = pod('b4', { containers: [container({ memory: '1Gi' }), container({ memory: '512Mi' })] });
    assert.deepEqual(runFilter(nodeResourcesFitFilter, p, c), { node1: 'Insufficient memory', node2: '' });
  });

  it('counts the pods already on the node', () => {
    const c = cluster([node('n', { cpu: '2' })], [onNode(podWith('a', { cpu: '1500m' }), 'n')]);
    assert.deepEqual(runFilter(nodeResourcesFitFilter, podWith('b', { cpu: '600m' }), c), { n: 'Insufficient cpu' });
    assert.deepEqual(runFilter(nodeResourcesFitFilter, podWith('b', { cpu: '500m' }), c), { n: '' });
  });

  it('reports every resource that is short, in upstream order', () => {
    const c = cluster([node('n', { cpu: '1', memory: '1Gi', pods: '1', extra: { 'ephemeral-storage': '1Gi', 'example.com/gpu': '1' } })], [onNode(pod('x'), 'n')]);
    const p = podWith('p', { cpu: '2', memory: '2Gi', 'ephemeral-storage': '2Gi', 'example.com/gpu': '2' });
    assert.deepEqual(runFilter(nodeResourcesFitFilter, p, c), {
      n: 'Too many pods; Insufficient cpu; Insufficient memory; Insufficient ephemeral-storage; Insufficient example.com/gpu',
    });
  });

  it('a pod that requests nothing only needs a pod slot', () => {
    const c = cluster([node('full', { pods: '1' }), node('free', { pods: '1', cpu: '0', memory: '0' })], [onNode(pod('x'), 'full')]);
    assert.deepEqual(runFilter(nodeResourcesFitFilter, pod('p'), c), { full: 'Too many pods', free: '' });
  });

  it('an extended resource the node lacks does not fit', () => {
    const c = cluster([node('n')]);
    assert.deepEqual(runFilter(nodeResourcesFitFilter, podWith('p', { 'example.com/gpu': '1' }), c), { n: 'Insufficient example.com/gpu' });
  });

  it('init containers count with their largest step', () => {
    const c = cluster([node('n', { memory: '1Gi' })]);
    const p = pod('p', { initContainers: [container({ memory: '2Gi' })], containers: [container({ memory: '100Mi' })] });
    assert.deepEqual(runFilter(nodeResourcesFitFilter, p, c), { n: 'Insufficient memory' });
  });
});

describe('NodeResourcesFit score (LeastAllocated)', () => {
  it('prefers the emptier node; cpu and memory weigh the same', () => {
    const c = cluster([node('busy', { cpu: '4', memory: '8Gi' }), node('idle', { cpu: '4', memory: '8Gi' })], [onNode(podWith('x', { cpu: '2', memory: '4Gi' }), 'busy')]);
    const s = runScore(nodeResourcesLeastAllocated, podWith('p', { cpu: '1', memory: '2Gi' }), c)!;
    // busy: cpu (4-3)/4 = 25, memory (8-6)/8 = 25 → 25; idle: 75, 75 → 75.
    assert.deepEqual(s, { busy: 25, idle: 75 });
  });

  it('counts requests a container leaves out as 100m cpu and 200 MiB memory', () => {
    const c = cluster([node('n', { cpu: '1', memory: '2000Mi' })]);
    const s = runScore(nodeResourcesLeastAllocated, pod('p'), c)!;
    // cpu (1000-100)/1000 = 90, memory (2000-200)/2000 = 90.
    assert.deepEqual(s, { n: 90 });
  });
});
