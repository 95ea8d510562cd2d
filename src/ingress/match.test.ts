import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PathType } from '../api/types/networking-v1-ingress.ts';
import { pathMatches, requestHost, requestPath } from './match.ts';

// The examples table of https://kubernetes.io/docs/concepts/services-networking/ingress/#examples
// for single paths (the multi-path rows are in router.test.ts, where precedence is decided).
const PATHS: Array<[PathType, string, string, boolean]> = [
  ['Prefix', '/', '/anything/at/all', true],
  ['Prefix', '/', '/', true],
  ['Exact', '/foo', '/foo', true],
  ['Exact', '/foo', '/bar', false],
  ['Exact', '/foo', '/foo/', false],
  ['Exact', '/foo/', '/foo', false],
  ['Prefix', '/foo', '/foo', true],
  ['Prefix', '/foo', '/foo/', true],
  ['Prefix', '/foo/', '/foo', true],
  ['Prefix', '/foo/', '/foo/', true],
  ['Prefix', '/aaa/bb', '/aaa/bbb', false],
  ['Prefix', '/aaa/bbb', '/aaa/bbb', true],
  ['Prefix', '/aaa/bbb/', '/aaa/bbb', true],
  ['Prefix', '/aaa/bbb', '/aaa/bbb/', true],
  ['Prefix', '/aaa/bbb', '/aaa/bbb/ccc', true],
  ['Prefix', '/aaa/bbb', '/aaa/bbbxyz', false],
  ['Prefix', '/aaa', '/ccc', false],
  // Matching is case-sensitive.
  ['Prefix', '/foo', '/FOO', false],
  ['Exact', '/foo', '/Foo', false],
  // ImplementationSpecific is skiff's Prefix.
  ['ImplementationSpecific', '/aaa', '/aaa/b', true],
  ['ImplementationSpecific', '/aaa', '/aaab', false],
];

test('paths match as the Ingress API examples say', () => {
  for (const [type, rule, req, want] of PATHS) {
    assert.equal(pathMatches(type, rule, req), want, `${type} ${rule} vs ${req}`);
  }
});

test('the request host loses its port and case, the path its query', () => {
  assert.equal(requestHost('Foo.Example.COM:8080'), 'foo.example.com');
  assert.equal(requestHost('foo.example.com.'), 'foo.example.com');
  assert.equal(requestHost('[::1]:443'), '::1');
  assert.equal(requestHost('::1'), '::1');
  assert.equal(requestHost(undefined), '');
  assert.equal(requestPath('/a/b?x=1#f'), '/a/b');
  assert.equal(requestPath('http://h.example/a?q'), '/a');
  assert.equal(requestPath('http://h.example'), '/');
  assert.equal(requestPath('*'), '/*');
});
