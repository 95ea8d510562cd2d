// CustomResourceDefinitions end to end: the Kubernetes documentation's CronTab
// (stable.example.com, shortName ct) with a schema, printer columns and status and scale
// subresources, driven by kubectl 1.33 and 1.27, the raw API and @kubernetes/client-node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { serverForSuite } from './api-helpers.ts';
import { kubectl, ROOT, waitUntil } from './harness.ts';

const CRD_YAML = readFileSync(join(ROOT, 'test', 'e2e', 'fixtures', 'crontab-crd.yaml'), 'utf8');
const CT = '/apis/stable.example.com/v1/namespaces/default/crontabs';
const AGG_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const VERSIONS = ['1.33', '1.27'];

const cronTab = (name: string, spec: Record<string, unknown>): string =>
  `apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: ${name}\nspec: ${JSON.stringify(spec)}\n`;

describe('CustomResourceDefinitions', () => {
  const ctx = serverForSuite({ before, after });
  const k = (version: string, args: string[], input?: string) => kubectl(version, ctx.srv, args, input === undefined ? {} : { input });

  before(async () => {
    const r = await k('1.33', ['apply', '-f', '-'], CRD_YAML);
    assert.equal(r.code, 0, r.stderr);
    await waitUntil(async () => (await ctx.api.get('/apis/stable.example.com/v1')).status === 200, 10_000, 'CronTab served');
  });

  test('CustomResourceDefinition resources Simple CustomResourceDefinition creating/deleting custom resource definition objects works [Conformance]: the CRD is accepted and established', async () => {
    const crd = (await ctx.api.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')).json();
    const conds = new Map<string, any>(crd.status.conditions.map((c: any) => [c.type, c]));
    assert.equal(conds.get('NamesAccepted')?.status, 'True');
    assert.equal(conds.get('Established')?.status, 'True');
    assert.deepEqual(crd.status.acceptedNames, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.deepEqual(crd.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  });

  test('CustomResourceDefinition resources should include custom resource definition resources in discovery documents [Conformance]', async () => {
    const groups = (await ctx.api.get('/apis')).json();
    assert.ok(groups.groups.some((g: any) => g.name === 'apiextensions.k8s.io'));
    assert.ok(groups.groups.some((g: any) => g.name === 'stable.example.com' && g.preferredVersion.version === 'v1'));
    const list = (await ctx.api.get('/apis/stable.example.com/v1')).json();
    const names = list.resources.map((r: any) => r.name).sort();
    assert.deepEqual(names, ['crontabs', 'crontabs/scale', 'crontabs/status']);
    const ct = list.resources.find((r: any) => r.name === 'crontabs');
    assert.deepEqual(ct.shortNames, ['ct']);
    assert.equal(ct.namespaced, true);
    const agg = (await ctx.api.get('/apis', { Accept: AGG_V2 })).json();
    const g = agg.items.find((i: any) => i.metadata.name === 'stable.example.com');
    assert.equal(g.versions[0].resources[0].resource, 'crontabs');
    assert.deepEqual(g.versions[0].resources[0].subresources.map((s: any) => s.subresource).sort(), ['scale', 'status']);
    const ext = (await ctx.api.get('/apis/apiextensions.k8s.io/v1')).json();
    assert.ok(ext.resources.some((r: any) => r.name === 'customresourcedefinitions' && r.namespaced === false));
  });

  for (const v of VERSIONS) {
    test(`kubectl ${v}: apply, get with printer columns, get by short name, explain`, async () => {
      const name = `ct-${v.replace('.', '-')}`;
      const applied = await k(v, ['apply', '-f', '-'], cronTab(name, { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 2 }));
      assert.equal(applied.code, 0, applied.stderr);
      const got = await k(v, ['get', 'ct', name]);
      assert.equal(got.code, 0, got.stderr);
      const [header, row] = got.stdout.trim().split('\n');
      assert.match(header!, /^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
      assert.match(row!, new RegExp(`^${name}\\s+\\* \\* \\* \\* \\*/5\\s+2\\s+\\d+s$`));
      const long = await k(v, ['get', 'crontabs.stable.example.com', name, '-o', 'jsonpath={.spec.image}']);
      assert.equal(long.stdout, 'my-awesome-cron-image');
      const explained = await k(v, ['explain', 'crontab.spec']);
      assert.equal(explained.code, 0, explained.stderr);
      assert.match(explained.stdout, /cronSpec\s+<string>/);
      assert.match(explained.stdout, /replicas\s+<integer>/);
      const resources = await k(v, ['api-resources', '--api-group=stable.example.com']);
      assert.match(resources.stdout, /crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab/);
    });
  }

  test('CustomResourcePublishOpenAPI works for CRD with validation schema [Conformance]: the schema is published in OpenAPI v2 and v3', async () => {
    const index = (await ctx.api.get('/openapi/v3')).json();
    const url = index.paths['apis/stable.example.com/v1'].serverRelativeURL;
    const doc = (await ctx.api.get(url)).json();
    const schema = doc.components.schemas['com.example.stable.v1.CronTab'];
    assert.equal(schema.properties.spec.properties.replicas.maximum, 10);
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', version: 'v1', kind: 'CronTab' }]);
    const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
    assert.ok(!('application/strategic-merge-patch+json' in patch.requestBody.content), 'no strategic merge patch for custom resources');
    const v2 = (await ctx.api.get('/openapi/v2')).json();
    assert.ok(v2.definitions['com.example.stable.v1.CronTab']);
  });

  test('an invalid spec is refused with 422 and upstream\'s field errors (kubectl and the API)', async () => {
    const r = await k('1.33', ['apply', '-f', '-'], cronTab('bad', { cronSpec: '* * * *', replicas: 15 }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The CronTab "bad" is invalid/);
    assert.match(r.stderr, /spec\.cronSpec: Invalid value: "\* \* \* \*": spec\.cronSpec in body should match '\^\(\\d\+\|\\\*\)/);
    assert.match(r.stderr, /spec\.replicas: Invalid value: 15: spec\.replicas in body should be less than or equal to 10/);
    const api = await ctx.api.post(CT, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'bad' }, spec: { replicas: 'three' } });
    assert.equal(api.status, 422);
    assert.equal(api.json().message, 'CronTab.stable.example.com "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
  });

  test('CustomResourceDefinition resources custom resource defaulting for requests and from storage works [Conformance]: defaults applied, unknown fields pruned', async () => {
    const r = await k('1.33', ['create', '--validate=false', '-o', 'json', '-f', '-'], cronTab('pruned', { cronSpec: '* * * * */5', image: 'x', someRandomField: 42 }));
    assert.equal(r.code, 0, r.stderr);
    const created = JSON.parse(r.stdout);
    assert.equal(created.spec.replicas, 1, 'defaulted');
    assert.ok(!('someRandomField' in created.spec), 'pruned');
    const strict = await k('1.33', ['create', '-f', '-'], cronTab('strict', { cronSpec: '* * * * */5', someRandomField: 42 }));
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /strict decoding error: unknown field "spec\.someRandomField"/);
  });

  test('x-kubernetes-validations: a failing CEL rule is a 422 with its message', async () => {
    const r = await k('1.33', ['apply', '-f', '-'], cronTab('cel', { cronSpec: '* * * * *', replicas: 2, minReplicas: 3 }));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The CronTab "cel" is invalid: spec: Invalid value: "object": replicas should be greater than or equal to minReplicas/);
    assert.equal((await k('1.33', ['apply', '-f', '-'], cronTab('cel', { cronSpec: '* * * * *', replicas: 3, minReplicas: 3 }))).code, 0);
    const bump = await ctx.api.patch(`${CT}/cel`, { spec: { minReplicas: 4 } }, 'application/merge-patch+json');
    assert.equal(bump.status, 422);
    assert.equal(bump.json().details.causes[0].field, 'spec');
  });

  test('server-side apply merges x-kubernetes-list-type map lists by their keys', async () => {
    const base = { cronSpec: '* * * * *' };
    const a = await k('1.33', ['apply', '--server-side', '--field-manager=a', '-f', '-'], cronTab('ssa', { ...base, ports: [{ name: 'http', port: 80 }] }));
    assert.equal(a.code, 0, a.stderr);
    const b = await k('1.33', ['apply', '--server-side', '--field-manager=b', '-f', '-'], cronTab('ssa', { ...base, ports: [{ name: 'https', port: 443 }] }));
    assert.equal(b.code, 0, b.stderr);
    const obj = (await ctx.api.get(`${CT}/ssa`)).json();
    assert.deepEqual(obj.spec.ports, [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]);
    const conflict = await k('1.33', ['apply', '--server-side', '--field-manager=b', '-f', '-'], cronTab('ssa', { ...base, ports: [{ name: 'http', port: 8080 }, { name: 'https', port: 443 }] }));
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict with "a"/);
  });

  test('status subresource: the main resource ignores status, status ignores spec; generation moves with spec only', async () => {
    const created = (await ctx.api.post(CT, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'st' }, spec: { cronSpec: '* * * * *' }, status: { replicas: 9 } })).json();
    assert.equal(created.status, undefined);
    assert.equal(created.metadata.generation, 1);
    const st = (await ctx.api.patch(`${CT}/st/status`, { spec: { cronSpec: '1 * * * *' }, status: { replicas: 3 } }, 'application/merge-patch+json')).json();
    assert.equal(st.status.replicas, 3);
    assert.equal(st.spec.cronSpec, '* * * * *');
    assert.equal(st.metadata.generation, 1);
    const main = (await ctx.api.patch(`${CT}/st`, { spec: { cronSpec: '2 * * * *' }, status: { replicas: 7 } }, 'application/merge-patch+json')).json();
    assert.equal(main.status.replicas, 3);
    assert.equal(main.metadata.generation, 2);
  });

  test('scale subresource, merge and JSON patch; strategic merge patch is refused with 415', async () => {
    assert.equal((await ctx.api.post(CT, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'sc' }, spec: { cronSpec: '* * * * *', replicas: 1 } })).status, 201);
    const scaled = await k('1.33', ['scale', 'ct', 'sc', '--replicas=4']);
    assert.equal(scaled.code, 0, scaled.stderr);
    await ctx.api.patch(`${CT}/sc/status`, { status: { replicas: 4, labelSelector: 'app=sc' } }, 'application/merge-patch+json');
    const scale = (await ctx.api.get(`${CT}/sc/scale`)).json();
    assert.deepEqual({ kind: scale.kind, apiVersion: scale.apiVersion, spec: scale.spec, status: scale.status },
      { kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 4 }, status: { replicas: 4, selector: 'app=sc' } });
    const json = await k('1.33', ['patch', 'ct', 'sc', '--type=json', '-p', '[{"op":"add","path":"/spec/image","value":"j"}]']);
    assert.equal(json.code, 0, json.stderr);
    const merge = await k('1.27', ['patch', 'ct', 'sc', '--type=merge', '-p', '{"spec":{"replicas":5}}']);
    assert.equal(merge.code, 0, merge.stderr);
    const smp = await ctx.api.patch(`${CT}/sc`, { spec: { replicas: 6 } }, 'application/strategic-merge-patch+json');
    assert.equal(smp.status, 415);
    const after = (await ctx.api.get(`${CT}/sc`)).json();
    assert.deepEqual([after.spec.image, after.spec.replicas], ['j', 5]);
  });

  test('label and field selectors, watch', async () => {
    const w = await ctx.api.watch(`${CT}?watch=true&labelSelector=tier%3Dweb`);
    await ctx.api.post(CT, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'web', labels: { tier: 'web' } }, spec: { cronSpec: '* * * * *' } });
    const ev = await w.waitFor((e) => e.type === 'ADDED');
    w.close();
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.metadata.name, 'web');
    const byLabel = (await ctx.api.get(`${CT}?labelSelector=tier%3Dweb`)).json();
    assert.deepEqual(byLabel.items.map((i: any) => i.metadata.name), ['web']);
    assert.equal(byLabel.kind, 'CronTabList');
    const byField = (await ctx.api.get(`${CT}?fieldSelector=metadata.name%3Dweb`)).json();
    assert.deepEqual(byField.items.map((i: any) => i.metadata.name), ['web']);
    const all = (await ctx.api.get('/apis/stable.example.com/v1/crontabs?fieldSelector=metadata.namespace%3Ddefault')).json();
    assert.ok(all.items.length >= 2);
  });

  test('defaults added to the schema later show on reads of stored objects', async () => {
    assert.equal((await ctx.api.post(CT, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'old' }, spec: { cronSpec: '* * * * *' } })).status, 201);
    const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com';
    const patched = await ctx.api.patch(crdPath, [{ op: 'add', path: '/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/image/default', value: 'busybox' }], 'application/json-patch+json');
    assert.equal(patched.status, 200, patched.text);
    await waitUntil(async () => (await ctx.api.get(`${CT}/old`)).json().spec.image === 'busybox', 10_000, 'default applied on read');
    const listed = (await ctx.api.get(CT)).json();
    assert.equal(listed.items.find((i: any) => i.metadata.name === 'old').spec.image, 'busybox');
  });

  test('several versions with None conversion, cluster scope', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.org' },
      spec: {
        group: 'example.org', scope: 'Cluster', names: { plural: 'widgets', kind: 'Widget', categories: ['gadgets'] },
        versions: [
          { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } },
        ],
      },
    };
    assert.equal((await ctx.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
    await waitUntil(async () => (await ctx.api.get('/apis/example.org/v1beta1/widgets')).status === 200, 10_000, 'widgets served');
    const group = (await ctx.api.get('/apis/example.org')).json();
    assert.deepEqual(group.versions.map((v: any) => v.version), ['v1', 'v1beta1']);
    const created = await ctx.api.post('/apis/example.org/v1beta1/widgets', { apiVersion: 'example.org/v1beta1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json().apiVersion, 'example.org/v1beta1');
    const asV1 = (await ctx.api.get('/apis/example.org/v1/widgets/w')).json();
    assert.equal(asV1.apiVersion, 'example.org/v1');
    assert.equal(asV1.spec.size, 3);
    assert.equal((await ctx.api.get('/apis/example.org/v1/namespaces/default/widgets/w')).status, 404);
    // Each version validates with its own schema.
    const strictV1 = await ctx.api.post('/apis/example.org/v1/widgets', { apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'x1' }, spec: { size: 'big' } });
    assert.equal(strictV1.status, 422, strictV1.text);
    const looseBeta = await ctx.api.post('/apis/example.org/v1beta1/widgets', { apiVersion: 'example.org/v1beta1', kind: 'Widget', metadata: { name: 'x2' }, spec: { size: 'big' } });
    assert.equal(looseBeta.status, 201, looseBeta.text);
    const got = await k('1.33', ['get', 'widgets']);
    assert.match(got.stdout.trim(), /^NAME\s+AGE\nw\s+\d+s\nx2\s+\d+s$/);
    const byCategory = await k('1.33', ['get', 'gadgets']);
    assert.match(byCategory.stdout, /^w\s+\d+s$/m, byCategory.stderr);
  });

  test('CustomResourcePublishOpenAPI removes definition from spec when one version gets changed to not be served [Conformance]', async () => {
    const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.org';
    assert.ok('apis/example.org/v1beta1' in (await ctx.api.get('/openapi/v3')).json().paths);
    const r = await ctx.api.patch(path, [{ op: 'replace', path: '/spec/versions/0/served', value: false }], 'application/json-patch+json');
    assert.equal(r.status, 200, r.text);
    await waitUntil(async () => !('apis/example.org/v1beta1' in (await ctx.api.get('/openapi/v3')).json().paths), 10_000, 'v1beta1 unpublished');
    const v2 = (await ctx.api.get('/openapi/v2')).json();
    assert.ok(v2.definitions['org.example.v1.Widget'] && !v2.definitions['org.example.v1beta1.Widget']);
    assert.equal((await ctx.api.get('/apis/example.org/v1beta1/widgets')).status, 404);
    assert.equal((await ctx.api.get('/apis/example.org/v1/widgets/w')).status, 200);
  });

  test('CustomResourceDefinition Watch watch on custom resource definition objects [Conformance]', async () => {
    const w = await ctx.api.watch('/apis/apiextensions.k8s.io/v1/customresourcedefinitions?watch=true&fieldSelector=metadata.name%3Dwidgets.example.org');
    await w.waitFor((e) => e.type === 'ADDED');
    assert.equal((await ctx.api.del('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.org')).status, 200);
    const gone = await w.waitFor((e) => e.type === 'DELETED', 15_000);
    w.close();
    assert.equal(gone.object.metadata.name, 'widgets.example.org');
    assert.equal((await ctx.api.get('/apis/example.org/v1/widgets')).status, 404);
  });

  test('an operator written with @kubernetes/client-node watches custom resources and writes their status', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(ctx.srv.kubeconfig);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    const req = await watch.watch('/apis/stable.example.com/v1/namespaces/default/crontabs', {}, (type, obj: any) => {
      if (type !== 'ADDED' || obj.status?.replicas !== undefined) return;
      seen.push(obj.metadata.name);
      void custom.patchNamespacedCustomObjectStatus({
        group: 'stable.example.com', version: 'v1', namespace: 'default', plural: 'crontabs', name: obj.metadata.name,
        body: { status: { replicas: obj.spec.replicas ?? 0 } },
      }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    }, () => {});
    try {
      await custom.createNamespacedCustomObject({ group: 'stable.example.com', version: 'v1', namespace: 'default', plural: 'crontabs', body: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'op' }, spec: { cronSpec: '* * * * *', replicas: 3 } } });
      await waitUntil(async () => {
        const o = await custom.getNamespacedCustomObject({ group: 'stable.example.com', version: 'v1', namespace: 'default', plural: 'crontabs', name: 'op' });
        return o.status?.replicas === 3;
      }, 10_000, 'status written by the operator');
      assert.ok(seen.includes('op'));
    } finally {
      req.abort();
    }
  });

  test('controllers: a terminating namespace loses its custom resources; dependents of a custom resource are collected', async () => {
    assert.equal((await ctx.api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crns' } })).status, 201);
    const owner = (await ctx.api.post('/apis/stable.example.com/v1/namespaces/crns/crontabs', { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'owner' }, spec: { cronSpec: '* * * * *' } })).json();
    const ref = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', name: 'owner', uid: owner.metadata.uid };
    assert.equal((await ctx.api.post('/api/v1/namespaces/crns/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dep', ownerReferences: [ref] } })).status, 201);
    assert.equal((await ctx.api.del('/apis/stable.example.com/v1/namespaces/crns/crontabs/owner')).status, 200);
    await waitUntil(async () => (await ctx.api.get('/api/v1/namespaces/crns/configmaps/dep')).status === 404, 20_000, 'dependent collected');
    assert.equal((await ctx.api.post('/apis/stable.example.com/v1/namespaces/crns/crontabs', { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'inns' }, spec: { cronSpec: '* * * * *' } })).status, 201);
    assert.equal((await ctx.api.del('/api/v1/namespaces/crns')).status, 200);
    await waitUntil(async () => (await ctx.api.get('/api/v1/namespaces/crns')).status === 404, 30_000, 'namespace gone');
    assert.equal((await ctx.api.get('/apis/stable.example.com/v1/namespaces/crns/crontabs/inns')).status, 404);
  });

  test('CustomResourceDefinition resources Simple CustomResourceDefinition creating/deleting custom resource definition objects works [Conformance]: deleting the CRD deletes its objects, then the resource', async () => {
    const before = (await ctx.api.get('/apis/stable.example.com/v1/crontabs')).json();
    assert.ok(before.items.length > 0);
    const del = await k('1.33', ['delete', 'crd', 'crontabs.stable.example.com']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await ctx.api.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')).status, 404);
    assert.equal((await ctx.api.get('/apis/stable.example.com/v1')).status, 404);
    const groups = (await ctx.api.get('/apis')).json();
    assert.ok(!groups.groups.some((g: any) => g.name === 'stable.example.com'));
    assert.ok(!('apis/stable.example.com/v1' in (await ctx.api.get('/openapi/v3')).json().paths));
    // Recreated, the resource is empty: the objects went with the CRD.
    assert.equal((await k('1.33', ['apply', '-f', '-'], CRD_YAML)).code, 0);
    await waitUntil(async () => (await ctx.api.get('/apis/stable.example.com/v1')).status === 200, 10_000, 'CronTab served again');
    assert.deepEqual((await ctx.api.get('/apis/stable.example.com/v1/crontabs')).json().items, []);
  });
});
