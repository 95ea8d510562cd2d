import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupResource, type ResourceInfo } from '../../../api/scheme.ts';
import type { ValidatingWebhook } from '../../../api/types/admissionregistration-v1-webhooks.ts';
import { equivalentResources, matchingResource, namespaceSelectorMatches, objectSelectorMatches, ruleMatches } from './matching.ts';

const info = (g: string, v: string, r: string): ResourceInfo => lookupResource(g, v, r)!;
const hook = (extra: Partial<ValidatingWebhook>): ValidatingWebhook => ({ name: 'h.example.com', clientConfig: {}, ...extra });

test('resources: plain names match the main resource only, x/* and */* reach subresources', () => {
  const r = (resources: string[], subresource: string): boolean =>
    ruleMatches({ operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources }, { info: info('', 'v1', 'pods'), subresource, operation: 'UPDATE', namespace: 'n' });
  assert.equal(r(['pods'], 'status'), false);
  assert.equal(r(['*'], 'status'), false);
  assert.equal(r(['pods/*'], 'status'), true);
  assert.equal(r(['pods/*'], ''), true);
  assert.equal(r(['*/status'], 'status'), true);
  assert.equal(r(['*/*'], 'binding'), true);
});

test('scope: a Namespace is cluster-scoped, namespaced objects are Namespaced', () => {
  const ns = { info: info('', 'v1', 'namespaces'), subresource: '', operation: 'CREATE', namespace: '' };
  const pod = { info: info('', 'v1', 'pods'), subresource: '', operation: 'CREATE', namespace: 'n' };
  const rule = (scope: 'Cluster' | 'Namespaced') => ({ operations: ['*' as const], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope });
  assert.deepEqual([ruleMatches(rule('Cluster'), ns), ruleMatches(rule('Namespaced'), ns)], [true, false]);
  assert.deepEqual([ruleMatches(rule('Cluster'), pod), ruleMatches(rule('Namespaced'), pod)], [false, true]);
});

test('equivalent resources: the other group-versions serving the same storage', () => {
  assert.deepEqual(equivalentResources(info('autoscaling', 'v1', 'horizontalpodautoscalers')).map((i) => `${i.group}/${i.version}`), ['autoscaling/v1', 'autoscaling/v2']);
  const hpaV2Only = hook({ rules: [{ operations: ['CREATE'], apiGroups: ['autoscaling'], apiVersions: ['v2'], resources: ['horizontalpodautoscalers'] }] });
  assert.equal(matchingResource(hpaV2Only, info('autoscaling', 'v1', 'horizontalpodautoscalers'), { subresource: '', operation: 'CREATE', namespace: 'n' })?.version, 'v2');
  assert.equal(matchingResource({ ...hpaV2Only, matchPolicy: 'Exact' }, info('autoscaling', 'v1', 'horizontalpodautoscalers'), { subresource: '', operation: 'CREATE', namespace: 'n' }), undefined);
});

test('selectors: a Namespace by its own labels, cluster-scoped objects always, objects by old or new labels', async () => {
  const sel = hook({ namespaceSelector: { matchLabels: { env: 'prod' } }, objectSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } });
  const labels = async (n: string): Promise<Record<string, string> | undefined> => (n === 'prod' ? { env: 'prod' } : n === 'dev' ? {} : undefined);
  const nsInfo = info('', 'v1', 'namespaces');
  assert.equal(await namespaceSelectorMatches(sel, { info: nsInfo, subresource: '', namespace: '', object: { metadata: { name: 'x', labels: { env: 'prod' } } } }, labels), true);
  assert.equal(await namespaceSelectorMatches(sel, { info: nsInfo, subresource: '', namespace: '', object: { metadata: { name: 'x' } } }, labels), false);
  assert.equal(await namespaceSelectorMatches(sel, { info: info('', 'v1', 'nodes'), subresource: '', namespace: '' }, labels), true);
  assert.equal(await namespaceSelectorMatches(sel, { info: info('', 'v1', 'pods'), subresource: '', namespace: 'prod' }, labels), true);
  assert.equal(await namespaceSelectorMatches(sel, { info: info('', 'v1', 'pods'), subresource: '', namespace: 'dev' }, labels), false);
  assert.equal(objectSelectorMatches(sel, { metadata: { name: 'p' } }, { metadata: { name: 'p', labels: { app: 'a' } } }), true);
  assert.equal(objectSelectorMatches(sel, { metadata: { name: 'p' } }, undefined), false);
});
