import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ControllerRevision, StatefulSet } from '../../api/types/apps-v1.ts';
import type { PersistentVolumeClaim, Pod } from '../../api/types/core-v1.ts';
import { updateStatefulSet, type StatefulPodOps } from './stateful-set-control.ts';
import {
  applyRevision, claimWithPolicyRefs, isClaimOwnerUpToDate, newRevision, newStatefulSetPod, newVersionedStatefulSetPod, POD_INDEX_LABEL,
  POD_NAME_LABEL, REVISION_LABEL,
} from './stateful-set-utils.ts';

const NOW = Date.parse('2024-06-01T00:00:00Z');

function sts(o: Partial<StatefulSet['spec']> = {}, status: StatefulSet['status'] = { replicas: 0 }): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 1 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      serviceName: 'web',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      ...o,
    },
    status,
  };
}

const revA = (set: StatefulSet): ControllerRevision => ({ ...newRevision(set, 1, 0), metadata: { ...newRevision(set, 1, 0).metadata, name: 'web-a' } });

/** A pod as the API would show it: created from the set at `revision`, in `phase`, Ready or not. */
function pod(set: StatefulSet, ordinal: number, o: { phase?: string; ready?: boolean; revision?: string; deleting?: boolean } = {}): Pod {
  const p = newStatefulSetPod(set, ordinal);
  p.metadata.uid = `pod-${ordinal}`;
  p.metadata.labels = { ...p.metadata.labels, [REVISION_LABEL]: o.revision ?? 'web-a' };
  if (o.deleting) p.metadata.deletionTimestamp = '2024-06-01T00:00:00Z';
  p.status = {
    phase: (o.phase ?? 'Running') as 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2024-05-01T00:00:00Z' }],
  };
  return p;
}

class FakeOps implements StatefulPodOps {
  readonly actions: string[] = [];
  readonly created: Pod[] = [];
  claims = new Map<string, PersistentVolumeClaim>();
  async createPod(_set: StatefulSet, p: Pod): Promise<void> {
    this.actions.push(`create ${p.metadata.name}`);
    this.created.push(p);
  }
  async updatePod(_set: StatefulSet, p: Pod): Promise<void> {
    this.actions.push(`update ${p.metadata.name}`);
  }
  async deletePod(_set: StatefulSet, p: Pod): Promise<void> {
    this.actions.push(`delete ${p.metadata.name}`);
  }
  podClaimIsStale(): boolean {
    return false;
  }
  async createMissingClaims(): Promise<void> {}
  claimsMatchRetentionPolicy(): boolean {
    return true;
  }
  async updateClaimsForRetentionPolicy(_set: StatefulSet, p: Pod): Promise<void> {
    this.actions.push(`claims ${p.metadata.name}`);
  }
}

async function pass(set: StatefulSet, pods: Pod[], o: { current?: ControllerRevision; update?: ControllerRevision } = {}): Promise<{ ops: FakeOps; status: StatefulSet['status'] }> {
  const ops = new FakeOps();
  const current = o.current ?? revA(set);
  const r = await updateStatefulSet({ set, currentRevision: current, updateRevision: o.update ?? current, collisionCount: 0, pods, ops, now: NOW });
  assert.equal(r.error, undefined);
  return { ops, status: r.status };
}

