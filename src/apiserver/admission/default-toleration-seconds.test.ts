import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupResource } from '../../api/scheme.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import { defaultTolerationSeconds, withDefaultTolerations } from './default-toleration-seconds.ts';
import type { AdmissionAttributes } from './types.ts';

const DEFAULTS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

test('a pod without tolerations for not-ready/unreachable gets both for 300 s', () => {
  assert.deepEqual(withDefaultTolerations(undefined), DEFAULTS);
  const own = { key: 'dedicated', operator: 'Equal' as const, value: 'gpu', effect: 'NoSchedule' as const };
  assert.deepEqual(withDefaultTolerations([own]), [own, ...DEFAULTS]);
});

test('a pod that already speaks for a key keeps its own toleration (an empty key or effect counts)', () => {
  const mine = { key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 5 };
  assert.deepEqual(withDefaultTolerations([mine]), [mine, DEFAULTS[0]]);
  assert.equal(withDefaultTolerations([{ operator: 'Exists' }]), undefined);
  assert.equal(withDefaultTolerations([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists' }]), undefined);
  // A NoSchedule toleration does not cover NoExecute.
  assert.equal(withDefaultTolerations([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }])?.length, 3);
});

test('the plugin mutates pod creations only', async () => {
  const plugin = defaultTolerationSeconds();
  const pod = (): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const attrs = (operation: AdmissionAttributes['operation'], object: Pod, resource = 'pods', subresource = ''): AdmissionAttributes => ({
    info: lookupResource('', 'v1', resource)!, operation, namespace: 'default', name: 'p', subresource, object, user: { name: 'u', groups: [] }, dryRun: false, warn: () => {},
  });
  const created = pod();
  await plugin.mutate!(attrs('CREATE', created));
  assert.deepEqual(created.spec!.tolerations, DEFAULTS);
  const updated = pod();
  await plugin.mutate!(attrs('UPDATE', updated));
  assert.equal(updated.spec!.tolerations, undefined);
  const binding = pod();
  await plugin.mutate!(attrs('CREATE', binding, 'pods', 'binding'));
  assert.equal(binding.spec!.tolerations, undefined);
});
