// Discovery, OpenAPI, /version and /metrics as kube-apiserver serves them
// (k8s.io/apiserver/pkg/endpoints/discovery, .../discovery/aggregated, k8s.io/kube-openapi).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForSuite, configMap } from './api-helpers.ts';

const AGG_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGG_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const PROTO_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

describe('API discovery', () => {
  const ctx = serverForSuite({ before, after });

  test('EndpointSlice API: should have Endpoints and EndpointSlices pointing to API Server', async () => {
    const port = Number(new URL(ctx.srv.url).port);
    const ep = (await ctx.api.get('/api/v1/namespaces/default/endpoints/kubernetes')).json();
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'https', port, protocol: 'TCP' }]);
    const slices = (await ctx.api.get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes')).json();
    assert.equal(slices.items.length, 1);
    const slice = slices.items[0];
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints.map((e: { addresses: string[] }) => e.addresses[0]), [ep.subsets[0].addresses[0].ip]);
    assert.deepEqual(slice.ports, [{ name: 'https', port, protocol: 'TCP' }]);
  });

  test('/api lists the core version', async () => {
    const r = await ctx.api.get('/api');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const v = r.json();
    assert.equal(v.kind, 'APIVersions');
    assert.deepEqual(v.versions, ['v1']);
    assert.ok(Array.isArray(v.serverAddressByClientCIDRs) && v.serverAddressByClientCIDRs.length > 0, r.text);
  });

  test('/api/v1 lists core resources with verbs, shortNames, scope and subresources', async () => {
    const r = await ctx.api.get('/api/v1');
    assert.equal(r.status, 200);
    const list = r.json();
    assert.equal(list.kind, 'APIResourceList');
    assert.equal(list.groupVersion, 'v1');
    const byName = new Map<string, any>(list.resources.map((x: any) => [x.name, x]));
    const pods = byName.get('pods');
    assert.ok(pods, 'pods are listed');
    assert.equal(pods.kind, 'Pod');
    assert.equal(pods.namespaced, true);
    assert.equal(pods.singularName, 'pod');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual([...pods.verbs].sort(), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(pods.categories, ['all']);
    for (const sub of ['pods/status', 'pods/log', 'pods/binding', 'pods/eviction', 'pods/exec']) assert.ok(byName.has(sub), `${sub} is listed`);
    assert.deepEqual([...byName.get('pods/status').verbs].sort(), ['get', 'patch', 'update']);
    const ns = byName.get('namespaces');
    assert.equal(ns.namespaced, false);
    assert.deepEqual(ns.shortNames, ['ns']);
    assert.ok(byName.has('namespaces/finalize'), 'namespaces/finalize is listed');
    assert.equal(byName.get('nodes').namespaced, false);
    assert.deepEqual(byName.get('services').shortNames, ['svc']);
    assert.deepEqual(byName.get('configmaps').shortNames, ['cm']);
    assert.equal(byName.get('configmaps').namespaced, true);
  });

  test('/apis lists the groups, each with a preferred version', async () => {
    const r = await ctx.api.get('/apis');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const groups = r.json();
    assert.equal(groups.kind, 'APIGroupList');
    const names = groups.groups.map((g: any) => g.name);
    for (const g of ['apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'storage.k8s.io']) {
      assert.ok(names.includes(g), `group ${g} is served (have ${names.join(', ')})`);
    }
    assert.ok(!names.includes(''), 'the core group is not in /apis');
  });

  test('/apis/apps describes the group', async () => {
    const r = await ctx.api.get('/apis/apps');
    assert.equal(r.status, 200);
    const g = r.json();
    assert.equal(g.kind, 'APIGroup');
    assert.equal(g.name, 'apps');
    assert.deepEqual(g.versions, [{ groupVersion: 'apps/v1', version: 'v1' }]);
    assert.deepEqual(g.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
  });

  test('/apis/apps/v1 lists deployments with verbs, shortNames, and the scale and status subresources', async () => {
    const r = await ctx.api.get('/apis/apps/v1');
    assert.equal(r.status, 200);
    const list = r.json();
    assert.equal(list.kind, 'APIResourceList');
    assert.equal(list.groupVersion, 'apps/v1');
    const byName = new Map<string, any>(list.resources.map((x: any) => [x.name, x]));
    const d = byName.get('deployments');
    assert.ok(d, 'deployments are listed');
    assert.equal(d.kind, 'Deployment');
    assert.equal(d.namespaced, true);
    assert.equal(d.singularName, 'deployment');
    assert.deepEqual(d.shortNames, ['deploy']);
    assert.deepEqual(d.categories, ['all']);
    assert.deepEqual([...d.verbs].sort(), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    const scale = byName.get('deployments/scale');
    assert.ok(scale, 'deployments/scale is listed');
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.group, 'autoscaling');
    assert.equal(scale.version, 'v1');
    assert.deepEqual([...scale.verbs].sort(), ['get', 'patch', 'update']);
    const status = byName.get('deployments/status');
    assert.ok(status, 'deployments/status is listed');
    assert.equal(status.kind, 'Deployment');
    assert.deepEqual([...status.verbs].sort(), ['get', 'patch', 'update']);
    for (const n of ['replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'controllerrevisions']) {
      assert.ok(byName.has(n), `${n} is listed`);
    }
    assert.deepEqual(byName.get('replicasets').shortNames, ['rs']);
    assert.deepEqual(byName.get('statefulsets').shortNames, ['sts']);
    assert.deepEqual(byName.get('daemonsets').shortNames, ['ds']);
  });

  test('Discovery, confirm the groupVersion and a resource from each apiGroup', async () => {
    const groups = (await ctx.api.get('/apis')).json().groups;
    assert.ok(groups.length > 0);
    for (const g of groups) {
      assert.ok(g.versions.length > 0, `${g.name} has versions`);
      for (const v of g.versions) {
        assert.equal(v.groupVersion, `${g.name}/${v.version}`);
        const r = await ctx.api.get(`/apis/${v.groupVersion}`);
        assert.equal(r.status, 200, `${v.groupVersion}: ${r.text}`);
        const list = r.json();
        assert.equal(list.kind, 'APIResourceList');
        assert.equal(list.groupVersion, v.groupVersion);
        const top = list.resources.filter((x: any) => !x.name.includes('/'));
        assert.ok(top.length > 0, `${v.groupVersion} has a resource`);
        for (const res of top) {
          assert.ok(res.kind, `${v.groupVersion} ${res.name} has a kind`);
          assert.equal(typeof res.namespaced, 'boolean', `${v.groupVersion} ${res.name}`);
          assert.ok(Array.isArray(res.verbs), `${v.groupVersion} ${res.name} has verbs`);
        }
      }
    }
  });

  test('Discovery, confirm the PreferredVersion for each api group', async () => {
    const groups = (await ctx.api.get('/apis')).json().groups;
    for (const g of groups) {
      assert.ok(g.preferredVersion, `${g.name} has a preferredVersion`);
      assert.ok(g.versions.some((v: any) => v.groupVersion === g.preferredVersion.groupVersion && v.version === g.preferredVersion.version),
        `${g.name}: the preferred version is one of its versions`);
      assert.equal(g.preferredVersion.groupVersion, `${g.name}/${g.preferredVersion.version}`);
      // /apis/<group> agrees with /apis.
      const one = (await ctx.api.get(`/apis/${g.name}`)).json();
      assert.deepEqual(one.preferredVersion, g.preferredVersion, g.name);
    }
    const autoscaling = groups.find((g: any) => g.name === 'autoscaling');
    assert.ok(autoscaling, 'autoscaling is served');
    assert.deepEqual(autoscaling.preferredVersion, { groupVersion: 'autoscaling/v2', version: 'v2' });
    assert.ok(autoscaling.versions.some((v: any) => v.version === 'v1'), 'autoscaling/v1 is still served');
  });

  function checkAggregated(doc: any, version: string): void {
    assert.equal(doc.kind, 'APIGroupDiscoveryList');
    assert.equal(doc.apiVersion, `apidiscovery.k8s.io/${version}`);
    const apps = doc.items.find((i: any) => i.metadata.name === 'apps');
    assert.ok(apps, 'apps is in the aggregated document');
    const v1 = apps.versions.find((v: any) => v.version === 'v1');
    assert.ok(v1, 'apps/v1');
    const d = v1.resources.find((r: any) => r.resource === 'deployments');
    assert.ok(d, 'deployments');
    assert.equal(d.scope, 'Namespaced');
    assert.deepEqual(d.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.deepEqual(d.shortNames, ['deploy']);
    const subs = new Map<string, any>(d.subresources.map((s: any) => [s.subresource, s]));
    assert.deepEqual(subs.get('scale')?.responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.ok(subs.has('status'));
    // The preferred version comes first.
    const autoscaling = doc.items.find((i: any) => i.metadata.name === 'autoscaling');
    assert.equal(autoscaling?.versions[0]?.version, 'v2', 'autoscaling lists v2 first');
  }

  test('Aggregated Discovery Endpoint Accept Headers', async () => {
    for (const [accept, version] of [[AGG_V2, 'v2'], [AGG_V2BETA1, 'v2beta1']] as const) {
      const r = await ctx.api.get('/apis', { Accept: accept });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['content-type'], accept, `Accept ${accept}`);
      checkAggregated(r.json(), version);
      const core = await ctx.api.get('/api', { Accept: accept });
      assert.equal(core.status, 200);
      assert.equal(core.headers['content-type'], accept);
      const doc = core.json();
      assert.equal(doc.kind, 'APIGroupDiscoveryList');
      const coreV1 = doc.items[0].versions.find((v: any) => v.version === 'v1');
      const pods = coreV1.resources.find((x: any) => x.resource === 'pods');
      assert.ok(pods, 'pods are in aggregated /api');
      assert.deepEqual(pods.responseKind, { group: '', version: 'v1', kind: 'Pod' });
      const ns = coreV1.resources.find((x: any) => x.resource === 'namespaces');
      assert.equal(ns.scope, 'Cluster');
    }
    // What kubectl 1.30+ sends: the first it can have wins.
    const kubectl = await ctx.api.get('/apis', { Accept: `${AGG_V2},${AGG_V2BETA1},application/json` });
    assert.equal(kubectl.headers['content-type'], AGG_V2);
    const older = await ctx.api.get('/apis', { Accept: `${AGG_V2BETA1},application/json` });
    assert.equal(older.headers['content-type'], AGG_V2BETA1);
    // Plain JSON otherwise.
    for (const accept of ['application/json', '*/*', 'application/json;g=apidiscovery.k8s.io;v=v9;as=APIGroupDiscoveryList,application/json']) {
      const r = await ctx.api.get('/apis', { Accept: accept });
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^application\/json(;|$)/, accept);
      assert.doesNotMatch(String(r.headers['content-type']), /apidiscovery/, accept);
      assert.equal(r.json().kind, 'APIGroupList', accept);
    }
  });

  test('aggregated discovery lists the same groups as /apis', async () => {
    const plain = (await ctx.api.get('/apis')).json().groups.map((g: any) => g.name).sort();
    const agg = (await ctx.api.get('/apis', { Accept: AGG_V2 })).json().items.map((i: any) => i.metadata.name).sort();
    assert.deepEqual(agg, plain);
  });

  test('/version', async () => {
    const r = await ctx.api.get('/version');
    assert.equal(r.status, 200);
    const v = r.json();
    assert.match(v.major, /^\d+$/);
    assert.match(v.minor, /^\d+\+?$/);
    assert.match(v.gitVersion, /^v\d+\.\d+\.\d+/);
    assert.ok(v.platform, 'platform');
    assert.ok(v.goVersion !== undefined, 'goVersion');
    assert.ok(v.buildDate, 'buildDate');
  });

  test('/openapi/v3 index and a group document', async () => {
    const r = await ctx.api.get('/openapi/v3');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const index = r.json();
    for (const p of ['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/autoscaling/v2']) {
      assert.match(index.paths[p]?.serverRelativeURL ?? '', new RegExp(`^/openapi/v3/${p}\\?hash=[0-9A-F]+$`), `${p} in the index`);
    }
    const doc = await ctx.api.get(index.paths['apis/apps/v1'].serverRelativeURL);
    assert.equal(doc.status, 200);
    const d = doc.json();
    assert.match(d.openapi, /^3\./);
    const schema = d.components.schemas['io.k8s.api.apps.v1.Deployment'];
    assert.ok(schema, 'the Deployment schema');
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    assert.ok(schema.properties.spec, 'Deployment has spec');
    const path = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.ok(path?.patch, 'the patch operation');
    assert.ok(JSON.stringify(path.patch.parameters ?? []).includes('fieldValidation') || JSON.stringify(path.parameters ?? []).includes('fieldValidation'), 'patch takes fieldValidation');
    // The same document without the hash.
    const plain = await ctx.api.get('/openapi/v3/apis/apps/v1');
    assert.equal(plain.status, 200);
    assert.ok(plain.json().components.schemas['io.k8s.api.apps.v1.Deployment']);
    // An unknown group-version is 404.
    assert.equal((await ctx.api.get('/openapi/v3/apis/nosuch/v1')).status, 404);
  });

  test('/openapi/v2 as JSON and as protobuf', async () => {
    const json = await ctx.api.get('/openapi/v2');
    assert.equal(json.status, 200);
    const doc = json.json();
    assert.equal(doc.swagger, '2.0');
    assert.ok(doc.definitions['io.k8s.api.core.v1.Pod'], 'the Pod definition');
    const proto = await ctx.api.get('/openapi/v2', { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(proto.status, 200);
    assert.equal(proto.headers['content-type'], PROTO_V2);
    // gnostic openapi_v2.Document: field 1 (swagger) is the string "2.0".
    assert.deepEqual([...proto.raw.subarray(0, 5)], [0x0a, 0x03, 0x32, 0x2e, 0x30]);
    assert.ok(proto.raw.includes('io.k8s.api.apps.v1.Deployment'), 'the Deployment definition is in the protobuf document');
    // kubectl 1.27 sends this exact header.
    const kubectl = await ctx.api.get('/openapi/v2?timeout=32s', { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    assert.equal(kubectl.headers['content-type'], PROTO_V2);
  });

  test('/metrics has apiserver_request_total and apiserver_storage_objects', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await ctx.api.post('/api/v1/namespaces/default/configmaps', configMap(`metrics-${i}`))).status, 201);
    const r = await ctx.api.get('/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.match(r.text, /^# TYPE apiserver_request_total counter$/m);
    const post = /^apiserver_request_total\{[^}]*\}\s+(\d+)$/m;
    assert.match(r.text, post);
    const created = r.text.split('\n').find((l) => l.startsWith('apiserver_request_total{') && l.includes('verb="POST"') && l.includes('resource="configmaps"') && l.includes('code="201"'));
    assert.ok(created, 'a POST configmaps 201 series');
    assert.ok(Number(created.split(' ').pop()) >= 3, created);
    assert.match(r.text, /^# TYPE apiserver_storage_objects gauge$/m);
    const stored = /^apiserver_storage_objects\{resource="configmaps"\}\s+(\d+)$/m.exec(r.text);
    assert.ok(stored, 'apiserver_storage_objects{resource="configmaps"}');
    assert.ok(Number(stored[1]) >= 3, stored[0]);
    const deployments = /^apiserver_storage_objects\{resource="deployments\.apps"\}\s+(\d+)$/m.exec(r.text);
    assert.ok(deployments, 'group resources are named resource.group');
  });

  test('/metrics needs credentials', async () => {
    const r = await ctx.api.request('GET', '/metrics', { anonymous: true });
    assert.equal(r.status, 401);
  });
});