describe('StatefulSet control loop', () => {
  test('[sig-apps] StatefulSet, Scaling: OrderedReady creates web-0 alone, and web-1 only once web-0 is Running and Ready', async () => {
    const set = sts();
    let r = await pass(set, []);
    assert.deepEqual(r.ops.actions, ['create web-0']);
    const p0 = r.ops.created[0]!;
    assert.equal(p0.metadata.labels?.[POD_NAME_LABEL], 'web-0');
    assert.equal(p0.metadata.labels?.[POD_INDEX_LABEL], '0');
    assert.equal(p0.metadata.labels?.[REVISION_LABEL], 'web-a');
    assert.equal(p0.spec?.hostname, 'web-0');
    assert.equal(p0.spec?.subdomain, 'web');
    assert.deepEqual(p0.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }]);
    assert.equal(p0.metadata.ownerReferences?.[0]?.uid, 'set-uid');

    r = await pass(set, [pod(set, 0, { phase: 'Pending', ready: false })]);
    assert.deepEqual(r.ops.actions, [], 'waits for web-0');
    r = await pass(set, [pod(set, 0, { ready: false })]);
    assert.deepEqual(r.ops.actions, [], 'Running is not enough');
    r = await pass(set, [pod(set, 0)]);
    assert.deepEqual(r.ops.actions, ['create web-1']);
    assert.equal(r.status?.replicas, 1);
    assert.equal(r.status?.readyReplicas, 1);
  });

  test('spec.ordinals.start numbers the pods from there', async () => {
    const set = sts({ ordinals: { start: 5 }, podManagementPolicy: 'Parallel' });
    const r = await pass(set, []);
    assert.deepEqual(r.ops.actions, ['create web-5', 'create web-6', 'create web-7']);
    assert.deepEqual(r.ops.created.map((p) => p.metadata.labels?.[POD_INDEX_LABEL]), ['5', '6', '7']);
  });

  test('[sig-apps] StatefulSet, Burst Scaling: Parallel creates every missing pod even with an unhealthy one', async () => {
    const set = sts({ podManagementPolicy: 'Parallel' });
    const r = await pass(set, [pod(set, 1, { ready: false })]);
    assert.deepEqual(r.ops.actions.sort(), ['create web-0', 'create web-2']);
  });

  test('scale down removes the highest ordinal first, one at a time, waiting for it to terminate', async () => {
    const set = sts({ replicas: 1 });
    let r = await pass(set, [pod(set, 0), pod(set, 1), pod(set, 2)]);
    assert.deepEqual(r.ops.actions, ['delete web-2']);
    r = await pass(set, [pod(set, 0), pod(set, 1), pod(set, 2, { deleting: true })]);
    assert.deepEqual(r.ops.actions, [], 'web-1 waits for web-2 to be gone');
    r = await pass(set, [pod(set, 0), pod(set, 1)]);
    assert.deepEqual(r.ops.actions, ['delete web-1']);
    // Unhealthy pods halt OrderedReady scale-down unless the unhealthy one is the one to go.
    r = await pass(set, [pod(set, 0, { ready: false }), pod(set, 1)]);
    assert.deepEqual(r.ops.actions, []);
  });

  test('[sig-apps] StatefulSet, Recreate Failed Pod: a failed pod is deleted so it can come back', async () => {
    const set = sts({ replicas: 1 });
    const r = await pass(set, [pod(set, 0, { phase: 'Failed', ready: false })]);
    assert.deepEqual(r.ops.actions, ['delete web-0']);
  });

  test('[sig-apps] StatefulSet, Rolling Update with Partition: only ordinals at or above the partition are replaced, highest first', async () => {
    const old = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const current = revA(old);
    const set = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } }, { replicas: 3, currentRevision: 'web-a' });
    const update = { ...newRevision(set, 2, 0), metadata: { ...newRevision(set, 2, 0).metadata, name: 'web-b' } };
    let r = await pass(set, [pod(old, 0), pod(old, 1), pod(old, 2)], { current, update });
    assert.deepEqual(r.ops.actions, ['delete web-2']);
    assert.equal(r.status?.currentRevision, 'web-a');
    assert.equal(r.status?.updateRevision, 'web-b');
    // The replacement is made from the update revision; pods below the partition from the current one.
    r = await pass(set, [pod(old, 0), pod(old, 1)], { current, update });
    assert.deepEqual(r.ops.actions, ['create web-2']);
    assert.equal(r.ops.created[0]!.metadata.labels?.[REVISION_LABEL], 'web-b');
    assert.equal(r.ops.created[0]!.spec?.containers[0]?.image, 'nginx');
    r = await pass(set, [pod(old, 0), pod(old, 1), pod(set, 2, { revision: 'web-b' })], { current, update });
    assert.deepEqual(r.ops.actions, [], 'web-0 and web-1 stay below the partition');
    assert.equal(r.status?.updatedReplicas, 1);
    assert.equal(r.status?.currentReplicas, 2);
    const p1 = newVersionedStatefulSetPod(applyRevision(set, current), applyRevision(set, update), 'web-a', 'web-b', 1);
    assert.equal(p1.metadata.labels?.[REVISION_LABEL], 'web-a');
    assert.equal(p1.spec?.containers[0]?.image, 'busybox');
  });

  test('[sig-apps] StatefulSet, Rolling Update: one pod at a time, waiting for the replaced one; maxUnavailable lets more go; OnDelete none', async () => {
    const old = sts();
    const current = revA(old);
    const update: ControllerRevision = { ...current, metadata: { ...current.metadata, name: 'web-b' } };
    let r = await pass(old, [pod(old, 0), pod(old, 1), pod(old, 2, { revision: 'web-b', ready: false })], { current, update });
    assert.deepEqual(r.ops.actions, [], 'waits while web-2 is unavailable');
    r = await pass(old, [pod(old, 0), pod(old, 1), pod(old, 2, { revision: 'web-b' })], { current, update });
    assert.deepEqual(r.ops.actions, ['delete web-1']);
    const wide = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } });
    r = await pass(wide, [pod(wide, 0), pod(wide, 1), pod(wide, 2)], { current, update });
    assert.deepEqual(r.ops.actions, ['delete web-2', 'delete web-1']);
    const onDelete = sts({ updateStrategy: { type: 'OnDelete' } });
    r = await pass(onDelete, [pod(onDelete, 0), pod(onDelete, 1), pod(onDelete, 2)], { current, update });
    assert.deepEqual(r.ops.actions, []);
  });

  test('a deleted set only reports status', async () => {
    const set = sts();
    set.metadata.deletionTimestamp = '2024-06-01T00:00:00Z';
    const r = await pass(set, [pod(set, 0)]);
    assert.deepEqual(r.ops.actions, []);
    assert.equal(r.status?.replicas, 1);
  });
});

