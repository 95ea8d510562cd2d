// Patches, server-side apply and list/watch query parameters against a real server (issue 14):
// the JSON Patch copy bomb, patches nested past the stack, strategic merge directives of the wrong
// type, applied configurations with duplicate or missing list-map keys, crafted continue tokens
// (which must never list another namespace) and resourceVersions the server has not reached.
// Every answer is a Status with an exact 4xx code (504 Timeout for too large versions, as
// upstream), nothing is stored, and /readyz stays healthy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configMap, deployment, serverForSuite, type ApiResponse } from './api-helpers.ts';

const ctx = serverForSuite({ before, after }, { extraArgs: ['--no-controllers', '--no-scheduler'] });

const NS_A = 'patches-a';
const NS_B = 'patches-b';
const cmPath = (ns: string): string => `/api/v1/namespaces/${ns}/configmaps`;
const deployPath = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/deployments`;

const JSON_PATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

/** The response is a Status with this code and reason; returns it. */
function expectStatus(r: ApiResponse, code: number, reason: string, message?: RegExp): any {
  assert.equal(r.status, code, `${r.status} ${r.text.slice(0, 500)}`);
  const s = r.json();
  assert.equal(s.kind, 'Status');
  assert.equal(s.status, 'Failure');
  assert.equal(s.code, code);
  assert.equal(s.reason, reason);
  if (message) assert.match([s.message, ...(s.details?.causes ?? []).map((c: { message: string }) => c.message)].join(' | '), message);
  return s;
}

const deep = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const token = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe('API hardening: patches, apply, list and watch parameters', () => {
  before(async () => {
    for (const ns of [NS_A, NS_B]) {
      const r = await ctx.api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      assert.equal(r.status, 201, r.text);
    }
    for (const name of ['cm-0', 'cm-1', 'cm-2']) assert.equal((await ctx.api.post(cmPath(NS_A), configMap(name))).status, 201);
    assert.equal((await ctx.api.post(cmPath(NS_B), configMap('secret-b'))).status, 201);
  });

  describe('JSON Patch', () => {
    test('the copy bomb (14 copies of annotations into themselves) is a fast 422 and changes nothing', async () => {
      const cm = configMap('bomb');
      cm.metadata.annotations = { a: 'x'.repeat(1024) };
      assert.equal((await ctx.api.post(cmPath(NS_A), cm)).status, 201);
      const before = (await ctx.api.get(`${cmPath(NS_A)}/bomb`)).json();
      const ops = Array.from({ length: 14 }, (_, i) => ({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/x${i}` }));
      const started = Date.now();
      const r = await ctx.api.patch(`${cmPath(NS_A)}/bomb`, ops, JSON_PATCH);
      expectStatus(r, 422, 'Invalid', /copy operation does not apply: the values copied by this patch add up to more than 3145728 bytes/);
      assert.ok(Date.now() - started < 10_000, 'refused without building the object');
      const afterPatch = (await ctx.api.get(`${cmPath(NS_A)}/bomb`)).json();
      assert.equal(afterPatch.metadata.resourceVersion, before.metadata.resourceVersion);
      assert.deepEqual(afterPatch.metadata.annotations, before.metadata.annotations);
    });

    test('bad operations, pointers and indices are 4xx', async () => {
      const p = `${cmPath(NS_A)}/cm-0`;
      const cases: Array<[unknown, number, string, RegExp]> = [
        [{ op: 'add' }, 400, 'BadRequest', /must be an array/],
        ['"x"', 400, 'BadRequest', /must be an array/],
        [[5], 400, 'BadRequest', /operation 0: must be an object, got number/],
        [[{ op: 'add', path: 5, value: 1 }], 400, 'BadRequest', /"path" must be a string/],
        [[{ op: 'add', path: 'data/x', value: 1 }], 400, 'BadRequest', /must be empty or start with "\/"/],
        [[{ op: 'move', from: '/data', path: '/data/x' }], 422, 'Invalid', /is a prefix of "path"/],
        [[{ op: 'test', path: '/data/k', value: 'nope' }], 422, 'Invalid', /test operation failed/],
        [[{ op: 'add', path: '/metadata/finalizers', value: [] }, { op: 'add', path: '/metadata/finalizers/01', value: 'x' }], 422, 'Invalid', /not a valid array index/],
        [[{ op: 'add', path: '/metadata/finalizers', value: [] }, { op: 'add', path: '/metadata/finalizers/99999999999999999999', value: 'x' }], 422, 'Invalid', /out of bounds/],
        [[{ op: 'remove', path: '/metadata/labels/-' }], 422, 'Invalid', /missing path/],
        [[{ op: 'replace', path: '/metadata', value: 5 }], 422, 'Invalid', /cannot decode number into metadata/],
      ];
      for (const [body, code, reason, message] of cases) expectStatus(await ctx.api.patch(p, body, JSON_PATCH), code, reason, message);
      const ops = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }));
      expectStatus(await ctx.api.patch(p, ops, JSON_PATCH), 413, 'RequestEntityTooLarge', /maximum operations in a JSON patch is 10000/);
    });
  });

  describe('patches nested past the stack and patches of the wrong shape', () => {
    test('10,000-deep patches of every type are 400s', async () => {
      const p = `${cmPath(NS_A)}/cm-1`;
      expectStatus(await ctx.api.patch(p, `{"metadata":{"labels":${deep(10_000)}}}`, MERGE), 400, 'BadRequest', /nested too deeply/);
      expectStatus(await ctx.api.patch(p, `{"data":${deep(10_000)}}`, SMP), 400, 'BadRequest', /nested too deeply/);
      expectStatus(await ctx.api.patch(p, `[{"op":"add","path":"/data/x","value":${deep(10_000)}}]`, JSON_PATCH), 400, 'BadRequest', /nested too deeply/);
      const applied = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-1"},"data":${deep(10_000)}}`;
      expectStatus(await ctx.api.patch(`${p}?fieldManager=deep`, applied, APPLY), 400, 'BadRequest', /nested too deeply/);
    });

    test('metadata that is not an object and patches that are not objects are 4xx', async () => {
      const p = `${cmPath(NS_A)}/cm-1`;
      expectStatus(await ctx.api.patch(p, { metadata: 5 }, MERGE), 422, 'Invalid', /cannot decode number into metadata/);
      expectStatus(await ctx.api.patch(p, { metadata: null }, MERGE), 422, 'Invalid', /metadata: Required value/);
      expectStatus(await ctx.api.patch(p, { metadata: 5 }, SMP), 422, 'Invalid', /cannot decode number into metadata/);
      expectStatus(await ctx.api.patch(p, { metadata: null }, SMP), 422, 'Invalid', /metadata: Required value/);
      expectStatus(await ctx.api.patch(p, '"x"', MERGE), 400, 'BadRequest', /Invalid JSON Patch/);
      expectStatus(await ctx.api.patch(p, '7', MERGE), 400, 'BadRequest', /Invalid JSON Patch/);
      expectStatus(await ctx.api.patch(p, [1], MERGE), 422, 'Invalid');
      expectStatus(await ctx.api.patch(p, [1], SMP), 400, 'BadRequest', /must be a JSON object, got array/);
      expectStatus(await ctx.api.patch(p, '5', SMP), 400, 'BadRequest', /must be a JSON object, got number/);
      const stored = (await ctx.api.get(p)).json();
      assert.equal(stored.metadata.name, 'cm-1');
    });

    test('strategic merge directives of the wrong type are 400s', async () => {
      assert.equal((await ctx.api.post(deployPath(NS_A), deployment('smp'))).status, 201);
      const p = `${deployPath(NS_A)}/smp`;
      const spec = (podSpec: unknown): unknown => ({ spec: { template: { spec: podSpec } } });
      const cases: Array<[unknown, RegExp]> = [
        [spec({ '$setElementOrder/containers': 5 }), /invalid patch format of setElementOrder list/],
        [spec({ '$setElementOrder/containers': [5], containers: [{ name: 'c', image: 'x' }] }), /does not contain declared merge key: name/],
        [spec({ $patch: 7 }), /unknown patch type: 7/],
        [spec({ containers: [{ $patch: 7, name: 'c' }] }), /unknown patch type: 7/],
        [spec({ containers: [{ $patch: 'delete' }] }), /does not contain declared merge key: name/],
        [spec({ $retainKeys: 5 }), /invalid patch format of retainKeys/],
        [spec({ '$deleteFromPrimitiveList/containers': 5 }), /invalid patch format of primitive list/],
      ];
      for (const [body, message] of cases) expectStatus(await ctx.api.patch(p, body, SMP), 400, 'BadRequest', message);
    });
  });

  describe('server-side apply', () => {
    const apply = (name: string, containers: unknown): Promise<ApiResponse> => {
      const d = deployment(name);
      d.spec.template.spec.containers = containers;
      return ctx.api.patch(`${deployPath(NS_A)}/${name}?fieldManager=hardening`, d, APPLY);
    };

    test('duplicate or missing list-map keys are 400s naming the field, and nothing is created', async () => {
      expectStatus(await apply('dup', [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }]), 400, 'BadRequest',
        /failed to create typed patch object \((patches-a)?\/dup; apps\/v1, Kind=Deployment\): \.spec\.template\.spec\.containers: duplicate entries for key \[name="a"\]/);
      expectStatus(await apply('dup', [{ image: 'x' }]), 400, 'BadRequest', /\.spec\.template\.spec\.containers: element 0: .*omits key field "name"/);
      expectStatus(await apply('dup', [{ name: 'a', image: 'x', ports: [{ name: 'http' }] }]), 400, 'BadRequest',
        /\.spec\.template\.spec\.containers\[name="a"\]\.ports: element 0: .*omits key field "containerPort"/);
      expectStatus(await apply('dup', [{ name: 'a', image: 'x', ports: [{ containerPort: 80 }, { containerPort: 80 }] }]), 400, 'BadRequest',
        /duplicate entries for key \[containerPort=80,protocol="TCP"\]/);
      assert.equal((await ctx.api.get(`${deployPath(NS_A)}/dup`)).status, 404);
    });

    test('an applied configuration whose metadata is not an object is a 4xx', async () => {
      for (const metadata of [5, 'x', [1]]) {
        const r = await ctx.api.patch(`${deployPath(NS_A)}/meta?fieldManager=hardening`, { ...deployment('meta'), metadata }, APPLY);
        assert.ok(r.status === 400 || r.status === 422, `${r.status} ${r.text}`);
        assert.equal(r.json().kind, 'Status');
      }
    });

    test('managedFields in an applied configuration are refused; malformed ones on update are 400 or ignored, never 500', async () => {
      const d = deployment('mf');
      d.metadata.managedFields = [{ manager: 'x', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
      expectStatus(await ctx.api.patch(`${deployPath(NS_A)}/mf?fieldManager=hardening`, d, APPLY), 400, 'BadRequest', /^metadata\.managedFields must be nil/);

      const cm = configMap('mf');
      cm.metadata.managedFields = [{ manager: 5 }];
      expectStatus(await ctx.api.post(cmPath(NS_A), cm), 400, 'BadRequest', /managedFields/);
      cm.metadata.managedFields = 'x';
      expectStatus(await ctx.api.post(cmPath(NS_A), cm), 400, 'BadRequest', /managedFields/);
      cm.metadata.managedFields = [{ manager: 'x', operation: 'Bogus', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': 5 } }];
      const r = await ctx.api.post(cmPath(NS_A), cm);
      assert.ok(r.status < 500, `${r.status} ${r.text}`);
      if (r.status === 201) assert.ok(!JSON.stringify(r.json().metadata.managedFields).includes('Bogus'));
    });
  });

  describe('list and watch parameters', () => {
    test('continue tokens are upstream\'s, and crafted ones are 400s', async () => {
      const page = (await ctx.api.get(`${cmPath(NS_A)}?limit=1`)).json();
      const cont = page.metadata.continue as string;
      const decoded = JSON.parse(Buffer.from(cont, 'base64url').toString());
      assert.deepEqual(Object.keys(decoded).sort(), ['rv', 'start', 'v']);
      assert.equal(decoded.v, 'meta.k8s.io/v1');
      assert.equal(decoded.start, page.items[0].metadata.name);
      const rv = decoded.rv as number;
      const crafted = [
        '!!!', token('not json'), token([1]), token({ rv, start: 'cm-0' }),
        token({ v: 'meta.k8s.io/v1', rv: 0, start: 'cm-0' }), token({ v: 'meta.k8s.io/v1', rv: -5, start: 'cm-0' }),
        token({ v: 'meta.k8s.io/v1', rv: 'x', start: 'cm-0' }), token({ v: 'meta.k8s.io/v1', rv, start: 5 }),
        token({ v: 'meta.k8s.io/v1', rv, start: '' }), token({ v: 'meta.k8s.io/v1', rv, start: '../patches-b/a' }),
        token({ v: 'meta.k8s.io/v1', rv, start: '/../../secrets/patches-b/x' }), token({ v: 'meta.k8s.io/v1', rv, start: 'a/../../patches-b' }),
        'A'.repeat(8192),
      ];
      for (const t of crafted) {
        expectStatus(await ctx.api.get(`${cmPath(NS_A)}?limit=1&continue=${encodeURIComponent(t)}`), 400, 'BadRequest', /^invalid continue token: continue key is not valid/);
      }
    });

    test('a continue token cannot reach another namespace or resource', async () => {
      const page = (await ctx.api.get(`${cmPath(NS_A)}?limit=1`)).json();
      const { rv } = JSON.parse(Buffer.from(page.metadata.continue as string, 'base64url').toString());
      // Start keys that sort before or after every name of the namespace: still only its own objects.
      for (const start of ['/', '!', '~~~', 'registry', 'patches-b/secret-b', '/registry/core/configmaps/patches-b/a']) {
        const r = await ctx.api.get(`${cmPath(NS_A)}?limit=100&continue=${token({ v: 'meta.k8s.io/v1', rv, start })}`);
        assert.equal(r.status, 200, r.text);
        for (const item of r.json().items) assert.equal(item.metadata.namespace, NS_A, `start ${start} listed ${item.metadata.namespace}/${item.metadata.name}`);
      }
      // A token of namespace A used on namespace B lists B's objects after that name, nothing of A.
      const inB = (await ctx.api.get(`${cmPath(NS_B)}?limit=100&continue=${page.metadata.continue}`)).json();
      for (const item of inB.items) assert.equal(item.metadata.namespace, NS_B);
    });

    test('resourceVersions that are not versions are 400s; far-future ones are 504 ResourceVersionTooLarge, for list, get and watch', async () => {
      for (const rv of ['-1', '%201', 'abc', '1.5', '0x10', '99999999999999999999']) {
        expectStatus(await ctx.api.get(`${cmPath(NS_A)}?resourceVersion=${rv}`), 400, 'BadRequest', /^resourceVersion: Invalid value/);
        expectStatus(await ctx.api.get(`${cmPath(NS_A)}/cm-0?resourceVersion=${rv}`), 400, 'BadRequest', /^resourceVersion: Invalid value/);
        expectStatus(await ctx.api.get(`${cmPath(NS_A)}?watch=true&resourceVersion=${rv}`), 400, 'BadRequest', /^resourceVersion: Invalid value/);
      }
      assert.equal((await ctx.api.get(`${cmPath(NS_A)}?resourceVersion=01`)).status, 200, 'leading zeros parse, as ParseUint');

      const far = String(2 ** 53 + 1);
      const future = token({ v: 'meta.k8s.io/v1', rv: Number.MAX_SAFE_INTEGER, start: 'cm-0' });
      // The server waits ~3 s for its cache before answering; the requests wait together.
      const answers = await Promise.all([
        ctx.api.get(`${cmPath(NS_A)}?resourceVersion=${far}`),
        ctx.api.get(`${cmPath(NS_A)}?resourceVersion=18446744073709551615&resourceVersionMatch=NotOlderThan`),
        ctx.api.get(`${cmPath(NS_A)}?resourceVersion=${far}&resourceVersionMatch=Exact`),
        ctx.api.get(`${cmPath(NS_A)}?limit=1&continue=${future}`),
        ctx.api.get(`${cmPath(NS_A)}/cm-0?resourceVersion=${far}`),
        ctx.api.get(`${cmPath(NS_A)}?watch=true&resourceVersion=${far}`),
      ]);
      for (const r of answers) {
        const s = expectStatus(r, 504, 'Timeout', /^Timeout: Too large resource version: \d+, current: \d+/);
        assert.deepEqual(s.details.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
      }
    });

    test('limit, timeoutSeconds and resourceVersionMatch', async () => {
      expectStatus(await ctx.api.get(`${cmPath(NS_A)}?limit=abc`), 400, 'BadRequest', /^limit: Invalid value: "abc"/);
      expectStatus(await ctx.api.get(`${cmPath(NS_A)}?limit=99999999999999999999`), 400, 'BadRequest', /value out of range/);
      const all = (await ctx.api.get(`${cmPath(NS_A)}?limit=-1`)).json();
      assert.equal(all.metadata.continue, undefined, 'a negative limit lists everything, as upstream');
      assert.equal((await ctx.api.get(`${cmPath(NS_A)}?limit=9223372036854775807`)).status, 200);
      expectStatus(await ctx.api.get(`${cmPath(NS_A)}?watch=true&timeoutSeconds=-1`), 400, 'BadRequest', /timeoutSeconds/);
      expectStatus(await ctx.api.get(`${cmPath(NS_A)}?watch=true&timeoutSeconds=abc`), 400, 'BadRequest', /timeoutSeconds/);
      expectStatus(await ctx.api.get(`${cmPath(NS_A)}?resourceVersionMatch=Exact`), 422, 'Invalid', /resourceVersionMatch is forbidden unless resourceVersion is provided/);
      expectStatus(await ctx.api.get(`${cmPath(NS_A)}?resourceVersionMatch=Exact&resourceVersion=0`), 422, 'Invalid', /forbidden for resourceVersion "0"/);
      expectStatus(await ctx.api.get(`${cmPath(NS_A)}?resourceVersionMatch=bogus&resourceVersion=1`), 422, 'Invalid', /Unsupported value: "bogus"/);
      expectStatus(await ctx.api.get(`${cmPath(NS_A)}?watch=true&resourceVersionMatch=NotOlderThan`), 422, 'Invalid', /forbidden for watch unless sendInitialEvents/);

      // A huge timeoutSeconds is clamped (a timer that long would otherwise fire at once).
      const w = await ctx.api.watch(`${cmPath(NS_A)}?watch=true&timeoutSeconds=9223372036854775807`);
      assert.equal(w.status, 200);
      await w.waitFor((e) => e.type === 'ADDED', 10_000);
      await ctx.api.post(cmPath(NS_A), configMap('after-watch'));
      await w.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'after-watch', 10_000);
      assert.equal(w.isEnded(), false);
      w.close();
    });

    test('/readyz is healthy after all of it', async () => {
      const r = await ctx.api.get('/readyz');
      assert.equal(r.status, 200, r.text);
    });
  });
});
