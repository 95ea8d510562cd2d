import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import { checkVolumeSatisfiesClaim, claimClass, findBestMatch, isVolumeBoundToClaim } from './pv-matching.ts';

function pv(name: string, size: string, opts: { cls?: string; modes?: string[]; labels?: Record<string, string>; phase?: string; claimRef?: ObjectReference; mode?: string } = {}): PersistentVolume {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, uid: `uid-${name}`, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      capacity: { storage: size }, hostPath: { path: `/tmp/${name}` }, accessModes: opts.modes ?? ['ReadWriteOnce'],
      ...(opts.cls !== undefined ? { storageClassName: opts.cls } : {}),
      ...(opts.claimRef ? { claimRef: opts.claimRef } : {}),
      ...(opts.mode ? { volumeMode: opts.mode } : {}),
    },
    status: { phase: opts.phase ?? 'Available' },
  };
}

function pvc(name: string, size: string, opts: { cls?: string; modes?: string[]; selector?: NonNullable<PersistentVolumeClaim['spec']>['selector']; volumeName?: string } = {}): PersistentVolumeClaim {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'ns', uid: `uid-${name}` },
    spec: {
      accessModes: opts.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: size } },
      ...(opts.cls !== undefined ? { storageClassName: opts.cls } : {}),
      ...(opts.selector ? { selector: opts.selector } : {}),
      ...(opts.volumeName ? { volumeName: opts.volumeName } : {}),
    },
  };
}

const names = (v: PersistentVolume | undefined): string | undefined => v?.metadata.name;

describe('findBestMatch', () => {
  test('the smallest Available volume whose capacity fits wins, whatever the order', () => {
    const vols = [pv('big', '10Gi'), pv('tiny', '500Mi'), pv('fits', '2Gi'), pv('mid', '5Gi')];
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi'))), 'fits');
    assert.equal(names(findBestMatch([...vols].reverse(), pvc('c', '1Gi'))), 'fits');
    assert.equal(names(findBestMatch(vols, pvc('c', '2Gi'))), 'fits', 'equal capacity fits');
    assert.equal(names(findBestMatch(vols, pvc('c', '2049Mi'))), 'mid');
    assert.equal(findBestMatch(vols, pvc('c', '11Gi')), undefined);
  });

  test('classes: "" matches "" or unset; a named class only itself', () => {
    const vols = [pv('fast', '1Gi', { cls: 'fast' }), pv('none', '5Gi'), pv('empty', '3Gi', { cls: '' })];
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi'))), 'empty');
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi', { cls: '' }))), 'empty');
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi', { cls: 'fast' }))), 'fast');
    assert.equal(findBestMatch(vols, pvc('c', '1Gi', { cls: 'slow' })), undefined);
    const annotated = pvc('c', '1Gi');
    annotated.metadata.annotations = { 'volume.beta.kubernetes.io/storage-class': 'fast' };
    assert.equal(claimClass(annotated), 'fast');
    assert.equal(names(findBestMatch(vols, annotated)), 'fast');
  });

  test('every requested access mode must be offered; volumes with fewer modes are tried first', () => {
    const vols = [pv('rwo', '1Gi'), pv('rwx-big', '10Gi', { modes: ['ReadWriteMany', 'ReadWriteOnce'] }), pv('all-small', '2Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'] })];
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi', { modes: ['ReadWriteMany'] }))), 'rwx-big');
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi', { modes: ['ReadOnlyMany', 'ReadWriteMany'] }))), 'all-small');
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi'))), 'rwo');
    assert.equal(findBestMatch(vols, pvc('c', '1Gi', { modes: ['ReadWriteOncePod'] })), undefined);
  });

  test('the claim selector filters volumes by label', () => {
    const vols = [pv('small', '1Gi', { labels: { tier: 'cold' } }), pv('large', '8Gi', { labels: { tier: 'hot' } })];
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi', { selector: { matchLabels: { tier: 'hot' } } }))), 'large');
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi', { selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['hot'] }] } }))), 'small');
    assert.equal(findBestMatch(vols, pvc('c', '1Gi', { selector: { matchLabels: { tier: 'warm' } } })), undefined);
  });

  test('only Available volumes, none being deleted, none claimed by another claim', () => {
    const deleting = pv('deleting', '1Gi');
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const vols = [pv('released', '1Gi', { phase: 'Released', claimRef: { namespace: 'ns', name: 'old', uid: 'uid-old' } }), pv('pending', '1Gi', { phase: 'Pending' }), deleting,
      pv('other', '1Gi', { claimRef: { namespace: 'ns', name: 'someone', uid: '' } }), pv('ok', '9Gi')];
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi'))), 'ok');
  });

  test('a volume pre-bound to the claim (claimRef by name) wins even over a smaller free one, and is bound only to it', () => {
    const reserved = pv('reserved', '5Gi', { claimRef: { namespace: 'ns', name: 'mine' } });
    const vols = [pv('small', '1Gi'), reserved];
    assert.equal(names(findBestMatch(vols, pvc('mine', '1Gi'))), 'reserved');
    assert.equal(names(findBestMatch(vols, pvc('theirs', '1Gi'))), 'small');
    assert.equal(findBestMatch([reserved], pvc('theirs', '1Gi')), undefined);
    assert.equal(isVolumeBoundToClaim(reserved, pvc('mine', '1Gi')), true);
    const stale = pv('stale', '5Gi', { claimRef: { namespace: 'ns', name: 'mine', uid: 'uid-before' } });
    assert.equal(isVolumeBoundToClaim(stale, pvc('mine', '1Gi')), false, 'a claim of the same name but another uid is not it');
  });

  test('volume mode must match (Filesystem by default)', () => {
    const vols = [pv('block', '1Gi', { mode: 'Block' }), pv('fs', '4Gi')];
    assert.equal(names(findBestMatch(vols, pvc('c', '1Gi'))), 'fs');
  });
});

describe('checkVolumeSatisfiesClaim (claim.spec.volumeName set)', () => {
  test('says why a requested volume does not fit, or nothing when it does', () => {
    assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi'), pvc('c', '1Gi')), undefined);
    assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi'), pvc('c', '2Gi')), 'requested PV is too small');
    assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi', { cls: 'fast' }), pvc('c', '1Gi')), 'storageClassName does not match');
    assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi'), pvc('c', '1Gi', { modes: ['ReadWriteMany'] })), 'incompatible accessMode');
    assert.equal(checkVolumeSatisfiesClaim(pv('v', '1Gi', { mode: 'Block' }), pvc('c', '1Gi')), 'incompatible volumeMode');
    const deleting = pv('v', '1Gi');
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    assert.equal(checkVolumeSatisfiesClaim(deleting, pvc('c', '1Gi')), 'the volume is marked for deletion "v"');
  });
});
