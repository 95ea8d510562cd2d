import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../types/core-v1.ts';
import type { ResourceQuota, ScopedResourceSelectorRequirement } from '../types/core-v1-policy.ts';
import { calculateUsage, evaluatorFor, isBestEffort, podEvaluator, pvcEvaluator, quotaMatches, serviceEvaluator } from './evaluators.ts';
import { formatList } from './resource-list.ts';

const pod = (name: string, resources?: { requests?: Record<string, string>; limits?: Record<string, string> }, extra: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'busybox', ...(resources ? { resources } : {}) }], ...extra },
});

test('a pod costs its requests and limits, summed over containers, init containers as a floor', () => {
  const p = pod('p', { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
  p.spec!.containers.push({ name: 'd', image: 'busybox', resources: { requests: { cpu: '250m' }, limits: { cpu: '1' } } });
  p.spec!.initContainers = [{ name: 'i', image: 'busybox', resources: { requests: { cpu: '2' } } }];
  assert.deepEqual(formatList(podEvaluator.usage(p, Date.now())), {
    'count/pods': '1', cpu: '2', 'limits.cpu': '1500m', 'limits.memory': '128Mi', memory: '64Mi', pods: '1', 'requests.cpu': '2', 'requests.memory': '64Mi',
  });
});

test('a finished pod counts as an object only', () => {
  const p = { ...pod('p', { requests: { cpu: '1' } }), status: { phase: 'Succeeded' as const } };
  assert.deepEqual(formatList(podEvaluator.usage(p, Date.now())), { 'count/pods': '1' });
});

test('a quota on cpu or memory names the containers that do not set them', () => {
  const p = pod('p', { requests: { cpu: '100m' } });
  p.spec!.containers.push({ name: 'b', image: 'busybox' });
  assert.equal(podEvaluator.constraints(['pods', 'requests.cpu', 'limits.memory'], p), 'must specify limits.memory for: b,c; requests.cpu for: b');
  assert.equal(podEvaluator.constraints(['pods', 'count/pods'], p), undefined);
});

test('scopes: BestEffort, NotBestEffort, Terminating, NotTerminating', () => {
  const be = pod('be');
  const burst = pod('b', { requests: { cpu: '1' } });
  const term = pod('t', undefined, { activeDeadlineSeconds: 30 });
  assert.ok(isBestEffort(be));
  assert.ok(!isBestEffort(burst));
  const scoped = (scopes: string[]): ResourceQuota => ({ metadata: { name: 'q' }, spec: { hard: { pods: '5' }, scopes }, status: { hard: { pods: '5' } } });
  assert.ok(quotaMatches(podEvaluator, scoped(['BestEffort']), be));
  assert.ok(!quotaMatches(podEvaluator, scoped(['BestEffort']), burst));
  assert.ok(quotaMatches(podEvaluator, scoped(['NotBestEffort']), burst));
  assert.ok(quotaMatches(podEvaluator, scoped(['Terminating']), term));
  assert.ok(!quotaMatches(podEvaluator, scoped(['Terminating']), be));
  assert.ok(quotaMatches(podEvaluator, scoped(['NotTerminating', 'BestEffort']), be));
  const q = scoped(['BestEffort']);
  assert.deepEqual(formatList(calculateUsage(podEvaluator, q, ['pods'], [be, burst, term], Date.now())), { pods: '2' });
  // Kinds without scopes match no scoped quota.
  assert.ok(!quotaMatches(serviceEvaluator, { ...q, status: { hard: { services: '1' } } }, { metadata: { name: 's' } }));
});

test('services count node ports and load balancers; claims count storage', () => {
  const svc = { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 81 }] } };
  assert.deepEqual(formatList(serviceEvaluator.usage(svc, 0)), { 'count/services': '1', services: '1', 'services.loadbalancers': '0', 'services.nodeports': '2' });
  const pvc = { metadata: { name: 'c' }, spec: { storageClassName: 'gold', resources: { requests: { storage: '1Gi' } } } };
  assert.deepEqual(formatList(pvcEvaluator.usage(pvc, 0)), {
    'count/persistentvolumeclaims': '1', 'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'gold.storageclass.storage.k8s.io/requests.storage': '1Gi', persistentvolumeclaims: '1', 'requests.storage': '1Gi',
  });
});

test('other kinds are counted as count/<resource>.<group>, four core kinds also by their old names', () => {
  assert.deepEqual(formatList(evaluatorFor('apps', 'deployments').usage({ metadata: {} }, 0)), { 'count/deployments.apps': '1' });
  assert.deepEqual(formatList(evaluatorFor('', 'configmaps').usage({ metadata: {} }, 0)), { configmaps: '1', 'count/configmaps': '1' });
  assert.ok(!evaluatorFor('apps', 'deployments').handles('UPDATE', '', undefined, undefined));
});

test('scopeSelector: PriorityClass In/NotIn/Exists/DoesNotExist and CrossNamespacePodAffinity', () => {
  const high = pod('h', undefined, { priorityClassName: 'high' });
  const none = pod('n');
  const q = (matchExpressions: ScopedResourceSelectorRequirement[]): ResourceQuota =>
    ({ metadata: { name: 'q' }, spec: { hard: { pods: '1' }, scopeSelector: { matchExpressions } }, status: { hard: { pods: '1' } } });
  assert.ok(quotaMatches(podEvaluator, q([{ scopeName: 'PriorityClass', operator: 'In', values: ['high', 'mid'] }]), high));
  assert.ok(!quotaMatches(podEvaluator, q([{ scopeName: 'PriorityClass', operator: 'In', values: ['low'] }]), high));
  assert.ok(quotaMatches(podEvaluator, q([{ scopeName: 'PriorityClass', operator: 'NotIn', values: ['low'] }]), none));
  assert.ok(quotaMatches(podEvaluator, q([{ scopeName: 'PriorityClass', operator: 'Exists' }]), high));
  assert.ok(quotaMatches(podEvaluator, q([{ scopeName: 'PriorityClass', operator: 'DoesNotExist' }]), none));
  const cross = pod('x', undefined, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'k', namespaces: ['other'] }] } } });
  assert.ok(quotaMatches(podEvaluator, q([{ scopeName: 'CrossNamespacePodAffinity', operator: 'Exists' }]), cross));
  assert.ok(!quotaMatches(podEvaluator, q([{ scopeName: 'CrossNamespacePodAffinity', operator: 'Exists' }]), none));
});
