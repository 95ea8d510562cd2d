import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from './request-info.ts';
import { isLongRunning, MaxInflight, requestKind, tooManyRequests } from './max-inflight.ts';

const ri = (m: string, path: string, q = '') => parseRequestInfo(m, path, new URLSearchParams(q));

test('read-only and mutating requests each have their own limit', () => {
  const l = new MaxInflight({ readOnly: 2, mutating: 1 });
  const r1 = l.tryAcquire('readOnly');
  const r2 = l.tryAcquire('readOnly');
  assert.ok(r1 && r2);
  assert.equal(l.tryAcquire('readOnly'), undefined);
  const m1 = l.tryAcquire('mutating');
  assert.ok(m1);
  assert.equal(l.tryAcquire('mutating'), undefined);
  r1();
  r1(); // a second release is a no-op
  assert.equal(l.current('readOnly'), 1);
  assert.ok(l.tryAcquire('readOnly'));
  m1();
  assert.equal(l.current('mutating'), 0);
});

test('zero means no limit', () => {
  const l = new MaxInflight({ readOnly: 0, mutating: 0 });
  for (let i = 0; i < 1000; i++) assert.ok(l.tryAcquire('mutating'));
});

test('long-running requests and request kinds as upstream classifies them', () => {
  assert.equal(isLongRunning(ri('GET', '/api/v1/namespaces/d/pods', 'watch=true')), true);
  assert.equal(isLongRunning(ri('GET', '/api/v1/watch/namespaces/d/pods')), true);
  assert.equal(isLongRunning(ri('GET', '/api/v1/namespaces/d/pods/p/log')), true);
  assert.equal(isLongRunning(ri('POST', '/api/v1/namespaces/d/pods/p/exec')), true);
  assert.equal(isLongRunning(ri('GET', '/api/v1/namespaces/d/pods')), false);
  assert.equal(isLongRunning(ri('GET', '/version')), false);
  assert.equal(requestKind(ri('GET', '/api/v1/namespaces/d/pods')), 'readOnly');
  assert.equal(requestKind(ri('GET', '/openapi/v2')), 'readOnly');
  assert.equal(requestKind(ri('POST', '/api/v1/namespaces/d/pods')), 'mutating');
  assert.equal(requestKind(ri('DELETE', '/api/v1/namespaces/d/pods')), 'mutating');
  const s = tooManyRequests().status;
  assert.deepEqual([s.code, s.reason, s.details?.retryAfterSeconds], [429, 'TooManyRequests', 1]);
});