describe('claim owners for persistentVolumeClaimRetentionPolicy', () => {
  const claim = (refs: PersistentVolumeClaim['metadata']['ownerReferences'] = []): PersistentVolumeClaim => ({ metadata: { name: 'data-web-2', namespace: 'ns', ownerReferences: refs } });
  const refNames = (c: PersistentVolumeClaim): string[] => (c.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`);

  test('Retain/Retain: no owners', () => {
    const set = sts();
    const p = pod(set, 2);
    assert.ok(isClaimOwnerUpToDate(claim(), set, p));
  });

  test('whenDeleted Delete: owned by the set', () => {
    const set = sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    const p = pod(set, 2);
    assert.ok(!isClaimOwnerUpToDate(claim(), set, p));
    const fixed = claimWithPolicyRefs(claim(), set, p);
    assert.deepEqual(refNames(fixed), ['StatefulSet/web']);
    assert.ok(isClaimOwnerUpToDate(fixed, set, p));
  });

  test('whenScaled Delete: owned by the pod once it is condemned, by the set before (Delete/Delete)', () => {
    const set = sts({ replicas: 2, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
    const inRange = pod(set, 1);
    assert.deepEqual(refNames(claimWithPolicyRefs(claim(), set, inRange)), ['StatefulSet/web']);
    const condemned = pod(set, 2);
    const fixed = claimWithPolicyRefs(claimWithPolicyRefs(claim(), sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }), condemned), set, condemned);
    assert.deepEqual(refNames(fixed), ['Pod/web-2']);
    assert.ok(isClaimOwnerUpToDate(fixed, set, condemned));
  });

  test('another controller of the claim is left alone', () => {
    const set = sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    const other = claim([{ apiVersion: 'v1', kind: 'Foo', name: 'x', uid: 'x', controller: true }]);
    assert.ok(isClaimOwnerUpToDate(other, set, pod(set, 2)));
  });
});
