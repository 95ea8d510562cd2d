import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../../api/errors.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { Pod, Toleration } from '../../api/types/core-v1.ts';
import type { RuntimeClass } from '../../api/types/node-v1.ts';
import { mergeTolerations, runtimeClassAdmission, sameResources } from './runtime-class.ts';
import type { AdmissionAttributes } from './types.ts';

const podInfo = RESOURCES.find((r) => r.group === '' && r.resource === 'pods') as ResourceInfo;

const classes: RuntimeClass[] = [
  { metadata: { name: 'plain' }, handler: 'runc' },
  { metadata: { name: 'gvisor' }, handler: 'gvisor', overhead: { podFixed: { cpu: '10m', memory: '32Mi' } } },
  {
    metadata: { name: 'pinned' }, handler: 'crun',
    scheduling: { nodeSelector: { sandbox: 'yes' }, tolerations: [{ key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }] },
  },
];
const plugin = runtimeClassAdmission(async (name) => classes.find((c) => c.metadata.name === name));

function pod(spec: Partial<NonNullable<Pod['spec']>>, name = 'p'): Pod {
  return { metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

function attrs(object: Pod, operation: AdmissionAttributes['operation'] = 'CREATE', subresource = ''): AdmissionAttributes {
  return { info: podInfo, operation, namespace: 'default', name: object.metadata.name ?? '', subresource, object, user: { name: 'u', groups: [] }, dryRun: false, warn: () => {} };
}

async function admitPod(p: Pod): Promise<Pod> {
  await plugin.mutate?.(attrs(p));
  await plugin.validate?.(attrs(p));
  return p;
}

async function refusal(p: Pod): Promise<string> {
  try {
    await admitPod(p);
  } catch (err) {
    assert.ok(isStatusError(err));
    assert.equal(err.status.code, 403);
    return err.message;
  }
  assert.fail('admitted');
}

test('a pod naming a missing RuntimeClass is refused with upstream\'s message', async () => {
  assert.equal(await refusal(pod({ runtimeClassName: 'nope' })), 'pods "p" is forbidden: pod rejected: RuntimeClass "nope" not found');
  const generated: Pod = { metadata: { generateName: 'web-' }, spec: { runtimeClassName: 'nope', containers: [] } };
  assert.match(await refusal(generated), /^pods "web-" is forbidden/);
});

test('no class, or a class without overhead and scheduling: the pod is unchanged', async () => {
  const a = await admitPod(pod({}));
  assert.deepEqual(a.spec, pod({}).spec);
  const b = await admitPod(pod({ runtimeClassName: 'plain' }));
  assert.deepEqual(b.spec, pod({ runtimeClassName: 'plain' }).spec);
});

test('overhead.podFixed becomes spec.overhead; an equal client-set one passes, a different one is refused', async () => {
  const a = await admitPod(pod({ runtimeClassName: 'gvisor' }));
  assert.deepEqual(a.spec?.overhead, { cpu: '10m', memory: '32Mi' });
  const same = await admitPod(pod({ runtimeClassName: 'gvisor', overhead: { cpu: '0.01', memory: '32768Ki' } }));
  assert.deepEqual(same.spec?.overhead, { cpu: '10m', memory: '32Mi' });
  assert.equal(await refusal(pod({ runtimeClassName: 'gvisor', overhead: { cpu: '1' } })), 'pods "p" is forbidden: pod rejected: Pod\'s Overhead doesn\'t match RuntimeClass\'s defined Overhead');
  assert.equal(await refusal(pod({ runtimeClassName: 'plain', overhead: { cpu: '1' } })), 'pods "p" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
  assert.equal(await refusal(pod({ overhead: { cpu: '1' } })), 'pods "p" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
});

test('scheduling: node selector merged (conflict refused), tolerations added', async () => {
  const a = await admitPod(pod({ runtimeClassName: 'pinned', nodeSelector: { zone: 'a' }, tolerations: [{ key: 'x', operator: 'Exists' }] }));
  assert.deepEqual(a.spec?.nodeSelector, { zone: 'a', sandbox: 'yes' });
  assert.deepEqual(a.spec?.tolerations, [{ key: 'x', operator: 'Exists' }, { key: 'sandbox', operator: 'Exists', effect: 'NoSchedule' }]);
  const b = await admitPod(pod({ runtimeClassName: 'pinned', nodeSelector: { sandbox: 'yes' } }));
  assert.deepEqual(b.spec?.nodeSelector, { sandbox: 'yes' });
  assert.equal(await refusal(pod({ runtimeClassName: 'pinned', nodeSelector: { sandbox: 'no' } })),
    'pods "p" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[sandbox] = yes; pod.spec.nodeSelector[sandbox] = no');
});

test('only pod creation is admitted: updates, subresources and other resources pass', async () => {
  const p = pod({ runtimeClassName: 'nope' });
  await plugin.mutate?.(attrs(p, 'UPDATE'));
  await plugin.validate?.(attrs(p, 'UPDATE'));
  await plugin.mutate?.(attrs(p, 'CREATE', 'binding'));
  const cm = RESOURCES.find((r) => r.group === '' && r.resource === 'configmaps') as ResourceInfo;
  await plugin.mutate?.({ ...attrs(p), info: cm });
});

test('mergeTolerations keeps the broader of two and the first of equal ones', () => {
  const exists: Toleration = { key: 'k', operator: 'Exists' };
  const equal: Toleration = { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' };
  const all: Toleration = { operator: 'Exists' };
  assert.deepEqual(mergeTolerations([equal], [exists]), [exists]);
  assert.deepEqual(mergeTolerations([exists], [equal]), [exists]);
  assert.deepEqual(mergeTolerations([equal], [{ ...equal }]), [equal]);
  assert.deepEqual(mergeTolerations([equal, exists], [all]), [all]);
  const noExec30: Toleration = { key: 'n', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 };
  const noExec60: Toleration = { key: 'n', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 };
  assert.deepEqual(mergeTolerations([noExec30], [noExec60]), [noExec60]);
});

test('sameResources compares quantities by value', () => {
  assert.ok(sameResources({ memory: '1Gi' }, { memory: '1024Mi' }));
  assert.ok(!sameResources({ memory: '1Gi' }, { memory: '1G' }));
  assert.ok(!sameResources({ memory: '1Gi' }, { memory: '1Gi', cpu: '1' }));
  assert.ok(sameResources(undefined, {}));
});

test('a class the cache does not show yet is looked up again once the cache caught up', async () => {
  const asked: boolean[] = [];
  const late = runtimeClassAdmission(async (name, fresh) => {
    asked.push(fresh);
    return fresh && name === 'new' ? { metadata: { name: 'new' }, handler: 'runc' } : undefined;
  });
  const p = pod({ runtimeClassName: 'new' });
  await late.mutate?.(attrs(p));
  assert.deepEqual(asked, [false, true]);
});
