// Bad input never crashes the API server, and each kind of bad input is answered with the
// `Status` kube-apiserver gives it (k8s.io/apiserver/pkg/endpoints/handlers/{create,update,patch,rest}.go,
// k8s.io/apimachinery/pkg/api/errors).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForSuite, configMap, deployment, type ApiResponse } from './api-helpers.ts';

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

function assertStatus(r: ApiResponse, code: number, reason: string, message?: RegExp | string): any {
  assert.equal(r.status, code, `expected ${code} ${reason}, got ${r.status}: ${r.text.slice(0, 500)}`);
  assert.match(String(r.headers['content-type']), /^application\/json/, 'a Status is JSON');
  const s = r.json();
  assert.equal(s.kind, 'Status', r.text);
  assert.equal(s.apiVersion, 'v1', r.text);
  assert.equal(s.status, 'Failure', r.text);
  assert.equal(s.code, code, r.text);
  assert.equal(s.reason, reason, r.text);
  if (message !== undefined) {
    if (typeof message === 'string') assert.ok(String(s.message).includes(message), `message ${JSON.stringify(s.message)} should contain ${JSON.stringify(message)}`);
    else assert.match(String(s.message), message);
  }
  return s;
}

describe('API errors', () => {
  const ctx = serverForSuite({ before, after });

  test('malformed JSON body is 400 BadRequest', async () => {
    const r = await ctx.api.post(CM, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"', { contentType: 'application/json' });
    assertStatus(r, 400, 'BadRequest');
    const r2 = await ctx.api.post(CM, 'not json at all', { contentType: 'application/json' });
    assertStatus(r2, 400, 'BadRequest');
  });

  test('a JSON body that is not an object is 400 BadRequest', async () => {
    assertStatus(await ctx.api.post(CM, '[1,2,3]'), 400, 'BadRequest');
    assertStatus(await ctx.api.post(CM, '"a string"'), 400, 'BadRequest');
    assertStatus(await ctx.api.post(CM, 'null'), 400, 'BadRequest');
  });

  test('empty body on create is 400 BadRequest', async () => {
    assertStatus(await ctx.api.post(CM, ''), 400, 'BadRequest');
  });

  test('malformed YAML body is 400 BadRequest', async () => {
    const r = await ctx.api.post(CM, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n  data: : :\n', { contentType: 'application/yaml' });
    assertStatus(r, 400, 'BadRequest');
  });

  test('well-formed YAML body creates the object', async () => {
    const r = await ctx.api.post(CM, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: "1"\n', { contentType: 'application/yaml' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().data.a, '1');
  });

  test('body larger than 3 MiB is 413 RequestEntityTooLarge, and the server still answers afterwards', async () => {
    const big = { ...configMap('too-big'), data: { blob: 'x'.repeat(3 * 1024 * 1024 + 1024) } };
    const r = await ctx.api.post(CM, big);
    assertStatus(r, 413, 'RequestEntityTooLarge');
    const health = await ctx.api.get('/readyz');
    assert.equal(health.status, 200);
    const got = await ctx.api.get(`${CM}/too-big`);
    assertStatus(got, 404, 'NotFound');
    const ok = await ctx.api.post(CM, configMap('after-too-big'));
    assert.equal(ok.status, 201, ok.text);
  });

  test('wrong kind for the endpoint is 400 BadRequest', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wrong-kind' }, data: { a: 'YQ==' } };
    const r = await ctx.api.post(CM, secret);
    assertStatus(r, 400, 'BadRequest');
    assert.equal((await ctx.api.get(`${CM}/wrong-kind`)).status, 404, 'nothing was stored');
    assert.equal((await ctx.api.get('/api/v1/namespaces/default/secrets/wrong-kind')).status, 404, 'nothing was stored as a Secret either');
  });

  test('wrong apiVersion for the endpoint is 400 BadRequest', async () => {
    const r = await ctx.api.post(DEPLOY, { ...deployment('wrong-version'), apiVersion: 'batch/v1' });
    assertStatus(r, 400, 'BadRequest');
  });

  test('invalid name is 422 Invalid with a cause whose field is metadata.name', async () => {
    const r = await ctx.api.post(CM, configMap('Bad_Name'));
    const s = assertStatus(r, 422, 'Invalid', 'metadata.name');
    assert.match(s.message, /^ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name"/);
    assert.equal(s.details.name, 'Bad_Name');
    assert.equal(s.details.kind, 'ConfigMap');
    const cause = s.details.causes.find((c: any) => c.field === 'metadata.name');
    assert.ok(cause, `a cause names metadata.name: ${JSON.stringify(s.details.causes)}`);
    assert.equal(cause.reason, 'FieldValueInvalid');
  });

  test('missing required field is 422 Invalid with a FieldValueRequired cause', async () => {
    const d = deployment('no-selector');
    delete d.spec.selector;
    const s = assertStatus(await ctx.api.post(DEPLOY, d), 422, 'Invalid', 'spec.selector');
    assert.equal(s.details.kind, 'Deployment');
    assert.equal(s.details.group, 'apps');
    const cause = s.details.causes.find((c: any) => c.field === 'spec.selector');
    assert.ok(cause, JSON.stringify(s.details.causes));
    assert.equal(cause.reason, 'FieldValueRequired');
  });

  test('missing name (and no generateName) is 422 Invalid naming metadata.name', async () => {
    const cm = configMap('x');
    delete cm.metadata.name;
    const s = assertStatus(await ctx.api.post(CM, cm), 422, 'Invalid');
    assert.ok(s.details.causes.some((c: any) => c.field === 'metadata.name' && c.reason === 'FieldValueRequired'), JSON.stringify(s.details.causes));
  });

  test('unknown resource path is 404 NotFound', async () => {
    assertStatus(await ctx.api.get('/api/v1/namespaces/default/foos'), 404, 'NotFound');
    assertStatus(await ctx.api.get('/api/v1/foos'), 404, 'NotFound');
    assertStatus(await ctx.api.get('/apis/nosuch.example.com/v1/things'), 404, 'NotFound');
    assertStatus(await ctx.api.get('/apis/apps/v7/deployments'), 404, 'NotFound');
    assert.equal((await ctx.api.get('/no/such/path')).status, 404);
  });

  test('a group, version or resource the server does not serve is 404 "the server could not find the requested resource"', async () => {
    // What kube-apiserver's not-found handler means (client-go's reading of its "404 page not found").
    const paths = [
      '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', '/apis/nosuch.example.com/v1/things',
      '/apis/apps/v7/deployments', '/api/v1/namespaces/default/foos', '/api/v1/namespaces/default/nodes',
      '/apis/nosuch.example.com', '/apis/apps/v7', '/no/such/path',
    ];
    for (const path of paths) {
      const s = assertStatus(await ctx.api.get(path), 404, 'NotFound');
      assert.deepEqual(s, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource',
        reason: 'NotFound', details: { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] }, code: 404,
      }, path);
    }
  });

  test('a create conflict is kube-apiserver\'s Status bytes: Go field order, no empty group', async () => {
    assert.equal((await ctx.api.post(CM, configMap('twice'))).status, 201);
    const r = await ctx.api.post(CM, configMap('twice'));
    assert.equal(r.status, 409);
    assert.equal(r.text.trimEnd(), '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"twice\\" already exists","reason":"AlreadyExists","details":{"name":"twice","kind":"configmaps"},"code":409}');
  });

  test('unknown subresource is 404 NotFound', async () => {
    assert.equal((await ctx.api.post(CM, configMap('has-no-scale'))).status, 201);
    assertStatus(await ctx.api.get(`${CM}/has-no-scale/scale`), 404, 'NotFound');
  });

  test('missing object is 404 NotFound with details naming it', async () => {
    const s = assertStatus(await ctx.api.get(`${CM}/nope`), 404, 'NotFound', 'configmaps "nope" not found');
    assert.equal(s.details.name, 'nope');
    assert.equal(s.details.kind, 'configmaps');
    const d = assertStatus(await ctx.api.get(`${DEPLOY}/nope`), 404, 'NotFound', 'deployments.apps "nope" not found');
    assert.equal(d.details.group, 'apps');
  });

  test('cluster-scoped resource under a namespace path is 404', async () => {
    assert.equal((await ctx.api.get('/api/v1/namespaces/default/nodes')).status, 404);
  });

  test('method not allowed on a collection (PUT) is 405 MethodNotAllowed', async () => {
    assertStatus(await ctx.api.put(CM, configMap('x')), 405, 'MethodNotAllowed');
  });

  test('bad label selector is 400 BadRequest', async () => {
    assertStatus(await ctx.api.get(`${CM}?labelSelector=${encodeURIComponent('a in (b')}`), 400, 'BadRequest');
    assertStatus(await ctx.api.get(`${CM}?labelSelector=${encodeURIComponent('!!!')}`), 400, 'BadRequest');
    assertStatus(await ctx.api.get(`${CM}?labelSelector=${encodeURIComponent('a=b c')}`), 400, 'BadRequest');
  });

  test('unsupported field selector label is 400 "field label not supported"', async () => {
    assertStatus(await ctx.api.get(`${CM}?fieldSelector=${encodeURIComponent('spec.foo=bar')}`), 400, 'BadRequest', 'field label not supported: spec.foo');
    // The same on a watch.
    assertStatus(await ctx.api.get(`${CM}?watch=true&fieldSelector=${encodeURIComponent('spec.foo=bar')}`), 400, 'BadRequest', 'field label not supported: spec.foo');
    // Supported labels work.
    assert.equal((await ctx.api.get(`/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName=n1')}`)).status, 200);
    assert.equal((await ctx.api.get(`${CM}?fieldSelector=${encodeURIComponent('metadata.name=x')}`)).status, 200);
  });

  test('malformed field selector is 400 BadRequest', async () => {
    assertStatus(await ctx.api.get(`${CM}?fieldSelector=${encodeURIComponent('metadata.name')}`), 400, 'BadRequest');
  });

  describe('patches', () => {
    before(async () => {
      const r = await ctx.api.post(CM, configMap('patch-me', { data: { k: 'v' } }));
      assert.equal(r.status, 201, r.text);
    });

    test('malformed JSON patch is 400 BadRequest', async () => {
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, '[{"op":"add",', 'application/json-patch+json'), 400, 'BadRequest');
      // A JSON patch must be an array of operations.
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, '{"op":"add","path":"/data/a","value":"b"}', 'application/json-patch+json'), 400, 'BadRequest');
    });

    test('JSON patch with an unknown op is 400 BadRequest', async () => {
      const r = await ctx.api.patch(`${CM}/patch-me`, [{ op: 'frobnicate', path: '/data/k', value: 'x' }], 'application/json-patch+json');
      assert.ok(r.status === 400 || r.status === 422, `4xx, got ${r.status}: ${r.text}`);
    });

    test('JSON patch that cannot be applied is 422 Invalid', async () => {
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, [{ op: 'test', path: '/data/k', value: 'other' }], 'application/json-patch+json'), 422, 'Invalid');
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, [{ op: 'remove', path: '/data/missing' }], 'application/json-patch+json'), 422, 'Invalid');
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, [{ op: 'replace', path: '/no/such/parent', value: 1 }], 'application/json-patch+json'), 422, 'Invalid');
      // The object is unchanged.
      assert.deepEqual((await ctx.api.get(`${CM}/patch-me`)).json().data, { k: 'v' });
    });

    test('JSON patch that applies is 200', async () => {
      const r = await ctx.api.patch(`${CM}/patch-me`, [{ op: 'test', path: '/data/k', value: 'v' }, { op: 'add', path: '/data/j', value: 'w' }], 'application/json-patch+json');
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json().data, { k: 'v', j: 'w' });
    });

    test('malformed merge patch body is 400 BadRequest', async () => {
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, '{"data":', 'application/merge-patch+json'), 400, 'BadRequest');
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, '{"data":', 'application/strategic-merge-patch+json'), 400, 'BadRequest');
    });

    test('merge patch that renames the object is 400 BadRequest', async () => {
      const r = await ctx.api.patch(`${CM}/patch-me`, { metadata: { name: 'other-name' } }, 'application/merge-patch+json');
      assertStatus(r, 400, 'BadRequest', 'does not match the name on the URL');
    });

    test('merge patch producing an invalid object is 422 Invalid', async () => {
      const r = await ctx.api.patch(`${CM}/patch-me`, { metadata: { labels: { 'bad label!': 'x' } } }, 'application/merge-patch+json');
      const s = assertStatus(r, 422, 'Invalid');
      assert.ok(s.details.causes.some((c: any) => String(c.field).startsWith('metadata.labels')), JSON.stringify(s.details));
    });

    test('unsupported patch content type is 415 UnsupportedMediaType', async () => {
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, '{"data":{"a":"b"}}', 'text/plain'), 415, 'UnsupportedMediaType');
      assertStatus(await ctx.api.patch(`${CM}/patch-me`, '{"data":{"a":"b"}}', 'application/json'), 415, 'UnsupportedMediaType');
    });

    test('patch of a missing object is 404 NotFound', async () => {
      assertStatus(await ctx.api.patch(`${CM}/does-not-exist`, { data: { a: 'b' } }, 'application/merge-patch+json'), 404, 'NotFound', 'configmaps "does-not-exist" not found');
    });
  });

  test('unsupported request Content-Type on create is 415 UnsupportedMediaType', async () => {
    assertStatus(await ctx.api.post(CM, '<configmap/>', { contentType: 'application/xml' }), 415, 'UnsupportedMediaType');
  });

  test('unauthenticated request is 401 Unauthorized', async () => {
    const r = await ctx.api.request('GET', '/api/v1/namespaces', { anonymous: true });
    assertStatus(r, 401, 'Unauthorized');
    assertStatus(await ctx.api.request('GET', '/apis', { anonymous: true }), 401, 'Unauthorized');
    assertStatus(await ctx.api.request('POST', CM, { anonymous: true, body: configMap('anon') }), 401, 'Unauthorized');
    assert.equal((await ctx.api.get(`${CM}/anon`)).status, 404, 'nothing was created');
  });

  test('an unknown bearer token is 401 Unauthorized', async () => {
    const r = await ctx.api.request('GET', '/api/v1/namespaces', { anonymous: true, headers: { Authorization: 'Bearer not-a-real-token' } });
    assertStatus(r, 401, 'Unauthorized');
  });

  test('/livez, /readyz and /healthz answer 200 without credentials', async () => {
    for (const path of ['/livez', '/readyz', '/healthz']) {
      const r = await ctx.api.request('GET', path, { anonymous: true });
      assert.equal(r.status, 200, `${path}: ${r.status} ${r.text}`);
      assert.equal(r.text, 'ok', path);
    }
    const verbose = await ctx.api.request('GET', '/readyz?verbose', { anonymous: true });
    assert.equal(verbose.status, 200);
    assert.match(verbose.text, /readyz check passed/);
  });

  describe('server side field validation', () => {
    const withUnknown = (name: string): any => {
      const d = deployment(name);
      d.spec.foo = 'bar';
      return d;
    };

    test('Server side field validation, typed object: fieldValidation=Strict rejects an unknown field with 400 naming it', async () => {
      const r = await ctx.api.post(`${DEPLOY}?fieldValidation=Strict`, withUnknown('strict-unknown'));
      assertStatus(r, 400, 'BadRequest', 'unknown field "spec.foo"');
      assert.equal((await ctx.api.get(`${DEPLOY}/strict-unknown`)).status, 404, 'nothing was stored');
    });

    test('Server side field validation, typed object: fieldValidation=Strict rejects a duplicate field with 400 naming it', async () => {
      const body = JSON.stringify(deployment('strict-dup')).replace('"replicas":1', '"replicas":1,"paused":true,"paused":false');
      const r = await ctx.api.post(`${DEPLOY}?fieldValidation=Strict`, body);
      assertStatus(r, 400, 'BadRequest', 'duplicate field "spec.paused"');
    });

    test('Server side field validation, typed object: fieldValidation=Strict on update and on merge patch', async () => {
      const created = await ctx.api.post(DEPLOY, deployment('strict-update'));
      assert.equal(created.status, 201, created.text);
      const obj = created.json();
      obj.spec.foo = 'bar';
      assertStatus(await ctx.api.put(`${DEPLOY}/strict-update?fieldValidation=Strict`, obj), 400, 'BadRequest', 'unknown field "spec.foo"');
      assertStatus(await ctx.api.patch(`${DEPLOY}/strict-update?fieldValidation=Strict`, { spec: { foo: 'bar' } }, 'application/merge-patch+json'), 400, 'BadRequest', 'unknown field "spec.foo"');
    });

    test('Server side field validation, typed unknown metadata: fieldValidation=Strict rejects an unknown metadata field', async () => {
      const d = deployment('strict-meta');
      d.metadata.unknownMeta = 'x';
      const r = await ctx.api.post(`${DEPLOY}?fieldValidation=Strict`, d);
      assertStatus(r, 400, 'BadRequest', 'unknown field "metadata.unknownMeta"');
    });

    test('fieldValidation=Strict rejects an unknown field in a nested object (pod template container)', async () => {
      const d = deployment('strict-nested');
      d.spec.template.spec.containers[0].imagee = 'typo';
      assertStatus(await ctx.api.post(`${DEPLOY}?fieldValidation=Strict`, d), 400, 'BadRequest', 'unknown field "spec.template.spec.containers[0].imagee"');
    });

    test('fieldValidation=Warn creates the object, drops the field and sends a Warning header', async () => {
      const r = await ctx.api.post(`${DEPLOY}?fieldValidation=Warn`, withUnknown('warn-unknown'));
      assert.equal(r.status, 201, r.text);
      const warning = String(r.headers.warning ?? '');
      assert.match(warning, /^299 - "/, `a Warning header with code 299: ${warning}`);
      assert.ok(warning.includes('unknown field \\"spec.foo\\"') || warning.includes('unknown field "spec.foo"'), warning);
      assert.equal(r.json().spec.foo, undefined, 'the unknown field is dropped');
      assert.equal((await ctx.api.get(`${DEPLOY}/warn-unknown`)).json().spec.foo, undefined);
    });

    test('no fieldValidation parameter behaves as Warn (the server default)', async () => {
      const r = await ctx.api.post(DEPLOY, withUnknown('default-unknown'));
      assert.equal(r.status, 201, r.text);
      assert.match(String(r.headers.warning ?? ''), /unknown field/);
    });

    test('fieldValidation=Ignore creates the object without a warning', async () => {
      const r = await ctx.api.post(`${DEPLOY}?fieldValidation=Ignore`, withUnknown('ignore-unknown'));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.warning, undefined);
    });

    test('an invalid fieldValidation value is 400 BadRequest', async () => {
      assertStatus(await ctx.api.post(`${DEPLOY}?fieldValidation=Loud`, deployment('bad-fv')), 400, 'BadRequest');
    });
  });

  test('create in a missing namespace is 404 NotFound naming the namespace', async () => {
    const s = assertStatus(await ctx.api.post('/api/v1/namespaces/no-such-ns/configmaps', configMap('x')), 404, 'NotFound', 'namespaces "no-such-ns" not found');
    assert.equal(s.details.name, 'no-such-ns');
    assert.equal(s.details.kind, 'namespaces');
  });

  test('body namespace different from the URL namespace is 400 BadRequest', async () => {
    const r = await ctx.api.post(CM, configMap('ns-mismatch', { namespace: 'kube-system' }));
    assertStatus(r, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  });

  test('update with a body name different from the URL is 400 BadRequest', async () => {
    assert.equal((await ctx.api.post(CM, configMap('name-a'))).status, 201);
    const obj = (await ctx.api.get(`${CM}/name-a`)).json();
    obj.metadata.name = 'name-b';
    assertStatus(await ctx.api.put(`${CM}/name-a`, obj), 400, 'BadRequest', 'the name of the object (name-b) does not match the name on the URL (name-a)');
  });

  test('stale resourceVersion on update is 409 Conflict', async () => {
    const created = await ctx.api.post(CM, configMap('stale', { data: { v: '1' } }));
    assert.equal(created.status, 201);
    const first = created.json();
    const second = structuredClone(first);
    first.data.v = '2';
    const ok = await ctx.api.put(`${CM}/stale`, first);
    assert.equal(ok.status, 200, ok.text);
    second.data.v = '3';
    const s = assertStatus(await ctx.api.put(`${CM}/stale`, second), 409, 'Conflict',
      'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again');
    assert.equal(s.details.name, 'stale');
    assert.equal(s.details.kind, 'configmaps');
    // A merge patch carrying the stale resourceVersion is a conflict too.
    assertStatus(await ctx.api.patch(`${CM}/stale`, { metadata: { resourceVersion: first.metadata.resourceVersion }, data: { v: '4' } }, 'application/merge-patch+json'), 409, 'Conflict');
    assert.equal((await ctx.api.get(`${CM}/stale`)).json().data.v, '2');
  });

  test('update of a missing object is 404 NotFound', async () => {
    const obj = configMap('never-created');
    obj.metadata.resourceVersion = '1';
    assertStatus(await ctx.api.put(`${CM}/never-created`, obj), 404, 'NotFound');
  });

  test('duplicate create is 409 AlreadyExists', async () => {
    assert.equal((await ctx.api.post(CM, configMap('dup'))).status, 201);
    const s = assertStatus(await ctx.api.post(CM, configMap('dup')), 409, 'AlreadyExists', 'configmaps "dup" already exists');
    assert.equal(s.details.name, 'dup');
    assert.equal(s.details.kind, 'configmaps');
  });

  test('delete of a missing object is 404 NotFound', async () => {
    assertStatus(await ctx.api.del(`${CM}/never-there`), 404, 'NotFound', 'configmaps "never-there" not found');
  });

  test('delete with a precondition on a stale uid is 409 Conflict', async () => {
    assert.equal((await ctx.api.post(CM, configMap('precond'))).status, 201);
    const r = await ctx.api.del(`${CM}/precond`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: '00000000-0000-0000-0000-000000000000' } });
    assertStatus(r, 409, 'Conflict');
    assert.equal((await ctx.api.get(`${CM}/precond`)).status, 200, 'the object is still there');
  });

  test('the server is alive after all the bad input', async () => {
    assert.equal(ctx.srv.proc.exitCode, null, ctx.srv.logs());
    const r = await ctx.api.get('/api/v1/namespaces/default');
    assert.equal(r.status, 200);
    assert.doesNotMatch(ctx.srv.logs(), /InternalError|uncaught|unhandled/i, 'no internal errors were logged');
  });
});
