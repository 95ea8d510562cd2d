// Object metadata and lifecycle as kube-apiserver and its controllers define them: generateName,
// uid, generation, the status subresource, finalizers and deletionTimestamp, dryRun,
// deletecollection, scope, namespace deletion and garbage collection
// (k8s.io/apiserver/pkg/registry/{rest,generic/registry}, pkg/controller/{namespace,garbagecollector}).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForSuite, configMap, deployment, eventually, replicaSet, sleep } from './api-helpers.ts';

const cmPath = (ns: string, name = ''): string => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
const deployPath = (ns: string, name = ''): string => `/apis/apps/v1/namespaces/${ns}/deployments${name ? `/${name}` : ''}`;
const rsPath = (ns: string, name = ''): string => `/apis/apps/v1/namespaces/${ns}/replicasets${name ? `/${name}` : ''}`;
const MERGE = 'application/merge-patch+json';
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('API object metadata and lifecycle', () => {
  const ctx = serverForSuite({ before, after });

  async function namespace(name: string): Promise<any> {
    const r = await ctx.api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    assert.equal(r.status, 201, r.text);
    return r.json();
  }

  async function created(path: string, obj: unknown): Promise<any> {
    const r = await ctx.api.post(path, obj);
    assert.equal(r.status, 201, `POST ${path}: ${r.text}`);
    return r.json();
  }

  async function gone(path: string, timeoutMs: number, what: string): Promise<void> {
    await eventually(async () => (await ctx.api.get(path)).status === 404, timeoutMs, what);
  }


  test('generateName: the server appends a 5-character random suffix', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' }, data: {} };
    const a = await created(cmPath('default'), body);
    const b = await created(cmPath('default'), body);
    // k8s.io/apimachinery/pkg/util/rand: consonants and digits without look-alikes.
    assert.match(a.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.match(b.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.notEqual(a.metadata.name, b.metadata.name);
    assert.equal(a.metadata.generateName, 'gen-');
    assert.equal((await ctx.api.get(cmPath('default', a.metadata.name))).status, 200);
    // A long prefix is cut so the name fits in 63 characters.
    const long = await created(cmPath('default'), { ...body, metadata: { generateName: `${'p'.repeat(70)}-` } });
    assert.ok(long.metadata.name.length <= 63, long.metadata.name);
  });

  test('an explicit name wins over generateName', async () => {
    const o = await created(cmPath('default'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'explicit', generateName: 'gen-' } });
    assert.equal(o.metadata.name, 'explicit');
  });

  test('uid, creationTimestamp and resourceVersion are set by the server', async () => {
    const body = configMap('stamped');
    body.metadata.uid = 'client-chosen-uid';
    body.metadata.creationTimestamp = '2001-01-01T00:00:00Z';
    body.metadata.resourceVersion = '12345';
    body.metadata.selfLink = '/bogus';
    const r = await ctx.api.post(cmPath('default'), body);
    // Upstream rejects a create that carries a resourceVersion.
    if (r.status === 201) assert.fail('create with metadata.resourceVersion set must fail');
    assert.equal(r.status, 400, r.text);
    assert.match(r.json().message, /resourceVersion should not be set on objects to be created/);
    delete body.metadata.resourceVersion;
    const o = await created(cmPath('default'), body);
    assert.match(o.metadata.uid, UID);
    assert.notEqual(o.metadata.uid, 'client-chosen-uid');
    assert.match(o.metadata.creationTimestamp, RFC3339);
    assert.notEqual(o.metadata.creationTimestamp, '2001-01-01T00:00:00Z');
    assert.ok(Math.abs(Date.parse(o.metadata.creationTimestamp) - Date.now()) < 60_000, 'creationTimestamp is now');
    assert.match(o.metadata.resourceVersion, /^\d+$/);
    assert.equal(o.metadata.namespace, 'default', 'the namespace comes from the URL');
    // uid and creationTimestamp are immutable: an update cannot change them.
    const upd = structuredClone(o);
    upd.metadata.creationTimestamp = '2001-01-01T00:00:00Z';
    upd.data = { k: 'changed' };
    const r2 = await ctx.api.put(cmPath('default', 'stamped'), upd);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json().metadata.creationTimestamp, o.metadata.creationTimestamp);
    assert.equal(r2.json().metadata.uid, o.metadata.uid);
    assert.ok(Number(r2.json().metadata.resourceVersion) > Number(o.metadata.resourceVersion));
    const badUid = structuredClone(r2.json());
    badUid.metadata.uid = '00000000-0000-0000-0000-000000000000';
    const r3 = await ctx.api.put(cmPath('default', 'stamped'), badUid);
    assert.ok(r3.status === 409 || r3.status === 422, `changing the uid is refused: ${r3.status} ${r3.text}`);
  });

  test('the scale subresource gives the selector as a string, for LabelSelectors and for an RC\'s label map', async () => {
    await created(deployPath('default'), deployment('scale-sel', 0));
    const d = (await ctx.api.get(`${deployPath('default', 'scale-sel')}/scale`)).json();
    assert.match(d.status.selector, /^app=/);
    const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'scale-rc' }, spec: { replicas: 0, selector: { app: 'rc', tier: 'x' }, template: { metadata: { labels: { app: 'rc', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    assert.equal((await ctx.api.post('/api/v1/namespaces/default/replicationcontrollers', rc)).status, 201);
    const s = (await ctx.api.get('/api/v1/namespaces/default/replicationcontrollers/scale-rc/scale')).json();
    assert.equal(s.status.selector, 'app=rc,tier=x');
  });

  test('generation bumps on spec change only, not on a label change or a status update (Deployment)', async () => {
    const d = await created(deployPath('default'), deployment('gen-deploy', 1));
    assert.equal(d.metadata.generation, 1);
    const labeled = await ctx.api.patch(deployPath('default', 'gen-deploy'), { metadata: { labels: { extra: 'yes' } } }, MERGE);
    assert.equal(labeled.status, 200, labeled.text);
    assert.equal(labeled.json().metadata.generation, 1, 'a label change keeps the generation');
    const annotated = await ctx.api.patch(deployPath('default', 'gen-deploy'), { metadata: { annotations: { note: 'x' } } }, MERGE);
    assert.equal(annotated.json().metadata.generation, 1, 'an annotation change keeps the generation');
    const scaled = await ctx.api.patch(deployPath('default', 'gen-deploy'), { spec: { replicas: 3 } }, MERGE);
    assert.equal(scaled.json().metadata.generation, 2, 'a spec change bumps the generation');
    const same = await ctx.api.patch(deployPath('default', 'gen-deploy'), { spec: { replicas: 3 } }, MERGE);
    assert.equal(same.json().metadata.generation, 2, 'a no-op spec write keeps the generation');
    assert.equal(same.json().metadata.resourceVersion, scaled.json().metadata.resourceVersion, 'a no-op write does not change the resourceVersion');
    const status = await ctx.api.patch(deployPath('default', 'gen-deploy/status'), { status: { observedGeneration: 2, replicas: 3 } }, MERGE);
    assert.equal(status.status, 200, status.text);
    assert.equal(status.json().metadata.generation, 2, 'a status update keeps the generation');
    const image = await ctx.api.patch(deployPath('default', 'gen-deploy'), { spec: { template: { spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } } } }, 'application/strategic-merge-patch+json');
    assert.equal(image.json().metadata.generation, 3);
  });

  test('Deployment, status sub-resource: PUT /status changes only status; PUT to the main resource cannot change status', async () => {
    const d = await created(deployPath('default'), deployment('status-deploy', 2));
    assert.deepEqual(d.status ?? {}, {}, 'a new deployment has an empty status');
    const viaStatus = structuredClone(d);
    viaStatus.spec.replicas = 9;
    viaStatus.metadata.labels = { ...viaStatus.metadata.labels, via: 'status' };
    viaStatus.status = { observedGeneration: 1, replicas: 2, readyReplicas: 1, conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'not yet' }] };
    const r = await ctx.api.put(deployPath('default', 'status-deploy/status'), viaStatus);
    assert.equal(r.status, 200, r.text);
    const afterStatus = r.json();
    assert.equal(afterStatus.status.readyReplicas, 1, 'status was written');
    assert.equal(afterStatus.status.conditions[0].type, 'Available');
    assert.equal(afterStatus.spec.replicas, 2, 'spec is ignored by /status');
    assert.equal(afterStatus.metadata.labels.via, undefined, 'labels are ignored by /status for deployments');
    const stored = (await ctx.api.get(deployPath('default', 'status-deploy'))).json();
    assert.equal(stored.spec.replicas, 2);
    assert.equal(stored.status.readyReplicas, 1);

    const viaMain = structuredClone(stored);
    viaMain.spec.replicas = 4;
    viaMain.status = { observedGeneration: 99, replicas: 77, readyReplicas: 77 };
    const r2 = await ctx.api.put(deployPath('default', 'status-deploy'), viaMain);
    assert.equal(r2.status, 200, r2.text);
    const afterMain = r2.json();
    assert.equal(afterMain.spec.replicas, 4, 'spec was written');
    assert.equal(afterMain.status.readyReplicas, 1, 'status is ignored by the main resource');
    assert.equal(afterMain.status.observedGeneration, 1);
    // GET /status returns the whole object.
    const getStatus = (await ctx.api.get(deployPath('default', 'status-deploy/status'))).json();
    assert.equal(getStatus.kind, 'Deployment');
    assert.equal(getStatus.spec.replicas, 4);
  });

  test('Pods, patching status', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'status-pod', labels: { app: 'status-pod' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } };
    const p = await created('/api/v1/namespaces/default/pods', pod);
    assert.equal(p.status?.phase, 'Pending', 'a new pod is Pending');
    const r = await ctx.api.patch('/api/v1/namespaces/default/pods/status-pod/status',
      { metadata: { annotations: { patchedstatus: 'true' } }, status: { message: 'Patched by e2e test', reason: 'E2E' } }, MERGE);
    assert.equal(r.status, 200, r.text);
    const patched = r.json();
    assert.equal(patched.metadata.annotations?.patchedstatus, 'true');
    assert.equal(patched.status.message, 'Patched by e2e test');
    assert.equal(patched.status.reason, 'E2E');
    // The main resource ignores status.
    const main = await ctx.api.patch('/api/v1/namespaces/default/pods/status-pod', { status: { message: 'via main' } }, MERGE);
    assert.equal(main.status, 200, main.text);
    assert.equal(main.json().status.message, 'Patched by e2e test');
    // /status ignores spec.
    const spec = await ctx.api.patch('/api/v1/namespaces/default/pods/status-pod/status', { spec: { activeDeadlineSeconds: 5 } }, MERGE);
    assert.equal(spec.status, 200, spec.text);
    assert.equal(spec.json().spec.activeDeadlineSeconds, undefined);
  });

  describe('finalizers and deletionTimestamp', () => {
    test('an object with a finalizer is only marked for deletion; removing the finalizer deletes it; a watch sees DELETED', async () => {
      const o = await created(cmPath('default'), { ...configMap('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
      const w = await ctx.api.watch(`${cmPath('default')}?watch=true&fieldSelector=metadata.name%3Dheld&resourceVersion=${o.metadata.resourceVersion}`);
      try {
        const del = await ctx.api.del(cmPath('default', 'held'));
        assert.equal(del.status, 200, del.text);
        const marked = del.json();
        assert.equal(marked.kind, 'ConfigMap', 'the response is the object, still present');
        assert.match(marked.metadata.deletionTimestamp, RFC3339);
        assert.equal(marked.metadata.deletionGracePeriodSeconds, 0);
        assert.deepEqual(marked.metadata.finalizers, ['example.com/hold']);
        const got = await ctx.api.get(cmPath('default', 'held'));
        assert.equal(got.status, 200, 'still readable');
        assert.equal(got.json().metadata.deletionTimestamp, marked.metadata.deletionTimestamp);
        const mod = await w.waitFor((e) => e.type === 'MODIFIED');
        assert.ok(mod.object.metadata.deletionTimestamp, 'the watch sees the deletionTimestamp');
        // A second delete changes nothing.
        const again = await ctx.api.del(cmPath('default', 'held'));
        assert.equal(again.status, 200, again.text);
        assert.equal(again.json().metadata.deletionTimestamp, marked.metadata.deletionTimestamp);
        // Other updates still work, but no new finalizer can be added.
        const addFin = await ctx.api.patch(cmPath('default', 'held'), { metadata: { finalizers: ['example.com/hold', 'example.com/another'] } }, MERGE);
        assert.equal(addFin.status, 422, addFin.text);
        assert.match(addFin.json().message, /no new finalizers can be added if the object is being deleted/);
        // The deletionTimestamp cannot be cleared.
        const clear = await ctx.api.patch(cmPath('default', 'held'), { metadata: { deletionTimestamp: null } }, MERGE);
        assert.ok(clear.status === 200 || clear.status === 422, clear.text);
        assert.ok((await ctx.api.get(cmPath('default', 'held'))).json().metadata.deletionTimestamp, 'still being deleted');
        // Removing the last finalizer deletes the object.
        const rm = await ctx.api.patch(cmPath('default', 'held'), { metadata: { finalizers: null } }, MERGE);
        assert.equal(rm.status, 200, rm.text);
        const deleted = await w.waitFor((e) => e.type === 'DELETED');
        assert.equal(deleted.object.metadata.name, 'held');
        assert.equal((await ctx.api.get(cmPath('default', 'held'))).status, 404);
      } finally {
        w.close();
      }
    });

    test('delete without finalizers removes the object at once', async () => {
      const o = await created(cmPath('default'), configMap('plain-delete'));
      const del = await ctx.api.del(cmPath('default', 'plain-delete'));
      assert.equal(del.status, 200, del.text);
      const body = del.json();
      if (body.kind === 'Status') {
        assert.equal(body.status, 'Success');
        assert.equal(body.details.name, 'plain-delete');
        assert.equal(body.details.uid, o.metadata.uid);
      } else {
        assert.equal(body.metadata.name, 'plain-delete');
      }
      assert.equal((await ctx.api.get(cmPath('default', 'plain-delete'))).status, 404);
    });
  });

  describe('dryRun=All', () => {
    test('create, update, patch and delete with dryRun=All store nothing', async () => {
      const dry = await ctx.api.post(`${cmPath('default')}?dryRun=All`, configMap('dry'));
      assert.equal(dry.status, 201, dry.text);
      assert.equal(dry.json().metadata.name, 'dry');
      assert.match(dry.json().metadata.uid, UID, 'the answer is the object as it would be stored');
      assert.equal((await ctx.api.get(cmPath('default', 'dry'))).status, 404, 'nothing stored');

      const real = await created(cmPath('default'), configMap('dry-real', { data: { v: '1' } }));
      const upd = structuredClone(real);
      upd.data.v = '2';
      const u = await ctx.api.put(`${cmPath('default', 'dry-real')}?dryRun=All`, upd);
      assert.equal(u.status, 200, u.text);
      assert.equal(u.json().data.v, '2');
      const p = await ctx.api.patch(`${cmPath('default', 'dry-real')}?dryRun=All`, { data: { v: '3' } }, MERGE);
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json().data.v, '3');
      const d = await ctx.api.del(`${cmPath('default', 'dry-real')}?dryRun=All`);
      assert.equal(d.status, 200, d.text);
      const still = await ctx.api.get(cmPath('default', 'dry-real'));
      assert.equal(still.status, 200, 'dry-run delete kept it');
      assert.equal(still.json().data.v, '1', 'dry-run writes kept the stored value');
      assert.equal(still.json().metadata.resourceVersion, real.metadata.resourceVersion, 'no write happened');
      // A dry-run create still validates.
      const bad = await ctx.api.post(`${cmPath('default')}?dryRun=All`, configMap('Bad_Dry'));
      assert.equal(bad.status, 422, bad.text);
      // And still detects conflicts.
      const dup = await ctx.api.post(`${cmPath('default')}?dryRun=All`, configMap('dry-real'));
      assert.equal(dup.status, 409, dup.text);
    });

    test('an unknown dryRun value is 400 BadRequest', async () => {
      const r = await ctx.api.post(`${cmPath('default')}?dryRun=Some`, configMap('dry-bad'));
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json().reason, 'BadRequest');
    });
  });

  test('LimitRange, list, patch and delete a LimitRange by collection', async () => {
    await namespace('lr-one');
    await namespace('lr-two');
    const lr = (name: string): any => ({
      apiVersion: 'v1', kind: 'LimitRange', metadata: { name, labels: { 'e2e-limitrange': 'by-collection' } },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '500Mi' }, defaultRequest: { cpu: '100m', memory: '100Mi' } }] },
    });
    await created('/api/v1/namespaces/lr-one/limitranges', lr('limits-a'));
    await created('/api/v1/namespaces/lr-two/limitranges', lr('limits-b'));
    const sel = `labelSelector=${encodeURIComponent('e2e-limitrange=by-collection')}`;
    const all = (await ctx.api.get(`/api/v1/limitranges?${sel}`)).json();
    assert.deepEqual(all.items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`).sort(), ['lr-one/limits-a', 'lr-two/limits-b']);
    const patched = await ctx.api.patch('/api/v1/namespaces/lr-one/limitranges/limits-a',
      { metadata: { labels: { 'e2e-limitrange': 'by-collection', patched: 'true' } }, spec: { limits: [{ type: 'Container', default: { cpu: '600m', memory: '600Mi' } }] } }, 'application/strategic-merge-patch+json');
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json().metadata.labels.patched, 'true');
    assert.equal(patched.json().spec.limits[0].default.cpu, '600m');
    const dc = await ctx.api.del(`/api/v1/namespaces/lr-one/limitranges?${sel}`);
    assert.equal(dc.status, 200, dc.text);
    const body = dc.json();
    assert.ok(body.kind === 'LimitRangeList' || (body.kind === 'Status' && body.status === 'Success'), dc.text);
    const left = (await ctx.api.get(`/api/v1/limitranges?${sel}`)).json();
    assert.deepEqual(left.items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`), ['lr-two/limits-b'], 'only the one in lr-one was deleted');
  });

  test('deletecollection deletes only what the label selector matches', async () => {
    await namespace('dc');
    await created(cmPath('dc'), configMap('keep-1', { labels: { app: 'keep' } }));
    await created(cmPath('dc'), configMap('drop-1', { labels: { app: 'drop' } }));
    await created(cmPath('dc'), configMap('drop-2', { labels: { app: 'drop' } }));
    const r = await ctx.api.del(`${cmPath('dc')}?labelSelector=app%3Ddrop`);
    assert.equal(r.status, 200, r.text);
    const names = (await ctx.api.get(cmPath('dc'))).json().items.map((o: any) => o.metadata.name);
    assert.deepEqual(names, ['keep-1']);
    // With dryRun nothing goes.
    const dry = await ctx.api.del(`${cmPath('dc')}?dryRun=All`);
    assert.equal(dry.status, 200, dry.text);
    assert.equal((await ctx.api.get(cmPath('dc'))).json().items.length, 1);
  });

  describe('scope', () => {
    test('namespaced resources: the namespace comes from the path; all-namespace list; no create without a namespace', async () => {
      await namespace('scope-a');
      const o = await created(cmPath('scope-a'), configMap('scoped'));
      assert.equal(o.metadata.namespace, 'scope-a');
      const all = (await ctx.api.get('/api/v1/configmaps')).json();
      assert.ok(all.items.some((x: any) => x.metadata.namespace === 'scope-a' && x.metadata.name === 'scoped'));
      assert.equal((await ctx.api.get(cmPath('default', 'scoped'))).status, 404, 'names are per namespace');
      await created(cmPath('default'), configMap('scoped'));
      const r = await ctx.api.post('/api/v1/configmaps', configMap('no-ns'));
      assert.equal(r.status, 405, `POST to the all-namespaces path: ${r.status} ${r.text}`);
    });

    test('cluster-scoped resources: no namespace in the path or the stored object', async () => {
      const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'scope-node', namespace: 'default' } };
      const n = await created('/api/v1/nodes', node);
      assert.equal(n.metadata.namespace, undefined, 'a namespace sent for a cluster-scoped object is dropped');
      assert.equal((await ctx.api.get('/api/v1/nodes/scope-node')).status, 200);
      assert.equal((await ctx.api.get('/api/v1/namespaces/default/nodes/scope-node')).status, 404);
      const ns = (await ctx.api.get('/api/v1/namespaces/default')).json();
      assert.equal(ns.metadata.namespace, undefined);
    });
  });

  test('the system namespaces exist at start', async () => {
    const list = (await ctx.api.get('/api/v1/namespaces')).json();
    const byName = new Map<string, any>(list.items.map((n: any) => [n.metadata.name, n]));
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const ns = byName.get(name);
      assert.ok(ns, `${name} exists`);
      assert.equal(ns.status.phase, 'Active', name);
      assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], name, `${name} carries its name label`);
      assert.deepEqual(ns.spec.finalizers, ['kubernetes'], name);
    }
  });

  test('Find Kubernetes Service in default Namespace', async () => {
    const r = await ctx.api.get('/api/v1/namespaces/default/services/kubernetes');
    assert.equal(r.status, 200, r.text);
    const svc = r.json();
    assert.equal(svc.spec.ports[0].port, 443);
    assert.equal(svc.spec.ports[0].name, 'https');
    assert.equal(svc.metadata.labels?.component, 'apiserver');
    assert.equal(svc.metadata.labels?.provider, 'kubernetes');
  });

  test('a new namespace gets the kubernetes finalizer and its name label', async () => {
    const ns = await namespace('fresh-ns');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.status.phase, 'Active');
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'fresh-ns');
  });

  test('namespace-deletion-removes-services', async () => {
    const ns = 'nsdelete';
    await namespace(ns);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'test-service' }, spec: { selector: { foo: 'bar' }, ports: [{ port: 80, targetPort: 80 }] } };
    await created(`/api/v1/namespaces/${ns}/services`, svc);
    await created(cmPath(ns), configMap('in-ns'));
    const del = await ctx.api.del(`/api/v1/namespaces/${ns}`);
    assert.equal(del.status, 200, del.text);
    const terminating = del.json();
    assert.equal(terminating.kind, 'Namespace');
    assert.ok(terminating.metadata.deletionTimestamp, 'marked for deletion');
    assert.equal(terminating.status.phase, 'Terminating');
    // No new content in a terminating namespace.
    const late = await ctx.api.post(cmPath(ns), configMap('too-late'));
    if ((await ctx.api.get(`/api/v1/namespaces/${ns}`)).status === 200) {
      assert.equal(late.status, 403, late.text);
      assert.equal(late.json().reason, 'Forbidden');
      assert.match(late.json().message, new RegExp(`unable to create new content in namespace ${ns} because it is being terminated`));
    }
    await gone(`/api/v1/namespaces/${ns}`, 20_000, `namespace ${ns} to go`);
    assert.equal((await ctx.api.get(`/api/v1/namespaces/${ns}/services/test-service`)).status, 404);
    assert.equal((await ctx.api.get(cmPath(ns, 'in-ns'))).status, 404);
    const leftovers = (await ctx.api.get(`/api/v1/services?fieldSelector=metadata.namespace%3D${ns}`)).json();
    assert.deepEqual(leftovers.items, []);
    // The name can be used again.
    await namespace(ns);
    assert.equal((await ctx.api.get(`/api/v1/namespaces/${ns}/services/test-service`)).status, 404, 'a recreated namespace starts empty');
  });

  describe('garbage collection', () => {
    async function ownerAndDependent(ns: string, name: string, holdDependent = false): Promise<{ d: any; rs: any }> {
      const d = await created(deployPath(ns), deployment(name));
      const rsBody = replicaSet(`${name}-rs`, { name, uid: d.metadata.uid });
      // Labelled to match the Deployment's selector: its controller releases a ReplicaSet it owns
      // whose labels do not (controller_ref_manager.go), which would race the garbage collector.
      rsBody.metadata.labels = { app: name };
      if (holdDependent) rsBody.metadata.finalizers = ['example.com/hold'];
      const rs = await created(rsPath(ns), rsBody);
      assert.equal(rs.metadata.ownerReferences[0].uid, d.metadata.uid);
      return { d, rs };
    }

    before(async () => { await namespace('gc'); });

    test('Garbage Collector, delete deployment,  propagation policy background', async () => {
      await ownerAndDependent('gc', 'bg');
      const del = await ctx.api.del(deployPath('gc', 'bg'), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
      assert.equal(del.status, 200, del.text);
      assert.equal((await ctx.api.get(deployPath('gc', 'bg'))).status, 404, 'the owner goes at once');
      await gone(rsPath('gc', 'bg-rs'), 20_000, 'the replicaset to be collected');
    });

    test('Garbage Collector, delete deployment, propagation policy orphan', async () => {
      const { rs } = await ownerAndDependent('gc', 'orphan');
      const del = await ctx.api.del(deployPath('gc', 'orphan'), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Orphan' });
      assert.equal(del.status, 200, del.text);
      await gone(deployPath('gc', 'orphan'), 20_000, 'the deployment to go');
      const left = await eventually(async () => {
        const r = await ctx.api.get(rsPath('gc', 'orphan-rs'));
        if (r.status !== 200) throw new Error(`the orphaned replicaset is gone: ${r.status}`);
        const o = r.json();
        return (o.metadata.ownerReferences ?? []).length === 0 ? o : undefined;
      }, 20_000, 'the replicaset to lose its ownerReference');
      assert.equal(left.metadata.uid, rs.metadata.uid, 'the same replicaset stays');
      assert.equal(left.metadata.deletionTimestamp, undefined);
      await sleep(1000);
      assert.equal((await ctx.api.get(rsPath('gc', 'orphan-rs'))).status, 200, 'and is not collected later');
    });

    test('Garbage Collector, delete deployment, propagation policy foreground: the owner waits for its dependents', async () => {
      await ownerAndDependent('gc', 'fg', true);
      const del = await ctx.api.del(deployPath('gc', 'fg'), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground' });
      assert.ok(del.status === 200 || del.status === 202, del.text);
      const owner = (await ctx.api.get(deployPath('gc', 'fg'))).json();
      assert.ok(owner.metadata.deletionTimestamp, 'the owner is marked');
      assert.ok(owner.metadata.finalizers?.includes('foregroundDeletion'), `foregroundDeletion finalizer: ${JSON.stringify(owner.metadata.finalizers)}`);
      // The GC deletes the dependent; its own finalizer holds it, and so holds the owner.
      await eventually(async () => Boolean((await ctx.api.get(rsPath('gc', 'fg-rs'))).json().metadata.deletionTimestamp), 20_000, 'the dependent to be deleted');
      await sleep(1500);
      const still = await ctx.api.get(deployPath('gc', 'fg'));
      assert.equal(still.status, 200, 'the owner stays while a blocking dependent exists');
      assert.ok(still.json().metadata.finalizers.includes('foregroundDeletion'));
      const release = await ctx.api.patch(rsPath('gc', 'fg-rs'), { metadata: { finalizers: null } }, MERGE);
      assert.equal(release.status, 200, release.text);
      await gone(rsPath('gc', 'fg-rs'), 20_000, 'the dependent to go');
      await gone(deployPath('gc', 'fg'), 20_000, 'the owner to go after its dependent');
    });

    test('a dependent whose owner does not exist is collected', async () => {
      await created(rsPath('gc'), replicaSet('dangling-rs', { name: 'never-existed', uid: '11111111-2222-3333-4444-555555555555' }));
      await gone(rsPath('gc', 'dangling-rs'), 20_000, 'the dangling replicaset to be collected');
    });

    test('a dependent with a remaining owner stays; the deleted owner is dropped from its ownerReferences', async () => {
      const a = await created(deployPath('gc'), deployment('owner-a'));
      const b = await created(deployPath('gc'), deployment('owner-b'));
      const rs = replicaSet('two-owners-rs');
      rs.metadata.ownerReferences = [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'owner-a', uid: a.metadata.uid },
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'owner-b', uid: b.metadata.uid },
      ];
      await created(rsPath('gc'), rs);
      assert.equal((await ctx.api.del(deployPath('gc', 'owner-a'), { propagationPolicy: 'Background' })).status, 200);
      const left = await eventually(async () => {
        const o = (await ctx.api.get(rsPath('gc', 'two-owners-rs'))).json();
        return o.metadata.ownerReferences?.length === 1 ? o : undefined;
      }, 20_000, 'the deleted owner to be dropped from ownerReferences');
      assert.equal(left.metadata.ownerReferences[0].name, 'owner-b');
      assert.equal(left.metadata.deletionTimestamp, undefined);
    });
  });
});
