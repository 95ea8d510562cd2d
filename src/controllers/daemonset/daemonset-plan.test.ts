import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ControllerRevision, DaemonSet } from '../../api/types/apps-v1.ts';
import type { Node, Pod, Taint } from '../../api/types/core-v1.ts';
import { computeStatus, groupByNode, planManage, planRollingUpdate } from './daemonset-plan.ts';
import {
  daemonPodTemplate, daemonRevisionPatch, nodeShouldRunDaemonPod, pinToNode, revisionMatches, rollingLimits, targetNodeName,
} from './daemonset-util.ts';

const NOW = Date.parse('2024-06-01T00:00:00Z');

function dset(o: Partial<DaemonSet['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      ...o,
    },
  };
}

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints } };
}

let seq = 0;
function pod(nodeName: string, hash: string, o: { ready?: boolean; phase?: string; deleting?: boolean; created?: number } = {}): Pod {
  seq += 1;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `agent-${seq}`, namespace: 'ns', labels: { app: 'agent', 'controller-revision-hash': hash },
      creationTimestamp: new Date(o.created ?? NOW - 60_000 + seq).toISOString(),
      ...(o.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}),
    },
    spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
    status: {
      phase: (o.phase ?? 'Running') as 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: new Date(NOW - 30_000).toISOString() }],
    },
  };
}

describe('node eligibility (NodeShouldRunDaemonPod)', () => {
  test('DaemonSet-NodeSelection: nodeSelector and required node affinity choose the nodes', () => {
    const ds = dset();
    ds.spec.template.spec!.nodeSelector = { color: 'blue' };
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', { color: 'blue' }), ds), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node('b', { color: 'green' }), ds), { shouldRun: false, shouldContinueRunning: false });
    const aff = dset();
    aff.spec.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'color', operator: 'In', values: ['green'] }] }] } } };
    assert.equal(nodeShouldRunDaemonPod(node('b', { color: 'green' }), aff).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('a', { color: 'blue' }), aff).shouldRun, false);
  });

  test('an untolerated NoSchedule taint stops new pods but keeps a running one; NoExecute evicts', () => {
    const ds = dset();
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), ds), { shouldRun: false, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }]), ds), { shouldRun: false, shouldContinueRunning: false });
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'soft', effect: 'PreferNoSchedule' }]), ds).shouldRun, true);
    ds.spec.template.spec!.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }];
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), ds).shouldRun, true);
  });

  test('the tolerations every daemon pod gets: not-ready, unreachable, pressure, cordoned; network only for hostNetwork', () => {
    const ds = dset();
    for (const t of [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ] as Taint[]) {
      assert.equal(nodeShouldRunDaemonPod(node('a', {}, [t]), ds).shouldRun, true, t.key);
    }
    const net: Taint = { key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' };
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, [net]), ds).shouldRun, false);
    ds.spec.template.spec!.hostNetwork = true;
    assert.equal(nodeShouldRunDaemonPod(node('a', {}, [net]), ds).shouldRun, true);
    const tpl = daemonPodTemplate(ds, 'h1');
    const nr = tpl.spec!.tolerations!.find((t) => t.key === 'node.kubernetes.io/not-ready');
    assert.deepEqual(nr, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' });
    assert.equal(tpl.metadata?.labels?.['controller-revision-hash'], 'h1');
    assert.equal(tpl.metadata?.labels?.['pod-template-generation'], '2');
  });

  test('a pod is pinned to its node by matchFields metadata.name, replacing the required terms', () => {
    const aff = pinToNode({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] } } }, 'n1');
    assert.deepEqual(aff.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]);
    const p = pod('', 'h');
    delete p.spec!.nodeName;
    p.spec!.affinity = aff;
    assert.equal(targetNodeName(p), 'n1');
  });
});

describe('manage (podsShouldBeOnNode)', () => {
  test('DaemonSet-Creation: a pod for each eligible node without one; a pod on an ineligible node goes', () => {
    const ds = dset();
    ds.spec.template.spec!.nodeSelector = { role: 'worker' };
    const nodes = [node('a', { role: 'worker' }), node('b', { role: 'worker' }), node('c')];
    const onC = pod('c', 'h');
    const onA = pod('a', 'h');
    const plan = planManage({ ds, nodes, byNode: groupByNode([onA, onC]), hash: 'h', now: NOW });
    assert.deepEqual(plan.nodesNeedingPods, ['b']);
    assert.deepEqual(plan.podsToDelete.map((p) => p.metadata.name), [onC.metadata.name]);
  });

  test('a failed pod is deleted (and replaced next pass) unless the backoff holds it; extra pods beyond the oldest go', () => {
    const ds = dset();
    const failed = pod('a', 'h', { phase: 'Failed' });
    const older = pod('b', 'h');
    const newer = pod('b', 'h');
    const plan = planManage({ ds, nodes: [node('a'), node('b')], byNode: groupByNode([failed, older, newer]), hash: 'h', now: NOW });
    assert.deepEqual(plan.podsToDelete.map((p) => p.metadata.name).sort(), [failed.metadata.name, newer.metadata.name].sort());
    assert.deepEqual(plan.failed, [failed]);
    const held = planManage({ ds, nodes: [node('a')], byNode: groupByNode([failed]), hash: 'h', now: NOW, mayDeleteFailed: () => false });
    assert.deepEqual(held.podsToDelete, []);
    assert.deepEqual(held.backedOff, ['a']);
  });

  test('an unbound pod pinned to a node that is gone is deleted', () => {
    const p = pod('', 'h');
    delete p.spec!.nodeName;
    p.spec!.affinity = pinToNode(undefined, 'gone');
    const plan = planManage({ ds: dset(), nodes: [], byNode: groupByNode([p]), hash: 'h', now: NOW });
    assert.deepEqual(plan.podsToDelete, [p]);
  });
});

