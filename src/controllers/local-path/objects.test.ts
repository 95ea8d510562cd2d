import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import { buildHelperPod, buildVolume, defaultStorageClass, isProvisionedPath, volumeHostname, volumePath } from './objects.ts';

const claim: PersistentVolumeClaim = {
  metadata: { name: 'data', namespace: 'web', uid: 'abc-123', resourceVersion: '7' },
  spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '128Mi' } } },
};

describe('local-path objects', () => {
  it('the default class is k3s\'s: default, WaitForFirstConsumer, Delete', () => {
    const sc = defaultStorageClass();
    assert.equal(sc.metadata.name, 'local-path');
    assert.equal(sc.provisioner, 'rancher.io/local-path');
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
  });

  it('a volume is a hostPath directory named as k3s names it, pinned to the node, sized as requested, pre-bound to the claim', () => {
    const path = volumePath('/data/storage', claim);
    assert.equal(path, '/data/storage/pvc-abc-123_web_data');
    const pv = buildVolume(claim, defaultStorageClass(), { name: 'n1', hostname: 'n1' }, path);
    assert.equal(pv.metadata.name, 'pvc-abc-123');
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.deepEqual(pv.spec?.capacity, { storage: '128Mi' });
    assert.deepEqual(pv.spec?.hostPath, { path, type: 'DirectoryOrCreate' });
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec?.storageClassName, 'local-path');
    assert.deepEqual(pv.spec?.claimRef, { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'web', name: 'data', uid: 'abc-123', resourceVersion: '7' });
    assert.equal(volumeHostname(pv), 'n1');
  });

  it('only directories it made under the storage path are ever removed', () => {
    assert.equal(isProvisionedPath('/data/storage', '/data/storage/pvc-abc_web_data'), true);
    assert.equal(isProvisionedPath('/data/storage/', '/data/storage/pvc-abc_web_data'), true);
    assert.equal(isProvisionedPath('/data/storage', '/data/storage'), false);
    assert.equal(isProvisionedPath('/data/storage', '/data/other/pvc-abc'), false);
    assert.equal(isProvisionedPath('/data/storage', '/data/storage/pvc-abc/../../etc'), false);
    assert.equal(isProvisionedPath('/data/storage', '/data/storage/etc'), false);
    assert.equal(isProvisionedPath('/data/storage', '/data/storagex/pvc-abc'), false);
  });

  it('helper pods run on the node, mount only the storage path and make the directory world-writable', () => {
    const p = buildHelperPod('create', 'pvc-abc', 'n1', '/data/storage', '/data/storage/pvc-abc_web_data', 1024, 'web/data');
    assert.equal(p.metadata.name, 'helper-pod-create-pvc-abc');
    assert.equal(p.metadata.namespace, 'kube-system');
    assert.equal(p.spec?.nodeName, 'n1');
    assert.equal(p.spec?.restartPolicy, 'Never');
    assert.deepEqual(p.spec?.volumes, [{ name: 'data', hostPath: { path: '/data/storage', type: 'DirectoryOrCreate' } }]);
    assert.match(p.spec?.containers[0]?.command?.[2] ?? '', /mkdir -m 0777 -p "\$VOL_DIR"/);
    assert.deepEqual(p.spec?.containers[0]?.env?.[0], { name: 'VOL_DIR', value: '/data/storage/pvc-abc_web_data' });
    const d = buildHelperPod('delete', 'pvc-abc', 'n1', '/data/storage', '/data/storage/pvc-abc_web_data', 0);
    assert.match(d.spec?.containers[0]?.command?.[2] ?? '', /rm -rf "\$VOL_DIR"/);
  });
});
