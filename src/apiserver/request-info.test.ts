import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.ts';

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
