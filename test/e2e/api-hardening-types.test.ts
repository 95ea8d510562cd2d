// Typed decoding (issue 14): a body with a field of the wrong type is refused before anything is
// converted, defaulted, validated or stored — 400 for create/update bodies (upstream's
// `Pod in version "v1" cannot be handled as a Pod: …`), 422 on field `patch` for a patch whose
// result does not decode, 400 for an apply configuration that does not (upstream's "failed to
// create typed patch object"). Nulls decode as Go decodes them. One server for the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { serverForSuite, statusOf, type ApiResponse } from './api-helpers.ts';

const ctx = serverForSuite({ before, after }, { extraArgs: ['--no-controllers', '--no-scheduler'] });

const NS = 'typed';
const PODS = `/api/v1/namespaces/${NS}/pods`;
const CMS = `/api/v1/namespaces/${NS}/configmaps`;
const DEPLOYS = `/apis/apps/v1/namespaces/${NS}/deployments`;
const SVCS = `/api/v1/namespaces/${NS}/services`;
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const APPLY = 'application/apply-patch+yaml';

const pod = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, ...meta },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const container = (extra: Record<string, unknown>): Record<string, unknown> => ({ name: 'c', image: 'busybox', ...extra });
const cm = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' }, ...extra });
const deploy = (name: string, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    replicas: 1, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    ...spec,
  },
});

function expectStatus(r: ApiResponse, code: number, reason: string): ReturnType<typeof statusOf> {
  assert.equal(r.status, code, r.text.slice(0, 500));
  const st = statusOf(r);
  assert.equal(st.kind, 'Status');
  assert.equal(st.code, code);
  assert.equal(st.reason, reason);
  return st;
}

/** 400 BadRequest naming the kind, the field and the Go type the field has. */
function expectDecodeError(r: ApiResponse, kind: string, field: string, type: string): void {
  const st = expectStatus(r, 400, 'BadRequest');
  assert.ok(st.message.startsWith(`${kind} in version "v1" cannot be handled as a ${kind}: `), st.message);
  assert.ok(st.message.includes(`${field}: `), `${st.message} does not name ${field}`);
  assert.ok(st.message.includes(`of type ${type}`), `${st.message} does not name ${type}`);
}

async function absent(path: string): Promise<void> {
  const r = await ctx.api.get(path);
  assert.equal(r.status, 404, `${path} was stored: ${r.text.slice(0, 300)}`);
}

