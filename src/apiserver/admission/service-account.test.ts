import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupResource } from '../../api/scheme.ts';
import type { Pod, PodSpec } from '../../api/types/core-v1.ts';
import { serviceAccountAdmission } from './service-account.ts';
import type { AdmissionAttributes } from './types.ts';

const pod = (spec: Partial<PodSpec> = {}, annotations?: Record<string, string>): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const attrs = (operation: AdmissionAttributes['operation'], object: Pod, subresource = ''): AdmissionAttributes => ({
  info: lookupResource('', 'v1', 'pods')!, operation, namespace: 'default', name: 'p', subresource, object, user: { name: 'u', groups: [] }, dryRun: false, warn: () => {},
});

test('a pod created without a service account runs as default, in both fields', async () => {
  const p = pod();
  await serviceAccountAdmission().mutate!(attrs('CREATE', p));
  assert.equal(p.spec!.serviceAccountName, 'default');
  assert.equal(p.spec!.serviceAccount, 'default');
});

test('a chosen service account is kept; the deprecated field is read when the new one is empty', async () => {
  const named = pod({ serviceAccountName: 'robot' });
  await serviceAccountAdmission().mutate!(attrs('CREATE', named));
  assert.deepEqual([named.spec!.serviceAccountName, named.spec!.serviceAccount], ['robot', 'robot']);
  const old = pod({ serviceAccount: 'legacy' });
  await serviceAccountAdmission().mutate!(attrs('CREATE', old));
  assert.deepEqual([old.spec!.serviceAccountName, old.spec!.serviceAccount], ['legacy', 'legacy']);
});

test('updates, subresources and mirror pods are left alone', async () => {
  const updated = pod();
  await serviceAccountAdmission().mutate!(attrs('UPDATE', updated));
  const binding = pod();
  await serviceAccountAdmission().mutate!(attrs('CREATE', binding, 'binding'));
  const mirror = pod({}, { 'kubernetes.io/config.mirror': 'abc' });
  await serviceAccountAdmission().mutate!(attrs('CREATE', mirror));
  for (const p of [updated, binding, mirror]) assert.equal(p.spec!.serviceAccountName, undefined);
});
