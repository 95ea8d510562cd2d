import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import { defaultStorageClass, defaultStorageClassName } from './default-storage-class.ts';
import type { AdmissionAttributes } from './types.ts';

const cls = (name: string, created: string, mark: '' | 'ga' | 'beta'): KubeObject => ({
  metadata: {
    name, creationTimestamp: created,
    ...(mark === 'ga' ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
    ...(mark === 'beta' ? { annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } } : {}),
  },
});

const info = RESOURCES.find((r) => r.group === '' && r.resource === 'persistentvolumeclaims') as ResourceInfo;

function attrs(object: PersistentVolumeClaim, operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes {
  return { info, operation, namespace: 'default', name: object.metadata.name ?? '', subresource: '', object, user: { name: 'u', groups: [] }, dryRun: false, warn: () => {} };
}

test('the newest default StorageClass is the default (either annotation), ties by name', () => {
  assert.equal(defaultStorageClassName([cls('a', '2025-01-01T00:00:00Z', '')]), undefined);
  assert.equal(defaultStorageClassName([cls('a', '2025-01-01T00:00:00Z', 'ga'), cls('b', '2025-01-02T00:00:00Z', 'beta'), cls('c', '2025-01-03T00:00:00Z', '')]), 'b');
  assert.equal(defaultStorageClassName([cls('z', '2025-01-01T00:00:00Z', 'ga'), cls('y', '2025-01-01T00:00:00Z', 'ga')]), 'y');
});

test('a claim created without a class gets the default; an explicit class, "" or the beta annotation is kept', async () => {
  const plugin = defaultStorageClass(async () => [cls('local-path', '2025-01-01T00:00:00Z', 'ga'), cls('other', '2025-01-01T00:00:00Z', '')]);
  const bare: PersistentVolumeClaim = { metadata: { name: 'a' }, spec: { accessModes: ['ReadWriteOnce'] } };
  await plugin.mutate?.(attrs(bare));
  assert.equal(bare.spec?.storageClassName, 'local-path');
  assert.deepEqual(bare.spec?.accessModes, ['ReadWriteOnce']);
  const named: PersistentVolumeClaim = { metadata: { name: 'b' }, spec: { storageClassName: 'other' } };
  await plugin.mutate?.(attrs(named));
  assert.equal(named.spec?.storageClassName, 'other');
  const none: PersistentVolumeClaim = { metadata: { name: 'c' }, spec: { storageClassName: '' } };
  await plugin.mutate?.(attrs(none));
  assert.equal(none.spec?.storageClassName, '');
  const beta: PersistentVolumeClaim = { metadata: { name: 'd', annotations: { 'volume.beta.kubernetes.io/storage-class': 'other' } }, spec: {} };
  await plugin.mutate?.(attrs(beta));
  assert.equal(beta.spec?.storageClassName, undefined);
  const updated: PersistentVolumeClaim = { metadata: { name: 'e' }, spec: {} };
  await plugin.mutate?.(attrs(updated, 'UPDATE'));
  assert.equal(updated.spec?.storageClassName, undefined);
});

test('no default class leaves the claim without one', async () => {
  const plugin = defaultStorageClass(async () => [cls('other', '2025-01-01T00:00:00Z', '')]);
  const bare: PersistentVolumeClaim = { metadata: { name: 'a' }, spec: {} };
  await plugin.mutate?.(attrs(bare));
  assert.equal(bare.spec?.storageClassName, undefined);
});
