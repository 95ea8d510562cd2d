// validatePersistentVolumeClaimUpdate (in updates.ts; a file of its own so the other kinds'
// update tests can grow beside it without touching this one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../meta.ts';
import { validatePersistentVolumeClaimUpdate } from './updates.ts';

const pvc = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], ...spec } });

test('an unbound claim without a class may be given one (RetroactiveDefaultStorageClass); a class once set stays', () => {
  assert.deepEqual(validatePersistentVolumeClaimUpdate(pvc({ storageClassName: 'local-path' }), pvc({})), []);
  assert.equal(validatePersistentVolumeClaimUpdate(pvc({ storageClassName: 'other' }), pvc({ storageClassName: 'local-path' })).length, 1);
  assert.equal(validatePersistentVolumeClaimUpdate(pvc({ storageClassName: 'x' }), pvc({ storageClassName: '' })).length, 1);
  assert.equal(validatePersistentVolumeClaimUpdate(pvc({ storageClassName: 'x', volumeName: 'pv' }), pvc({ volumeName: 'pv' })).length, 1);
});

test('binding sets volumeName once; requests may change', () => {
  assert.deepEqual(validatePersistentVolumeClaimUpdate(pvc({ volumeName: 'pv' }), pvc({})), []);
  assert.deepEqual(validatePersistentVolumeClaimUpdate(pvc({ resources: { requests: { storage: '2Gi' } } }), pvc({ resources: { requests: { storage: '1Gi' } } })), []);
  assert.equal(validatePersistentVolumeClaimUpdate(pvc({ accessModes: ['ReadWriteMany'] }), pvc({})).length, 1);
});