describe('rolling update', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n));

  test('DaemonSet-RollingUpdate: old pods are deleted only while unavailable nodes stay within maxUnavailable', () => {
    const ds = dset();
    const pods = ['a', 'b', 'c', 'd'].map((n) => pod(n, 'old'));
    assert.deepEqual(rollingLimits(ds, 4), { maxUnavailable: 1, maxSurge: 0 });
    let plan = planRollingUpdate(ds, nodes, groupByNode(pods), 'new', NOW);
    assert.deepEqual(plan.podsToDelete.map((p) => p.spec?.nodeName), ['a']);
    // a's new pod is not ready yet: nothing more may go.
    const byNode = groupByNode([pod('a', 'new', { ready: false }), ...pods.slice(1)]);
    plan = planRollingUpdate(ds, nodes, byNode, 'new', NOW);
    assert.deepEqual(plan.podsToDelete, []);
    // An old pod that is already unavailable is replaced regardless.
    const broken = pod('c', 'old', { ready: false });
    plan = planRollingUpdate(ds, nodes, groupByNode([pod('a', 'new', { ready: false }), pods[1]!, broken, pods[3]!]), 'new', NOW);
    assert.deepEqual(plan.podsToDelete, [broken]);
    // 50% of 4 is 2 at a time.
    ds.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } };
    plan = planRollingUpdate(ds, nodes, groupByNode(pods), 'new', NOW);
    assert.deepEqual(plan.podsToDelete.map((p) => p.spec?.nodeName), ['a', 'b']);
  });

  test('maxSurge starts new pods beside old ones, then deletes each old pod once its new one is available', () => {
    const ds = dset({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    const pods = ['a', 'b', 'c', 'd'].map((n) => pod(n, 'old'));
    let plan = planRollingUpdate(ds, nodes, groupByNode(pods), 'new', NOW);
    assert.deepEqual(plan, { podsToDelete: [], nodesNeedingPods: ['a'] });
    const newA = pod('a', 'new', { ready: false });
    plan = planRollingUpdate(ds, nodes, groupByNode([...pods, newA]), 'new', NOW);
    assert.deepEqual(plan, { podsToDelete: [], nodesNeedingPods: [] });
    const readyA = pod('a', 'new');
    plan = planRollingUpdate(ds, nodes, groupByNode([...pods, readyA]), 'new', NOW);
    assert.deepEqual(plan.podsToDelete, [pods[0]]);
    assert.deepEqual(plan.nodesNeedingPods, ['b']);
    // The manage loop keeps both while the new pod is not available.
    const m = planManage({ ds, nodes, byNode: groupByNode([...pods, newA]), hash: 'new', now: NOW });
    assert.deepEqual(m.podsToDelete, []);
  });
});

describe('status and revisions', () => {
  test('counts desired, scheduled, misscheduled, ready, available and updated nodes', () => {
    const ds = dset();
    ds.spec.template.spec!.nodeSelector = { role: 'worker' };
    const nodes = [node('a', { role: 'worker' }), node('b', { role: 'worker' }), node('c', { role: 'worker' }), node('x')];
    const s = computeStatus(ds, nodes, groupByNode([pod('a', 'new'), pod('b', 'old', { ready: false }), pod('x', 'new')]), 'new', NOW);
    assert.deepEqual(s, {
      desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1,
      updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 2,
    });
  });

  test('DaemonSet-Rollback: a revision matches exactly the template it snapshots', () => {
    const ds = dset();
    const rev: ControllerRevision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'agent-1' }, data: JSON.parse(JSON.stringify(daemonRevisionPatch(ds))), revision: 1 };
    assert.ok(revisionMatches(ds, rev));
    assert.equal((rev.data as { spec: { template: { $patch: string } } }).spec.template.$patch, 'replace');
    ds.spec.template.spec!.containers[0]!.env = [{ name: 'V', value: '2' }];
    assert.ok(!revisionMatches(ds, rev));
  });
});
