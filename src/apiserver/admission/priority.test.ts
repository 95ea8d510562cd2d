import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { lookupResource } from '../../api/scheme.ts';
import { SYSTEM_PRIORITY_CLASSES } from '../../api/types/scheduling-v1.ts';
import { validatePriorityClass, validatePriorityClassUpdate } from '../../api/validation/scheduling.ts';
import { defaultPriorityClass, priorityAdmission } from './priority.ts';
import type { AdmissionAttributes } from './types.ts';

const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra,
});

const pod = (name: string, spec: Record<string, unknown> = {}, generateName?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...(generateName ? { generateName } : {}) }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});

function attrs(resource: [string, string, string], operation: AdmissionAttributes['operation'], object: KubeObject | undefined, oldObject?: KubeObject, name?: string): AdmissionAttributes {
  const info = lookupResource(...resource);
  assert.ok(info);
  return {
    info, operation, namespace: info.namespaced ? 'default' : '', name: name ?? object?.metadata.name ?? '', subresource: '',
    ...(object ? { object } : {}), ...(oldObject ? { oldObject } : {}), user: { name: 'u', groups: [] }, dryRun: false, warn: () => {},
  };
}

const PODS: [string, string, string] = ['', 'v1', 'pods'];
const PCS: [string, string, string] = ['scheduling.k8s.io', 'v1', 'priorityclasses'];

async function refusal(p: void | Promise<void>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(isStatusError(err));
    assert.equal(err.code, 403);
    return err.message;
  }
  assert.fail('expected a refusal');
}

test('a pod gets its class\'s priority and preemption policy; no class and no default: 0 and PreemptLowerPriority', async () => {
  const classes = [...SYSTEM_PRIORITY_CLASSES, pc('high', 1000, { preemptionPolicy: 'Never' })];
  const plugin = priorityAdmission(() => Promise.resolve(classes));
  const p = pod('a', { priorityClassName: 'high' });
  await plugin.mutate!(attrs(PODS, 'CREATE', p));
  assert.deepEqual([(p.spec as any).priority, (p.spec as any).preemptionPolicy], [1000, 'Never']);
  const crit = pod('b', { priorityClassName: 'system-node-critical' });
  await plugin.mutate!(attrs(PODS, 'CREATE', crit));
  assert.equal((crit.spec as any).priority, 2000001000);
  const plain = pod('c');
  await plugin.mutate!(attrs(PODS, 'CREATE', plain));
  assert.deepEqual([(plain.spec as any).priority, (plain.spec as any).preemptionPolicy, (plain.spec as any).priorityClassName], [0, 'PreemptLowerPriority', undefined]);
});

test('the global default class is given to pods without a class; with several, the lowest value', async () => {
  const classes = [pc('d1', 50, { globalDefault: true }), pc('d2', 10, { globalDefault: true, preemptionPolicy: 'Never' }), pc('other', 5)];
  assert.equal(defaultPriorityClass(classes as never)?.metadata.name, 'd2');
  const plugin = priorityAdmission(() => Promise.resolve(classes));
  const p = pod('a');
  await plugin.mutate!(attrs(PODS, 'CREATE', p));
  assert.deepEqual([(p.spec as any).priorityClassName, (p.spec as any).priority, (p.spec as any).preemptionPolicy], ['d2', 10, 'Never']);
});

test('unknown classes and disagreeing client-set values are refused with upstream\'s messages', async () => {
  const plugin = priorityAdmission(() => Promise.resolve([pc('high', 1000)]));
  assert.equal(await refusal(plugin.mutate!(attrs(PODS, 'CREATE', pod('a', { priorityClassName: 'nope' })))), 'pods "a" is forbidden: no PriorityClass with name nope was found');
  assert.equal(await refusal(plugin.mutate!(attrs(PODS, 'CREATE', pod('web-x1', { priorityClassName: 'nope' }, 'web-')))), 'pods "web-" is forbidden: no PriorityClass with name nope was found');
  assert.equal(await refusal(plugin.mutate!(attrs(PODS, 'CREATE', pod('a', { priorityClassName: 'high', priority: 5 })))),
    'pods "a" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
  assert.equal(await refusal(plugin.mutate!(attrs(PODS, 'CREATE', pod('a', { priorityClassName: 'high', preemptionPolicy: 'Never' })))),
    'pods "a" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name');
  const agreeing = pod('a', { priorityClassName: 'high', priority: 1000 });
  await plugin.mutate!(attrs(PODS, 'CREATE', agreeing));
  assert.equal((agreeing.spec as any).priority, 1000);
});

test('pod updates keep the priority set at creation', async () => {
  const plugin = priorityAdmission(() => Promise.resolve([]));
  const old = pod('a', { priority: 7, preemptionPolicy: 'Never' });
  const next = pod('a');
  await plugin.mutate!(attrs(PODS, 'UPDATE', next, old));
  assert.deepEqual([(next.spec as any).priority, (next.spec as any).preemptionPolicy], [7, 'Never']);
});

test('only one global default; system classes cannot be deleted', async () => {
  const classes = [pc('def', 1, { globalDefault: true })];
  const plugin = priorityAdmission(() => Promise.resolve(classes));
  assert.equal(await refusal(plugin.validate!(attrs(PCS, 'CREATE', pc('second', 2, { globalDefault: true })))),
    'priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass def is already marked as default. Only one default can exist');
  await plugin.validate!(attrs(PCS, 'UPDATE', pc('def', 1, { globalDefault: true, description: 'x' }), classes[0]));
  await plugin.validate!(attrs(PCS, 'CREATE', pc('plain', 3)));
  assert.equal(await refusal(plugin.validate!(attrs(PCS, 'DELETE', undefined, SYSTEM_PRIORITY_CLASSES[0], 'system-node-critical'))),
    'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted');
  await plugin.validate!(attrs(PCS, 'DELETE', undefined, classes[0], 'def'));
});

test('PriorityClass validation: the system- prefix is reserved, user values are capped, value and preemptionPolicy are immutable', () => {
  assert.deepEqual(validatePriorityClass(SYSTEM_PRIORITY_CLASSES[0]!), []);
  assert.deepEqual(validatePriorityClass(pc('system-mine', 5)).map((e) => [e.field, e.detail]),
    [['metadata.name', "priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"]]);
  assert.deepEqual(validatePriorityClass(pc('system-node-critical', 5)).map((e) => e.detail),
    ["priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"]);
  assert.deepEqual(validatePriorityClass(pc('huge', 1_000_000_001)).map((e) => [e.field, e.detail]), [['value', 'maximum allowed value of a user defined priority is 1000000000']]);
  assert.deepEqual(validatePriorityClass(pc('p', 1, { preemptionPolicy: 'Sometimes' })).map((e) => [e.type, e.field]), [['FieldValueNotSupported', 'preemptionPolicy']]);
  assert.deepEqual(validatePriorityClassUpdate(pc('p', 2), pc('p', 1)).map((e) => [e.field, e.detail]), [['value', 'may not be changed in an update.']]);
  assert.deepEqual(validatePriorityClassUpdate(pc('p', 1, { preemptionPolicy: 'Never' }), pc('p', 1)).map((e) => [e.field, e.detail]), [['preemptionPolicy', 'field is immutable']]);
  assert.deepEqual(validatePriorityClassUpdate(pc('p', 1, { description: 'new' }), pc('p', 1)), []);
});
