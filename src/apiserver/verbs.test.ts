import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../api/errors.ts';
import { lookupResource, RESOURCES, type ResourceInfo } from '../api/scheme.ts';
import { parseRequestInfo } from './request-info.ts';
import { checkRoute, resourceVerbs, servedSubresources, subresourceVerbs } from './verbs.ts';

function res(group: string, resource: string): ResourceInfo {
  const r = lookupResource(group, group === '' ? 'v1' : 'v1', resource);
  assert.ok(r, resource);
  return r;
}

/** The answer checkRoute gives: 'ok', or the HTTP code it throws. */
function route(method: string, path: string, query = ''): number | 'ok' {
  const ri = parseRequestInfo(method, path, new URLSearchParams(query));
  const info = lookupResource(ri.group, ri.version, ri.resource);
  assert.ok(info, path);
  try {
    checkRoute(info, ri, method);
    return 'ok';
  } catch (err) {
    assert.ok(isStatusError(err));
    if (err.code === 405) assert.equal(err.message, 'the server does not allow this method on the requested resource');
    return err.code;
  }
}

const NS = '/api/v1/namespaces/default';

test('status subresources take get, update and patch only', () => {
  for (const path of [`${NS}/pods/p/status`, '/api/v1/nodes/n/status', '/apis/apps/v1/namespaces/default/deployments/d/status', '/api/v1/namespaces/x/status']) {
    assert.equal(route('GET', path), 'ok', path);
    assert.equal(route('PUT', path), 'ok', path);
    assert.equal(route('PATCH', path), 'ok', path);
    assert.equal(route('DELETE', path), 405, path);
    assert.equal(route('POST', path), 405, path);
  }
  assert.equal(route('GET', `${NS}/pods/p/status`, 'watch=true'), 'ok', 'a subresource GET stays a get');
  assert.equal(route('GET', `/api/v1/watch/namespaces/default/pods/p/status`), 405);
});

test('scale, finalize, binding, eviction, token, log and the stream subresources', () => {
  assert.equal(route('GET', '/apis/apps/v1/namespaces/default/deployments/d/scale'), 'ok');
  assert.equal(route('DELETE', '/apis/apps/v1/namespaces/default/deployments/d/scale'), 405);
  assert.equal(route('POST', '/apis/apps/v1/namespaces/default/deployments/d/scale'), 405);
  assert.equal(route('PUT', '/api/v1/namespaces/x/finalize'), 'ok');
  for (const m of ['GET', 'PATCH', 'POST', 'DELETE']) assert.equal(route(m, '/api/v1/namespaces/x/finalize'), 405, m);
  for (const sub of ['binding', 'eviction']) {
    assert.equal(route('POST', `${NS}/pods/p/${sub}`), 'ok', sub);
    for (const m of ['GET', 'PUT', 'PATCH', 'DELETE']) assert.equal(route(m, `${NS}/pods/p/${sub}`), 405, `${m} ${sub}`);
  }
  assert.equal(route('POST', `${NS}/serviceaccounts/sa/token`), 'ok');
  assert.equal(route('GET', `${NS}/serviceaccounts/sa/token`), 405);
  assert.equal(route('GET', `${NS}/pods/p/log`), 'ok');
  assert.equal(route('POST', `${NS}/pods/p/log`), 405);
  assert.equal(route('DELETE', `${NS}/pods/p/log`), 405);
  for (const sub of ['exec', 'attach', 'portforward']) {
    assert.equal(route('GET', `${NS}/pods/p/${sub}`), 'ok', sub);
    assert.equal(route('POST', `${NS}/pods/p/${sub}`), 'ok', sub);
    assert.equal(route('DELETE', `${NS}/pods/p/${sub}`), 405, sub);
    assert.equal(route('PUT', `${NS}/pods/p/${sub}`), 405, sub);
  }
});

test('unknown, unserved and over-long subresource paths are 404', () => {
  assert.equal(route('GET', `${NS}/pods/p/nonsense`), 404);
  assert.equal(route('DELETE', `${NS}/configmaps/c/status`), 404, 'configmaps have no status');
  assert.equal(route('GET', `${NS}/pods/p/proxy`), 404);
  assert.equal(route('GET', `${NS}/services/s/proxy`), 404);
  assert.equal(route('GET', '/api/v1/nodes/n/proxy'), 404);
  assert.equal(route('GET', `${NS}/pods/p/ephemeralcontainers`), 404);
  assert.equal(route('GET', '/api/v1/proxy/namespaces/default/pods/p'), 404);
  assert.equal(route('DELETE', `${NS}/pods/p/status/extra`), 404);
  assert.equal(route('PUT', '/api/v1/namespaces/x/finalize/more'), 404);
});

test('componentstatuses and bindings take only what upstream serves', () => {
  assert.deepEqual([...resourceVerbs(res('', 'componentstatuses'))], ['get', 'list']);
  assert.equal(route('GET', '/api/v1/componentstatuses'), 'ok');
  assert.equal(route('GET', '/api/v1/componentstatuses/etcd-0'), 'ok');
  for (const [m, p] of [['DELETE', '/api/v1/componentstatuses'], ['DELETE', '/api/v1/componentstatuses/etcd-0'], ['POST', '/api/v1/componentstatuses'], ['PUT', '/api/v1/componentstatuses/etcd-0'], ['PATCH', '/api/v1/componentstatuses/etcd-0']] as const) {
    assert.equal(route(m, p), 405, `${m} ${p}`);
  }
  assert.equal(route('GET', '/api/v1/componentstatuses', 'watch=true'), 405);
  assert.equal(route('POST', `${NS}/bindings`), 'ok');
  assert.equal(route('GET', `${NS}/bindings`), 405);
  assert.equal(route('DELETE', `${NS}/bindings`), 405);
});

test('namespaces are deleted one at a time: DELETE on the collection is 405', () => {
  assert.equal(route('DELETE', '/api/v1/namespaces'), 405);
  assert.equal(route('DELETE', '/api/v1/namespaces/x'), 'ok');
  assert.ok(!resourceVerbs(res('', 'namespaces')).includes('deletecollection'));
});

test('the /watch/ prefix is a GET route; unknown methods are 405', () => {
  assert.equal(route('GET', `/api/v1/watch/namespaces/default/configmaps`), 'ok');
  assert.equal(route('DELETE', `/api/v1/watch/namespaces/default/configmaps`), 405);
  assert.equal(route('POST', `/api/v1/watch/namespaces/default/configmaps`), 405);
  assert.equal(route('OPTIONS', `${NS}/configmaps`), 405);
});

test('every subresource in the scheme is either served with verbs or not served', () => {
  for (const r of RESOURCES) {
    for (const s of r.subresources) {
      const served = servedSubresources(r).includes(s);
      assert.equal(subresourceVerbs(s) !== undefined, served, `${r.resource}/${s}`);
    }
  }
});

test('a 404 echoes at most 256 characters of the name and subresource', () => {
  const long = 'n'.repeat(5000);
  const ri = parseRequestInfo('GET', `${NS}/pods/${long}/${long}`, new URLSearchParams());
  assert.throws(() => checkRoute(res('', 'pods'), ri, 'GET'), (err: unknown) => isStatusError(err) && err.code === 404 && err.message.length < 700);
});
