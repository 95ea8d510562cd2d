import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWwwAuthenticate } from './www-authenticate.ts';

test('a Bearer challenge gives realm, service and scope', () => {
  const [c, ...rest] = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"');
  assert.deepEqual(rest, []);
  assert.equal(c?.scheme, 'bearer');
  assert.deepEqual(c?.params, { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' });
});

test('several challenges, unquoted and escaped values, odd spacing', () => {
  const got = parseWwwAuthenticate(['Basic realm="a \\"b\\"", charset=UTF-8', 'Bearer  realm = "http://127.0.0.1:1/t" , error="insufficient_scope"']);
  assert.deepEqual(got, [
    { scheme: 'basic', params: { realm: 'a "b"', charset: 'UTF-8' } },
    { scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/t', error: 'insufficient_scope' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Basic'), [{ scheme: 'basic', params: {} }]);
  assert.deepEqual(parseWwwAuthenticate(undefined), []);
});
