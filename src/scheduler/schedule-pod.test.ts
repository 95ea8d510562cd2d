import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FitError, fitErrorMessage } from './framework/fit-error.ts';
import type { FilterPlugin } from './framework/types.ts';
import { newPodInfo } from './framework/pod-info.ts';
import { DEFAULT_PROFILE } from './profile.ts';
import { numFeasibleNodesToFind, PodScheduler } from './schedule-pod.ts';
import { cluster, container, node, onNode, pod, podWith } from './testing/fixtures.ts';

describe('numFeasibleNodesToFind', () => {
  it('all nodes below 100, then 50% − nodes/125 (at least 5%), never fewer than 100', () => {
    assert.equal(numFeasibleNodesToFind(50), 50);
    assert.equal(numFeasibleNodesToFind(100), 100);
    assert.equal(numFeasibleNodesToFind(1000), 420);
    assert.equal(numFeasibleNodesToFind(5000), 500);
    assert.equal(numFeasibleNodesToFind(6000), 300);
    assert.equal(numFeasibleNodesToFind(1500), 570);
    assert.equal(numFeasibleNodesToFind(150, 10), 100);
    assert.equal(numFeasibleNodesToFind(5000, 100), 5000);
  });
});

describe('PodScheduler', () => {
  it('seed B4: the pod goes whole to the node with room; a second identical pod then finds none', () => {
    const c = cluster([node('node1', { memory: '1280Mi' }), node('node2', { memory: '2Gi' })]);
    const s = new PodScheduler(DEFAULT_PROFILE);
    const b4 = pod('b4', { containers: [container({ memory: '1Gi' }), container({ memory: '512Mi' })] });
    const r = s.schedule(newPodInfo(b4), c);
    assert.equal(r.node, 'node2');
    c.assumePod(newPodInfo(onNode(b4, 'node2')), 'node2');
    const again = pod('b4-again', { containers: [container({ memory: '1Gi' }), container({ memory: '512Mi' })] });
    assert.throws(() => s.schedule(newPodInfo(again), c), (err: unknown) => err instanceof FitError && err.message === '0/2 nodes are available: 2 Insufficient memory.');
  });

  it('the failure message counts reasons over nodes, sorted, and names the plugins that rejected', () => {
    const c = cluster([
      node('small', { memory: '1Gi', labels: { disk: 'ssd' } }),
      node('tainted', { labels: { disk: 'ssd' }, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }),
      node('hdd-1', { labels: { disk: 'hdd' } }), node('hdd-2', { labels: { disk: 'hdd' } }),
    ]);
    const s = new PodScheduler(DEFAULT_PROFILE);
    try {
      s.schedule(newPodInfo(podWith('p', { memory: '2Gi' }, { nodeSelector: { disk: 'ssd' } })), c);
      assert.fail('expected a FitError');
    } catch (err) {
      assert.ok(err instanceof FitError);
      assert.equal(err.message, "0/4 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {k: v}, 2 node(s) didn't match Pod's node affinity/selector.");
      assert.deepEqual([...err.plugins].sort(), ['NodeAffinity', 'NodeResourcesFit', 'TaintToleration']);
    }
  });

  it('no nodes at all', () => {
    assert.equal(fitErrorMessage(0, new Map()), 'no nodes available to schedule pods');
    assert.throws(() => new PodScheduler(DEFAULT_PROFILE).schedule(newPodInfo(pod('p')), cluster([])), /no nodes available to schedule pods/);
  });

  it('scores pick the least allocated node', () => {
    const c = cluster([node('busy'), node('idle')], [onNode(podWith('x', { cpu: '3', memory: '6Gi' }), 'busy')]);
    assert.equal(new PodScheduler(DEFAULT_PROFILE).schedule(newPodInfo(podWith('p', { cpu: '500m', memory: '1Gi' })), c).node, 'idle');
  });

  it('in a large cluster only a sample is filtered, and the next pod starts where the last stopped', () => {
    const c = cluster(Array.from({ length: 1000 }, (_, i) => node(`n${i}`)));
    const seen: string[] = [];
    const recorder: FilterPlugin = { name: 'Recorder', events: [], filter(_s, _p, n) { seen.push(n.name); return undefined; } };
    const s = new PodScheduler({ ...DEFAULT_PROFILE, filters: [...DEFAULT_PROFILE.filters, recorder] });
    const windows: string[][] = [];
    for (let i = 0; i < 3; i++) {
      seen.length = 0;
      const r = s.schedule(newPodInfo(pod(`p${i}`)), c);
      assert.equal(r.feasibleNodes, 420);
      assert.ok(seen.includes(r.node));
      windows.push([seen[0]!, seen.at(-1)!]);
    }
    assert.deepEqual(windows, [['n0', 'n419'], ['n420', 'n839'], ['n840', 'n259']]);
  });

  it('ties are broken at random among the best nodes', () => {
    const c = cluster([node('a'), node('b'), node('c')]);
    const seen = new Set<string>();
    let x = 0;
    const s = new PodScheduler(DEFAULT_PROFILE, { random: () => { x = (x + 0.37) % 1; return x; } });
    for (let i = 0; i < 20; i++) seen.add(s.schedule(newPodInfo(pod(`p${i}`)), c).node);
    assert.equal(seen.size, 3);
  });
});
