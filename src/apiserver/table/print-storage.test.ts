import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './print-storage.ts';
import { DAY, NOW, SEC, ago, obj } from './test-helpers.ts';

test('persistent volume row', () => {
  const pv = obj('pv-1', DAY, {
    spec: {
      capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'standard', volumeMode: 'Filesystem',
    },
    status: { phase: 'Bound' },
  });
  assert.deepEqual(persistentVolumePrinter.cells(pv, NOW), ['pv-1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'standard', '<unset>', '', '24h', 'Filesystem']);
  const deleting = obj('pv-2', DAY, { spec: {}, status: { phase: 'Released' } }, { deletionTimestamp: ago(SEC) });
  assert.deepEqual(persistentVolumePrinter.cells(deleting, NOW).slice(1, 6), ['0', '', '', 'Terminating', '']);
});

test('claims show capacity and access modes only once bound', () => {
  const pending = obj('data', DAY, { spec: { storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } });
  assert.deepEqual(persistentVolumeClaimPrinter.cells(pending, NOW), ['data', 'Pending', '', '', '', 'standard', '<unset>', '24h', '<unset>']);
  const bound = obj('data', DAY, {
    spec: { volumeName: 'pv-1', volumeMode: 'Block' }, status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOncePod'] },
  }, { annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } });
  assert.deepEqual(persistentVolumeClaimPrinter.cells(bound, NOW), ['data', 'Bound', 'pv-1', '10Gi', 'RWOP', 'legacy', '<unset>', '24h', 'Block']);
});

test('storage classes: defaults and the (default) suffix', () => {
  const sc = obj('standard', DAY, { provisioner: 'rancher.io/local-path' }, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } });
  assert.deepEqual(storageClassPrinter.cells(sc, NOW), ['standard (default)', 'rancher.io/local-path', 'Delete', 'Immediate', false, '24h']);
  const fast = obj('fast', DAY, { provisioner: 'csi.example.com', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true });
  assert.deepEqual(storageClassPrinter.cells(fast, NOW), ['fast', 'csi.example.com', 'Retain', 'WaitForFirstConsumer', true, '24h']);
});
