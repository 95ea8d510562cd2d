import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { lookupResource } from '../../api/scheme.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import type { LimitRange, LimitRangeItem } from '../../api/types/core-v1-policy.ts';
import { applyDefaults, LIMIT_RANGER_ANNOTATION, limitRanger, podViolations, pvcViolations } from './limit-ranger.ts';
import type { AdmissionAttributes } from './types.ts';

const range = (limits: LimitRangeItem[]): LimitRange => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } });

const pod = (resources?: Record<string, Record<string, string>>): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'web', image: 'busybox', ...(resources ? { resources } : {}) }], initContainers: [{ name: 'init', image: 'busybox' }] },
});

const attrs = (resource: string, object: KubeObject, operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes => ({
  info: lookupResource('', 'v1', resource)!, operation, namespace: 'ns', name: object.metadata.name ?? '', subresource: '',
  object, user: { name: 'u', groups: [] }, dryRun: false, warn: () => {},
});

test('LimitRange defaults fill what containers leave unset, and the pod is annotated as upstream', () => {
  const p = pod({ requests: { memory: '32Mi' } });
  applyDefaults(range([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }]), p);
  assert.deepEqual(p.spec!.containers[0]!.resources, { requests: { memory: '32Mi', cpu: '100m' }, limits: { cpu: '500m', memory: '256Mi' } });
  assert.deepEqual(p.spec!.initContainers![0]!.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  assert.equal(p.metadata.annotations![LIMIT_RANGER_ANNOTATION],
    'LimitRanger plugin set: cpu request for container web; cpu, memory limit for container web; cpu, memory request for init container init; cpu, memory limit for init container init');
});

test('min, max and ratio per Container and per Pod give upstream\'s messages', () => {
  const lr = range([
    { type: 'Container', max: { cpu: '1' }, min: { memory: '16Mi' }, maxLimitRequestRatio: { cpu: '2' } },
    { type: 'Pod', max: { memory: '1Gi' } },
  ]);
  const p = pod({ requests: { cpu: '500m', memory: '8Mi' }, limits: { cpu: '2', memory: '2Gi' } });
  p.spec!.initContainers = [];
  assert.deepEqual(podViolations(lr, p), [
    'minimum memory usage per Container is 16Mi, but request is 8Mi',
    'maximum cpu usage per Container is 1, but limit is 2',
    'cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000',
    'maximum memory usage per Pod is 1Gi, but limit is 2Gi',
  ]);
  assert.deepEqual(podViolations(range([{ type: 'Container', max: { cpu: '1' } }]), pod()).slice(0, 1), ['maximum cpu usage per Container is 1.  No limit is specified']);
});

test('claims are held to the PersistentVolumeClaim storage min and max', () => {
  const lr = range([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '2Gi' } }]);
  const claim = (size: string): KubeObject => ({ metadata: { name: 'c' }, spec: { resources: { requests: { storage: size } } } });
  assert.deepEqual(pvcViolations(lr, claim('5Gi')), ['maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi']);
  assert.deepEqual(pvcViolations(lr, claim('512Mi')), ['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 512Mi']);
  assert.deepEqual(pvcViolations(lr, claim('1Gi')), []);
});

test('the plugin defaults, then refuses an over-max pod with a 403; pod updates are left alone', async () => {
  const lr = range([{ type: 'Container', max: { cpu: '1' }, default: { cpu: '500m' }, defaultRequest: { cpu: '250m' } }]);
  const plugin = limitRanger(async () => [lr]);
  const ok = pod();
  ok.spec!.initContainers = [];
  await plugin.mutate!(attrs('pods', ok));
  await plugin.validate!(attrs('pods', ok));
  assert.deepEqual(ok.spec!.containers[0]!.resources, { limits: { cpu: '500m' }, requests: { cpu: '250m' } });
  const big = pod({ limits: { cpu: '2' } });
  big.spec!.initContainers = [];
  await plugin.mutate!(attrs('pods', big));
  await assert.rejects(async () => { await plugin.validate!(attrs('pods', big)); }, (err: StatusError) => {
    assert.equal(err.code, 403);
    assert.equal(err.message, 'pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
    return true;
  });
  await plugin.validate!({ ...attrs('pods', big, 'UPDATE'), oldObject: big });
});
