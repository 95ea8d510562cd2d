import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInsecureRegistry } from './errors.ts';
import { checkTransport, isLoopbackHost, registryEndpoint } from './registry-host.ts';

test('docker.io maps to its API host over HTTPS; loopback registries use plain HTTP', () => {
  assert.equal(registryEndpoint('docker.io').base.href, 'https://registry-1.docker.io/v2/');
  assert.equal(registryEndpoint('registry.k8s.io').base.href, 'https://registry.k8s.io/v2/');
  assert.equal(registryEndpoint('127.0.0.1:5000').base.href, 'http://127.0.0.1:5000/v2/');
  assert.equal(registryEndpoint('127.3.4.5:5000').plainHttp, true);
  assert.equal(registryEndpoint('localhost:5000').base.href, 'http://localhost:5000/v2/');
  assert.equal(registryEndpoint('[::1]:5000').base.href, 'http://[::1]:5000/v2/');
  assert.equal(registryEndpoint('127.0.0.1:5000', { insecureLoopback: false }).base.href, 'https://127.0.0.1:5000/v2/');
  assert.equal(registryEndpoint('10.0.0.1:5000').plainHttp, false);
  assert.equal(registryEndpoint('127.example.com').plainHttp, false);
});

test('plain HTTP is refused for any host but loopback', () => {
  for (const h of ['127.0.0.1', 'localhost', '[::1]', '127.255.0.9', 'a.localhost']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['128.0.0.1', '10.0.0.1', 'example.com', '::2', 'localhost.example.com']) assert.ok(!isLoopbackHost(h), h);
  checkTransport(new URL('https://example.com/'), false);
  checkTransport(new URL('http://127.0.0.1:1/'), true);
  assert.throws(() => checkTransport(new URL('http://127.0.0.1:1/'), false), isInsecureRegistry);
  assert.throws(() => checkTransport(new URL('http://example.com/'), true), /only loopback registries/);
  assert.throws(() => checkTransport(new URL('ftp://127.0.0.1/'), true), isInsecureRegistry);
});
