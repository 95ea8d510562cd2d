import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from '../framework/pod-info.ts';
import { cluster, node, onNode, podWith } from '../testing/fixtures.ts';

const GI = 2 ** 30;

describe('SchedulerCache', () => {
  it('an assumed pod counts on its node until forgotten', () => {
    const c = cluster([node('n')]);
    const p = onNode(podWith('p', { memory: '1Gi' }), 'n');
    c.assumePod(newPodInfo(p), 'n');
    assert.equal(c.node('n')!.requested.memory, GI);
    assert.ok(c.isAssumed('default/p'));
    c.forgetPod('default/p');
    assert.equal(c.node('n')!.requested.memory, 0);
    assert.equal(c.podCount, 0);
  });

  it('the watch confirming the bind replaces the assumed pod without counting it twice', () => {
    const c = cluster([node('n')]);
    const p = onNode(podWith('p', { memory: '1Gi' }), 'n');
    c.assumePod(newPodInfo(p), 'n');
    c.addOrUpdatePod(p);
    assert.ok(!c.isAssumed('default/p'));
    assert.equal(c.node('n')!.requested.memory, GI);
    assert.equal(c.node('n')!.pods.size, 1);
    c.forgetPod('default/p');
    assert.equal(c.node('n')!.requested.memory, GI, 'a confirmed pod is not forgotten');
    c.removePod(p);
    assert.equal(c.node('n')!.requested.memory, 0);
  });

  it('pods on a node the cache has not seen yet count once the node arrives; a deleted node leaves the list', () => {
    const c = cluster([]);
    c.addOrUpdatePod(onNode(podWith('p', { cpu: '1' }), 'late'));
    assert.equal(c.nodes.length, 0);
    c.addOrUpdateNode(node('late'));
    assert.equal(c.node('late')!.requested.milliCPU, 1000);
    c.removeNode(node('late'));
    assert.equal(c.nodes.length, 0);
  });

  it('lists zones interleaved', () => {
    const z = (name: string, zone: string) => node(name, { labels: { 'topology.kubernetes.io/zone': zone } });
    const c = cluster([z('a1', 'a'), z('a2', 'a'), z('a3', 'a'), z('b1', 'b'), z('c1', 'c'), z('b2', 'b')]);
    assert.deepEqual(c.nodes.map((n) => n.name), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });
});
