import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import type { StorageClass } from '../../api/types/storage-v1.ts';
import type { VolumeLister } from '../framework/types.ts';
import { cluster, node, pod } from '../testing/fixtures.ts';
import {
  ERR_REASON_BIND_CONFLICT, ERR_REASON_NODE_CONFLICT, ERR_REASON_PV_NOT_EXIST, ERR_UNBOUND_IMMEDIATE, podVolumeDecisions, volumeBinding,
} from './volume-binding.ts';
import { runFilter } from '../testing/fixtures.ts';

const wffc: StorageClass = { metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' };
const staticWffc: StorageClass = { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };
const immediate: StorageClass = { metadata: { name: 'fast' }, provisioner: 'example.com/fast' };

function claim(name: string, cls: string, extra: { volumeName?: string; selectedNode?: string } = {}): PersistentVolumeClaim {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(extra.selectedNode ? { annotations: { 'volume.kubernetes.io/selected-node': extra.selectedNode } } : {}) },
    spec: { storageClassName: cls, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(extra.volumeName ? { volumeName: extra.volumeName } : {}) },
  };
}

function localPV(name: string, cls: string, onNode: string, claimRef?: PersistentVolumeClaim): PersistentVolume {
  return {
    metadata: { name },
    spec: {
      storageClassName: cls, capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], local: { path: `/mnt/${name}` },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [onNode] }] }] } },
      ...(claimRef ? { claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: claimRef.metadata.name ?? '', uid: claimRef.metadata.uid ?? '' } } : {}),
    },
    status: { phase: claimRef ? 'Bound' : 'Available' },
  };
}

function lister(claims: PersistentVolumeClaim[], volumes: PersistentVolume[], classes: StorageClass[] = [wffc, staticWffc, immediate], assumed: string[] = []): VolumeLister {
  return {
    claim: (ns, n) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === n),
    volume: (n) => volumes.find((v) => v.metadata.name === n),
    volumes: () => volumes,
    storageClass: (n) => classes.find((c) => c.metadata.name === n),
    assumedVolumes: new Set(assumed),
  };
}

const mounting = (...claims: string[]) => pod('p', { volumes: claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: c } })) });

describe('VolumeBinding', () => {
  it('a pod without claims is not looked at', () => {
    const c = cluster([node('a')]);
    c.volumes = lister([], []);
    assert.deepEqual(runFilter(volumeBinding, pod('p'), c), { a: '' });
  });

  it('a missing claim, a claim being deleted and an unbound Immediate claim reject every node', () => {
    const c = cluster([node('a'), node('b')]);
    c.volumes = lister([claim('fast', 'fast'), { ...claim('gone', 'local-path'), metadata: { ...claim('gone', 'local-path').metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } }], []);
    assert.deepEqual(runFilter(volumeBinding, mounting('nope'), c), { a: 'persistentvolumeclaim "nope" not found', b: 'persistentvolumeclaim "nope" not found' });
    assert.deepEqual(runFilter(volumeBinding, mounting('gone'), c), { a: 'persistentvolumeclaim "gone" is being deleted', b: 'persistentvolumeclaim "gone" is being deleted' });
    assert.deepEqual(runFilter(volumeBinding, mounting('fast'), c), { a: ERR_UNBOUND_IMMEDIATE, b: ERR_UNBOUND_IMMEDIATE });
  });

  it('a bound claim holds the pod to its volume\'s node; a missing volume rejects all', () => {
    const bound = claim('data', 'local', { volumeName: 'pv-b' });
    const c = cluster([node('a'), node('b')]);
    c.volumes = lister([bound], [localPV('pv-b', 'local', 'b', bound)]);
    assert.deepEqual(runFilter(volumeBinding, mounting('data'), c), { a: ERR_REASON_NODE_CONFLICT, b: '' });
    c.volumes = lister([bound], []);
    assert.deepEqual(runFilter(volumeBinding, mounting('data'), c), { a: ERR_REASON_PV_NOT_EXIST, b: ERR_REASON_PV_NOT_EXIST });
  });

  it('a WaitForFirstConsumer claim of a provisioning class fits any node and is provisioned where the pod goes', () => {
    const data = claim('data', 'local-path');
    const c = cluster([node('a'), node('b')]);
    c.volumes = lister([data], []);
    assert.deepEqual(runFilter(volumeBinding, mounting('data'), c), { a: '', b: '' });
    const d = podVolumeDecisions(mounting('data'), node('b'), c.volumes);
    assert.deepEqual(d.bindings, []);
    assert.deepEqual(d.provisions.map((x) => x.metadata.name), ['data']);
  });

  it('once a node is selected for provisioning only that node fits', () => {
    const c = cluster([node('a'), node('b')]);
    c.volumes = lister([claim('data', 'local-path', { selectedNode: 'a' })], []);
    assert.deepEqual(runFilter(volumeBinding, mounting('data'), c), { a: '', b: ERR_REASON_BIND_CONFLICT });
  });

  it('a WaitForFirstConsumer claim of static local volumes goes where a free volume is, not to one another pod holds', () => {
    const data = claim('data', 'local');
    const c = cluster([node('a'), node('b')]);
    c.volumes = lister([data], [localPV('pv-a', 'local', 'a')]);
    assert.deepEqual(runFilter(volumeBinding, mounting('data'), c), { a: '', b: ERR_REASON_BIND_CONFLICT });
    const d = podVolumeDecisions(mounting('data'), node('a'), c.volumes);
    assert.deepEqual(d.bindings.map((b) => b.volume.metadata.name), ['pv-a']);
    c.volumes = lister([data], [localPV('pv-a', 'local', 'a')], undefined, ['pv-a']);
    assert.deepEqual(runFilter(volumeBinding, mounting('data'), c), { a: ERR_REASON_BIND_CONFLICT, b: ERR_REASON_BIND_CONFLICT });
  });

  it('two claims of one pod never take the same volume', () => {
    const c = cluster([node('a')]);
    c.volumes = lister([claim('one', 'local'), claim('two', 'local')], [localPV('pv-a', 'local', 'a')]);
    assert.deepEqual(runFilter(volumeBinding, mounting('one', 'two'), c), { a: ERR_REASON_BIND_CONFLICT });
  });
});
