import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conflict, type StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { applyDefaults } from '../../api/defaults/index.ts';
import { lookupResource } from '../../api/scheme.ts';
import type { ResourceQuota } from '../../api/types/core-v1-policy.ts';
import { resourceQuotaAdmission, type QuotaAccess } from './resource-quota.ts';
import type { AdmissionAttributes } from './types.ts';

/** Quotas kept in memory with a resourceVersion each, written only at the version read. */
class FakeQuotas implements QuotaAccess {
  readonly byName = new Map<string, ResourceQuota>();
  rv = 1;
  writes = 0;
  put(q: ResourceQuota): void {
    this.byName.set(q.metadata.name!, { ...structuredClone(q), metadata: { ...q.metadata, namespace: 'ns', resourceVersion: String(this.rv++) } });
  }
  async list(): Promise<ResourceQuota[]> {
    await new Promise((r) => setImmediate(r));
    return [...this.byName.values()].map((q) => structuredClone(q));
  }
  async updateStatus(q: ResourceQuota): Promise<void> {
    await new Promise((r) => setImmediate(r));
    const cur = this.byName.get(q.metadata.name!)!;
    if (cur.metadata.resourceVersion !== q.metadata.resourceVersion) throw conflict({ group: '', resource: 'resourcequotas' }, q.metadata.name!, 'changed');
    this.writes++;
    this.put({ ...cur, status: q.status! });
  }
}

const quota = (name: string, hard: Record<string, string>, used: Record<string, string>, scopes?: string[]): ResourceQuota => ({
  apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...(scopes ? { scopes } : {}) }, status: { hard, used },
});

const pod = (name: string, resources?: Record<string, Record<string, string>>): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'busybox', ...(resources ? { resources } : {}) }] },
});

/** Attributes of a request, its object defaulted as the registry does before admission. */
function attrs(resource: string, object: KubeObject, group = '', version = 'v1'): AdmissionAttributes {
  const info = lookupResource(group, version, resource)!;
  applyDefaults(info, object);
  return {
  info, operation: 'CREATE', namespace: 'ns', name: object.metadata.name ?? '', subresource: '',
  object, user: { name: 'u', groups: [] }, dryRun: false, warn: () => {},
  };
}

async function refusal(p: void | Promise<void>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.equal((err as StatusError).code, 403);
    return (err as StatusError).message;
  }
  assert.fail('admitted');
}

test('ResourceQuota, object count quota, pod: the fourth pod of three is refused with upstream\'s message', async () => {
  const qs = new FakeQuotas();
  qs.put(quota('q', { pods: '3' }, { pods: '2' }));
  const plugin = resourceQuotaAdmission(qs);
  await plugin.validate!(attrs('pods', pod('p3')));
  assert.equal(qs.byName.get('q')!.status!.used!.pods, '3');
  assert.equal(await refusal(plugin.validate!(attrs('pods', pod('p4')))), 'pods "p4" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3');
});

test('concurrent creates cannot both take the last slot', async () => {
  const qs = new FakeQuotas();
  qs.put(quota('q', { pods: '5' }, { pods: '0' }));
  // Two plugin instances stand for two API servers (no shared in-process lock): only CAS protects.
  const a = resourceQuotaAdmission(qs);
  const b = resourceQuotaAdmission(qs);
  const results = await Promise.allSettled(Array.from({ length: 8 }, async (_, i) => { await (i % 2 ? a : b).validate!(attrs('pods', pod(`p${i}`))); }));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length <= 5, true);
  assert.equal(qs.byName.get('q')!.status!.used!.pods, String(results.filter((r) => r.status === 'fulfilled').length));
});

test('ResourceQuota, object count quota, pod: compute quotas require requests and print quantities as upstream', async () => {
  const qs = new FakeQuotas();
  qs.put(quota('compute', { 'requests.cpu': '1', 'requests.memory': '1Gi' }, { 'requests.cpu': '800m', 'requests.memory': '0' }));
  const plugin = resourceQuotaAdmission(qs);
  assert.equal(await refusal(plugin.validate!(attrs('pods', pod('bare')))), 'pods "bare" is forbidden: failed quota: compute: must specify requests.cpu for: c; requests.memory for: c');
  assert.equal(await refusal(plugin.validate!(attrs('pods', pod('big', { requests: { cpu: '500m', memory: '100Mi' } })))),
    'pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=800m, limited: requests.cpu=1');
  await plugin.validate!(attrs('pods', pod('ok', { requests: { cpu: '200m', memory: '100Mi' } })));
  assert.deepEqual(qs.byName.get('compute')!.status!.used, { 'requests.cpu': '1', 'requests.memory': '100Mi' });
});

test('a quota whose usage is not known yet refuses until the controller counts', async () => {
  const qs = new FakeQuotas();
  qs.put({ ...quota('new', { pods: '3' }, {}), status: { hard: { pods: '3' } } });
  assert.equal(await refusal(resourceQuotaAdmission(qs).validate!(attrs('pods', pod('p')))), 'pods "p" is forbidden: status unknown for quota: new, resources: pods');
});

test('ResourceQuota, object count quota, count/deployments.apps', async () => {
  const qs = new FakeQuotas();
  qs.put(quota('d', { 'count/deployments.apps': '1' }, { 'count/deployments.apps': '1' }));
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
  assert.equal(await refusal(resourceQuotaAdmission(qs).validate!(attrs('deployments', dep, 'apps'))),
    'deployments.apps "web" is forbidden: exceeded quota: d, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1');
});

test('scoped quotas apply to matching pods only; dry runs charge nothing', async () => {
  const qs = new FakeQuotas();
  qs.put(quota('be', { pods: '1' }, { pods: '1' }, ['BestEffort']));
  const plugin = resourceQuotaAdmission(qs);
  await plugin.validate!(attrs('pods', pod('burst', { requests: { cpu: '1' } })));
  assert.match(await refusal(plugin.validate!(attrs('pods', pod('be')))), /exceeded quota: be/);
  qs.put(quota('n', { pods: '2' }, { pods: '0' }));
  qs.byName.delete('be');
  await plugin.validate!({ ...attrs('pods', pod('dry')), dryRun: true });
  assert.equal(qs.byName.get('n')!.status!.used!.pods, '0');
});

test('a service update to NodePort is charged the difference', async () => {
  const qs = new FakeQuotas();
  qs.put(quota('svc', { 'services.nodeports': '1', services: '5' }, { 'services.nodeports': '0', services: '1' }));
  const old = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns', resourceVersion: '4' }, spec: { type: 'ClusterIP', clusterIP: '10.43.0.20', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] } };
  const next = { ...old, spec: { ...old.spec, type: 'NodePort' } };
  const msg = await refusal(resourceQuotaAdmission(qs).validate!({ ...attrs('services', next), operation: 'UPDATE', oldObject: old }));
  assert.equal(msg, 'services "s" is forbidden: exceeded quota: svc, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
});