describe('typed decoding', () => {
  before(async () => {
    const r = await ctx.api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    assert.equal(r.status, 201, r.text);
  });

  describe('create with a wrongly typed field: 400, nothing stored', () => {
    const cases: Array<[string, string, Record<string, unknown>, string, string, string]> = [
      ['spec.containers: {}', PODS, pod('t-containers-obj', { containers: {} }), 'Pod', 'spec.containers', '[]v1.Container'],
      ['ports: "x"', PODS, pod('t-ports-str', { containers: [container({ ports: 'x' })] }), 'Pod', 'spec.containers[0].ports', '[]v1.ContainerPort'],
      ['ports: [5]', PODS, pod('t-ports-num', { containers: [container({ ports: [5] })] }), 'Pod', 'spec.containers[0].ports[0]', 'v1.ContainerPort'],
      ['finalizers: 5', PODS, pod('t-fin-num', {}, { finalizers: 5 }), 'Pod', 'metadata.finalizers', '[]string'],
      ['finalizers: true', PODS, pod('t-fin-bool', {}, { finalizers: true }), 'Pod', 'metadata.finalizers', '[]string'],
      ['ownerReferences: "str"', PODS, pod('t-owners', {}, { ownerReferences: 'str' }), 'Pod', 'metadata.ownerReferences', '[]v1.OwnerReference'],
      ['shareProcessNamespace: "str"', PODS, pod('t-share', { shareProcessNamespace: 'str' }), 'Pod', 'spec.shareProcessNamespace', 'bool'],
      ['containerPort past int32', PODS, pod('t-port-big', { containers: [container({ ports: [{ containerPort: 3000000000 }] })] }), 'Pod', 'spec.containers[0].ports[0].containerPort', 'int32'],
      ['a bad quantity', PODS, pod('t-qty', { containers: [container({ resources: { limits: { cpu: 'lots' } } })] }), 'Pod', 'spec.containers[0].resources.limits[cpu]', ''],
      ['data: "x"', CMS, cm('t-data-str', { data: 'x' }), 'ConfigMap', 'data', 'map[string]string'],
      ['binaryData not base64', CMS, cm('t-binary', { binaryData: { b: 'not base64!' } }), 'ConfigMap', 'binaryData[b]', ''],
      ['paused: "str"', DEPLOYS, deploy('t-paused', { paused: 'str' }), 'Deployment', 'spec.paused', 'bool'],
      ['replicas past int32', DEPLOYS, deploy('t-replicas', { replicas: 2 ** 31 }), 'Deployment', 'spec.replicas', 'int32'],
      ['targetPort: true', SVCS, { apiVersion: 'v1', kind: 'Service', metadata: { name: 't-svc' }, spec: { ports: [{ port: 80, targetPort: true }] } }, 'Service', 'spec.ports[0].targetPort', 'intstr.IntOrString'],
    ];
    for (const [what, path, body, kind, field, type] of cases) {
      test(what, async () => {
        const r = await ctx.api.post(path, body);
        if (type) expectDecodeError(r, kind, field, type);
        else assert.ok(expectStatus(r, 400, 'BadRequest').message.includes(`${field}: `), r.text);
        await absent(`${path}/${(body.metadata as { name: string }).name}`);
      });
    }

    test('metadata: 5', async () => {
      const r = await ctx.api.post(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: 5, spec: { containers: [container({})] } });
      expectDecodeError(r, 'Pod', 'metadata', 'v1.ObjectMeta');
      const list = await ctx.api.get(PODS);
      assert.equal(list.json().items.length, 0, 'no pod was stored');
    });

    test('containers: [null] decodes as one empty container, which validation refuses (422)', async () => {
      const r = await ctx.api.post(PODS, pod('t-null-container', { containers: [null] }));
      const st = expectStatus(r, 422, 'Invalid');
      assert.ok(st.details.causes.some((c: { field: string }) => c.field === 'spec.containers[0].name'), r.text);
      await absent(`${PODS}/t-null-container`);
    });

    test('a number beyond 2^53 cannot be kept exactly: refused, not rounded', async () => {
      const body = JSON.stringify(pod('t-grace', { terminationGracePeriodSeconds: 1 })).replace('"terminationGracePeriodSeconds":1', '"terminationGracePeriodSeconds":9007199254740993');
      const r = await ctx.api.post(PODS, body);
      expectDecodeError(r, 'Pod', 'spec.terminationGracePeriodSeconds', 'int64');
      await absent(`${PODS}/t-grace`);
    });

    test('YAML bodies are checked as JSON ones are', async () => {
      const r = await ctx.api.post(CMS, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t-yaml\ndata: [a, b]\n', { contentType: 'application/yaml' });
      expectDecodeError(r, 'ConfigMap', 'data', 'map[string]string');
      await absent(`${CMS}/t-yaml`);
    });
  });

  describe('update and patches of a stored object', () => {
    let podRV = '';
    let cmRV = '';
    before(async () => {
      const p = await ctx.api.post(PODS, pod('keep', {}, { labels: { a: 'b' } }));
      assert.equal(p.status, 201, p.text);
      podRV = p.json().metadata.resourceVersion as string;
      const c = await ctx.api.post(CMS, cm('keep'));
      assert.equal(c.status, 201, c.text);
      cmRV = c.json().metadata.resourceVersion as string;
    });
    async function unchanged(): Promise<void> {
      const p = await ctx.api.get(`${PODS}/keep`);
      assert.equal(p.status, 200);
      assert.equal(p.json().metadata.resourceVersion, podRV, 'the pod was changed');
      const c = await ctx.api.get(`${CMS}/keep`);
      assert.equal(c.json().metadata.resourceVersion, cmRV, 'the configmap was changed');
      assert.deepEqual(c.json().data, { k: 'v' });
    }

    test('PUT with a wrongly typed field: 400', async () => {
      const cur = (await ctx.api.get(`${CMS}/keep`)).json();
      const r = await ctx.api.put(`${CMS}/keep`, { ...cur, data: 'x' });
      expectDecodeError(r, 'ConfigMap', 'data', 'map[string]string');
      const p = (await ctx.api.get(`${PODS}/keep`)).json();
      const r2 = await ctx.api.put(`${PODS}/keep`, { ...p, metadata: { ...p.metadata, finalizers: 5 } });
      expectDecodeError(r2, 'Pod', 'metadata.finalizers', '[]string');
      await unchanged();
    });

    test('PUT naming another namespace: 400 without echoing it', async () => {
      const cur = (await ctx.api.get(`${CMS}/keep`)).json();
      const r = await ctx.api.put(`${CMS}/keep`, { ...cur, metadata: { ...cur.metadata, namespace: 'x'.repeat(100_000) } });
      const st = expectStatus(r, 400, 'BadRequest');
      assert.equal(st.message, 'the namespace of the provided object does not match the namespace sent on the request');
      await unchanged();
    });

    const patchCases: Array<[string, string, string, unknown]> = [
      ['merge: data: "x"', `${CMS}/keep`, MERGE, { data: 'x' }],
      ['merge: finalizers: true', `${PODS}/keep`, MERGE, { metadata: { finalizers: true } }],
      ['merge: ownerReferences: "str"', `${PODS}/keep`, MERGE, { metadata: { ownerReferences: 'str' } }],
      ['merge: spec.containers: {}', `${PODS}/keep`, MERGE, { spec: { containers: {} } }],
      ['merge: shareProcessNamespace: "str"', `${PODS}/keep`, MERGE, { spec: { shareProcessNamespace: 'str' } }],
      ['strategic: finalizers: 5', `${PODS}/keep`, STRATEGIC, { metadata: { finalizers: 5 } }],
      ['strategic: activeDeadlineSeconds: "x"', `${PODS}/keep`, STRATEGIC, { spec: { activeDeadlineSeconds: 'x' } }],
      ['json patch: replace /data with "x"', `${CMS}/keep`, JSON_PATCH, [{ op: 'replace', path: '/data', value: 'x' }]],
      ['json patch: add /spec/containers/0/ports [5]', `${PODS}/keep`, JSON_PATCH, [{ op: 'add', path: '/spec/containers/0/ports', value: [5] }]],
      ['json patch: containerPort past int32', `${PODS}/keep`, JSON_PATCH, [{ op: 'add', path: '/spec/containers/0/ports', value: [{ containerPort: 2 ** 31 }] }]],
    ];
    for (const [what, path, type, body] of patchCases) {
      test(`${what}: 422 on field patch`, async () => {
        const r = await ctx.api.patch(path, body, type);
        const st = expectStatus(r, 422, 'Invalid');
        assert.equal(st.details.causes?.[0]?.field, 'patch', r.text);
        await unchanged();
      });
    }

    test('metadata: null (or 5) in a patch is 422 and changes nothing', async () => {
      for (const [type, body] of [[MERGE, { metadata: null }], [STRATEGIC, { metadata: null }], [JSON_PATCH, [{ op: 'replace', path: '/metadata', value: null }]], [JSON_PATCH, [{ op: 'replace', path: '/metadata', value: 5 }]]] as const) {
        const r = await ctx.api.patch(`${CMS}/keep`, body, type);
        assert.equal(r.status, 422, `${type} ${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 300)}`);
        assert.equal(statusOf(r).reason, 'Invalid');
        assert.equal(statusOf(r).details?.causes?.[0]?.field, 'patch');
      }
      await unchanged();
    });

    test('server-side apply: a wrongly typed configuration is 400 (failed to create typed patch object)', async () => {
      const r = await ctx.api.patch(`${CMS}/keep?fieldManager=t`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: 'x' }), APPLY);
      const st = expectStatus(r, 400, 'BadRequest');
      assert.ok(st.message.includes('failed to create typed patch object') && st.message.includes('data: '), st.message);
      const r2 = await ctx.api.patch(`${PODS}/keep?fieldManager=t`, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'keep' }, spec: { shareProcessNamespace: 'str' } }), APPLY);
      expectStatus(r2, 400, 'BadRequest');
      await unchanged();
    });

    test('a valid patch with nulls stores no nulls', async () => {
      const c = await ctx.api.post(CMS, cm('nulls'));
      assert.equal(c.status, 201, c.text);
      const p = await ctx.api.patch(`${CMS}/nulls`, [{ op: 'add', path: '/metadata/labels', value: { a: null } }, { op: 'add', path: '/data/n', value: null }], JSON_PATCH);
      assert.equal(p.status, 200, p.text);
      assert.deepEqual(p.json().metadata.labels, { a: '' });
      assert.deepEqual(p.json().data, { k: 'v', n: '' });
      assert.equal((await ctx.api.del(`${CMS}/nulls`)).status, 200);
    });
  });

  describe('subresource and option bodies', () => {
    before(async () => {
      assert.equal((await ctx.api.post(PODS, pod('sub'))).status, 201);
      assert.equal((await ctx.api.post(DEPLOYS, deploy('sub'))).status, 201);
      assert.equal((await ctx.api.post(`/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } })).status, 201);
    });

    test('scale: PUT with replicas "3" is 400, a patch to it is 422', async () => {
      const scale = (await ctx.api.get(`${DEPLOYS}/sub/scale`)).json();
      const r = await ctx.api.put(`${DEPLOYS}/sub/scale`, { ...scale, spec: { replicas: '3' } });
      expectDecodeError(r, 'Scale', 'spec.replicas', 'int32');
      const p = await ctx.api.patch(`${DEPLOYS}/sub/scale`, { spec: { replicas: '3' } }, MERGE);
      assert.equal(expectStatus(p, 422, 'Invalid').details.causes[0].field, 'patch');
      const a = await ctx.api.patch(`${DEPLOYS}/sub/scale?fieldManager=t`, JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'sub' }, spec: { replicas: 'x' } }), APPLY);
      expectStatus(a, 400, 'BadRequest');
      assert.equal((await ctx.api.get(`${DEPLOYS}/sub`)).json().spec.replicas, 1);
    });

    test('binding: target "x" is 400 and the pod stays unbound', async () => {
      const r = await ctx.api.post(`${PODS}/sub/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'sub' }, target: 'x' });
      expectDecodeError(r, 'Binding', 'target', 'v1.ObjectReference');
      assert.equal((await ctx.api.get(`${PODS}/sub`)).json().spec.nodeName, undefined);
    });

    test('eviction: deleteOptions "x" is 400 and the pod stays', async () => {
      const r = await ctx.api.post(`${PODS}/sub/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'sub' }, deleteOptions: 'x' });
      expectDecodeError(r, 'Eviction', 'deleteOptions', 'v1.DeleteOptions');
      assert.equal((await ctx.api.get(`${PODS}/sub`)).status, 200);
    });

    test('eviction: a body that does not name the pod is 400 and the pod stays', async () => {
      const r = await ctx.api.post(`${PODS}/sub/eviction`, {});
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json().message, 'name in URL does not match name in Eviction object');
      const r2 = await ctx.api.post(`${PODS}/sub/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } });
      assert.equal(r2.status, 400, r2.text);
      assert.equal((await ctx.api.get(`${PODS}/sub`)).status, 200);
    });

    test('DeleteOptions: gracePeriodSeconds "0" and dryRun "All" are 400 and nothing is deleted', async () => {
      const r = await ctx.api.del(`${PODS}/sub`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: '0' });
      expectDecodeError(r, 'DeleteOptions', 'gracePeriodSeconds', 'int64');
      const r2 = await ctx.api.del(`${PODS}/sub`, { apiVersion: 'v1', kind: 'DeleteOptions', dryRun: 'All' });
      expectDecodeError(r2, 'DeleteOptions', 'dryRun', '[]string');
      const p = await ctx.api.get(`${PODS}/sub`);
      assert.equal(p.status, 200);
      assert.equal(p.json().metadata.deletionTimestamp, undefined);
    });

    test('TokenRequest: expirationSeconds "x" is 400', async () => {
      const r = await ctx.api.post(`/api/v1/namespaces/${NS}/serviceaccounts/sa/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 'x' } });
      expectDecodeError(r, 'TokenRequest', 'spec.expirationSeconds', 'int64');
      const ok = await ctx.api.post(`/api/v1/namespaces/${NS}/serviceaccounts/sa/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600, audiences: null } });
      assert.equal(ok.status, 201, ok.text);
    });
  });

  describe('valid objects still decode', () => {
    test('the kubectl fixtures (test/e2e/fixtures/*.yaml) create', async () => {
      const paths: Record<string, string> = { Deployment: DEPLOYS, Service: SVCS, ConfigMap: CMS };
      const docs = parseAllDocuments(readFileSync(new URL('./fixtures/app.yaml', import.meta.url), 'utf8')).map((d) => d.toJSON() as { kind: string; metadata: { name: string } });
      assert.ok(docs.length >= 3);
      for (const d of docs) {
        const path = paths[d.kind];
        assert.ok(path, `no endpoint for ${d.kind} in this test`);
        const r = await ctx.api.post(path, d);
        assert.equal(r.status, 201, `${d.kind} ${d.metadata.name}: ${r.text.slice(0, 500)}`);
        assert.equal((await ctx.api.del(`${path}/${d.metadata.name}`)).status, 200);
      }
    });

    test('nulls are accepted where Go accepts them and nothing null is stored', async () => {
      const body = pod('with-nulls', {
        containers: [container({ args: [null, 'x'], env: [{ name: 'A', value: null }], securityContext: null, resources: { limits: { cpu: null } } })],
        nodeSelector: null, tolerations: null,
      }, { creationTimestamp: null, labels: { a: null }, annotations: null });
      (body as { status: unknown }).status = null;
      const r = await ctx.api.post(PODS, body);
      assert.equal(r.status, 201, r.text.slice(0, 500));
      const got = (await ctx.api.get(`${PODS}/with-nulls`)).json();
      const c = got.spec.containers[0];
      assert.deepEqual(c.args, ['', 'x']);
      assert.deepEqual(c.env, [{ name: 'A' }]);
      assert.equal(c.resources.limits.cpu, '0');
      assert.deepEqual(got.metadata.labels, { a: '' });
      assert.equal(got.metadata.annotations, undefined);
      assert.equal(got.spec.nodeSelector, undefined);
      assert.ok(!JSON.stringify(got.spec).includes('null'), JSON.stringify(got.spec));
      assert.equal((await ctx.api.del(`${PODS}/with-nulls`)).status, 200);
    });

    test('int-or-string and quantities in both forms', async () => {
      const r = await ctx.api.post(PODS, pod('both-forms', {
        containers: [container({
          ports: [{ containerPort: 8080, name: 'http' }],
          readinessProbe: { tcpSocket: { port: 'http' } }, livenessProbe: { tcpSocket: { port: 8080 } },
          resources: { requests: { cpu: 0.5, memory: '64Mi' }, limits: { cpu: 1, memory: 134217728 } },
        })],
      }));
      assert.equal(r.status, 201, r.text.slice(0, 500));
      assert.equal((await ctx.api.del(`${PODS}/both-forms`)).status, 200);
    });
  });
});
