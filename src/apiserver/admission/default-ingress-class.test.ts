import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { Ingress } from '../../api/types/networking-v1-ingress.ts';
import { defaultIngressClass, defaultIngressClassName } from './default-ingress-class.ts';
import type { AdmissionAttributes } from './types.ts';

const cls = (name: string, created: string, isDefault: boolean): KubeObject => ({
  metadata: { name, creationTimestamp: created, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
});

const info = RESOURCES.find((r) => r.group === 'networking.k8s.io' && r.resource === 'ingresses' && r.version === 'v1') as ResourceInfo;

function attrs(object: Ingress, operation: AdmissionAttributes['operation'] = 'CREATE'): AdmissionAttributes {
  return { info, operation, namespace: 'default', name: object.metadata.name ?? '', subresource: '', object, user: { name: 'u', groups: [] }, dryRun: false, warn: () => {} };
}

test('the newest default class is the default', () => {
  assert.equal(defaultIngressClassName([cls('a', '2025-01-01T00:00:00Z', false)]), undefined);
  assert.equal(defaultIngressClassName([cls('a', '2025-01-01T00:00:00Z', true), cls('b', '2025-01-02T00:00:00Z', true), cls('c', '2025-01-03T00:00:00Z', false)]), 'b');
  assert.equal(defaultIngressClassName([cls('z', '2025-01-01T00:00:00Z', true), cls('y', '2025-01-01T00:00:00Z', true)]), 'y');
});

test('an Ingress created without a class gets the default; one with a class or the annotation keeps it', async () => {
  const plugin = defaultIngressClass(async () => [cls('skiff', '2025-01-01T00:00:00Z', true), cls('other', '2025-01-01T00:00:00Z', false)]);
  const bare: Ingress = { metadata: { name: 'i' }, spec: { rules: [] } };
  await plugin.mutate?.(attrs(bare));
  assert.equal(bare.spec?.ingressClassName, 'skiff');
  const noSpec: Ingress = { metadata: { name: 'j' } };
  await plugin.mutate?.(attrs(noSpec));
  assert.equal(noSpec.spec?.ingressClassName, 'skiff');
  const named: Ingress = { metadata: { name: 'k' }, spec: { ingressClassName: 'other' } };
  await plugin.mutate?.(attrs(named));
  assert.equal(named.spec?.ingressClassName, 'other');
  const annotated: Ingress = { metadata: { name: 'l', annotations: { 'kubernetes.io/ingress.class': 'other' } } };
  await plugin.mutate?.(attrs(annotated));
  assert.equal(annotated.spec, undefined);
  const updated: Ingress = { metadata: { name: 'm' }, spec: {} };
  await plugin.mutate?.(attrs(updated, 'UPDATE'));
  assert.equal(updated.spec?.ingressClassName, undefined);
});
