import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../api/errors.ts';
import { parseRequestInfo, parseRequestTarget } from './request-info.ts';

const p = (m: string, path: string, q = '') => parseRequestInfo(m, path, new URLSearchParams(q));

test('core namespaced resources', () => {
  const r = p('GET', '/api/v1/namespaces/default/pods/web');
  assert.deepEqual([r.verb, r.group, r.version, r.namespace, r.resource, r.name, r.subresource], ['get', '', 'v1', 'default', 'pods', 'web', '']);
  assert.equal(p('GET', '/api/v1/namespaces/default/pods').verb, 'list');
  assert.equal(p('GET', '/api/v1/namespaces/default/pods', 'watch=true').verb, 'watch');
  assert.equal(p('GET', '/api/v1/pods').namespace, '');
  assert.equal(p('DELETE', '/api/v1/namespaces/default/pods').verb, 'deletecollection');
  const s = p('PUT', '/api/v1/namespaces/default/pods/web/status');
  assert.deepEqual([s.verb, s.subresource], ['update', 'status']);
});

test('namespaces are cluster scoped, with subresources', () => {
  const n = p('GET', '/api/v1/namespaces/kube-system');
  assert.deepEqual([n.resource, n.name, n.namespace, n.verb], ['namespaces', 'kube-system', '', 'get']);
  const f = p('PUT', '/api/v1/namespaces/x/finalize');
  assert.deepEqual([f.resource, f.name, f.subresource], ['namespaces', 'x', 'finalize']);
  assert.equal(p('GET', '/api/v1/namespaces').verb, 'list');
  // namespaces inside a namespace is not the namespace: it keeps the namespace (and so is a 404).
  const inner = p('DELETE', '/api/v1/namespaces/x/namespaces');
  assert.deepEqual([inner.resource, inner.name, inner.namespace, inner.verb], ['namespaces', '', 'x', 'deletecollection']);
});

test('groups and discovery paths', () => {
  const d = p('PATCH', '/apis/apps/v1/namespaces/ns1/deployments/web/scale');
  assert.deepEqual([d.group, d.version, d.resource, d.name, d.subresource, d.verb], ['apps', 'v1', 'deployments', 'web', 'scale', 'patch']);
  assert.equal(p('GET', '/apis/apps/v1').isResourceRequest, false);
  assert.equal(p('GET', '/apis').isResourceRequest, false);
  assert.equal(p('GET', '/version').isResourceRequest, false);
  const w = p('GET', '/api/v1/watch/namespaces/default/pods');
  assert.deepEqual([w.verb, w.resource, w.namespace], ['watch', 'pods', 'default']);
});

const t = (target: string) => parseRequestTarget(target);
const rejects = (target: string, pattern: RegExp) => assert.throws(() => t(target), (err: unknown) => {
  assert.ok(isStatusError(err), `${target}: ${String(err)}`);
  assert.equal(err.code, 400);
  assert.equal(err.reason, 'BadRequest');
  assert.match(err.message, pattern);
  return true;
});

test('request targets: origin-form paths and their queries', () => {
  assert.equal(t('/').path, '/');
  assert.equal(t('/api/v1/namespaces/default/pods?watch=true&limit=5').path, '/api/v1/namespaces/default/pods');
  assert.equal(t('/api/v1/namespaces/default/pods?watch=true&limit=5').query.get('limit'), '5');
  assert.equal(t('/apis/').path, '/apis/', 'one trailing slash is kept');
  assert.equal(t('/api/v1/namespaces/default/configmaps/my%2Dcm').path, '/api/v1/namespaces/default/configmaps/my-cm', 'segments are percent-decoded');
  assert.equal(t('/healthz?verbose').query.has('verbose'), true);
  assert.equal(t('/a?q=%zz').query.get('q'), '%zz', 'a bad escape in the query is kept, as URLSearchParams does');
});

test('request targets: not origin-form', () => {
  rejects('http://localhost/api/v1/namespaces/default/pods', /not an absolute path: only origin-form/);
  rejects('http://[::1', /not an absolute path/);
  rejects('*', /not an absolute path/);
  rejects('', /not an absolute path/);
  rejects('localhost:6443', /not an absolute path/);
});

test('request targets: non-canonical paths', () => {
  rejects('//', /empty segment/);
  rejects('//api/v1', /empty segment/);
  rejects('/api/v1//namespaces', /empty segment/);
  rejects('/api/v1/namespaces/default/configmaps//', /empty segment/);
  rejects('/api/v1/namespaces/default/configmaps/.', /"\." segment/);
  rejects('/api/v1/namespaces/default/configmaps/..', /"\.\." segment/);
  rejects('/api/v1/namespaces/default/configmaps/x/status/../..', /"\.\." segment/);
  rejects('/api/v1/namespaces/default/configmaps/%2e', /"\." segment/);
  rejects('/api/v1/namespaces/default/configmaps/%2E%2e', /"\.\." segment/);
  rejects('/api/v1/namespaces/default/configmaps/a%2Fb', /encodes a slash/);
  rejects('/api/v1/namespaces/default/configmaps/a%2fb', /encodes a slash/);
  rejects('/api/v1/namespaces/default/configmaps/%E0%A4%A', /malformed percent-encoding/);
  rejects('/api/v1/namespaces/default/configmaps/a%00', /control character/);
});

test('request targets: messages echo at most 256 characters of the path', () => {
  const long = `/api/v1/namespaces/default/configmaps/${'x'.repeat(100_000)}/..`;
  assert.throws(() => t(long), (err: unknown) => isStatusError(err) && err.message.length < 400 && err.message.includes('…'));
});

test('subresources are not watched through ?watch=true', () => {
  assert.equal(p('GET', '/api/v1/namespaces/default/pods/web/log', 'watch=true').verb, 'get');
  assert.equal(p('GET', '/api/v1/namespaces/default/pods/web/status', 'watch=1').verb, 'get');
});

test('?watch is converted as upstream converts ListOptions.Watch: only 0 and false (any case) list', () => {
  for (const v of ['True', 'TRUE', 't', 'T', '1', 'yes', '']) assert.equal(p('GET', '/api/v1/namespaces/default/pods', `watch=${v}`).verb, 'watch', v);
  assert.equal(p('GET', '/api/v1/namespaces/default/pods', 'watch').verb, 'watch');
  for (const v of ['False', 'FALSE', 'false', '0']) assert.equal(p('GET', '/api/v1/namespaces/default/pods', `watch=${v}`).verb, 'list', v);
});
