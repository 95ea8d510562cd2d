import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonical, computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './pod-template-hash.ts';

test('fnv32a matches the published FNV-1a test vectors', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.equal(fnv32a(enc('')), 0x811c9dc5);
  assert.equal(fnv32a(enc('a')), 0xe40c292c);
  assert.equal(fnv32a(enc('foobar')), 0xbf9cf968);
});

test('safeEncodeString maps decimal digits as rand.SafeEncodeString does', () => {
  // '0'..'9' are bytes 48..57: 48 % 27 = 21 → '4', … 54 % 27 = 0 → 'b'.
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('computeHash is stable across key order, renders in the safe alphabet, and changes with the collision count', () => {
  const a = { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'web', image: 'busybox' }] } };
  const b = { spec: { containers: [{ image: 'busybox', name: 'web' }] }, metadata: { labels: { tier: 'x', app: 'web' } } };
  const h = computeHash(a);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash(b), h);
  assert.notEqual(computeHash(a, 0), h, 'a nil collision count differs from 0');
  assert.notEqual(computeHash(a, 1), computeHash(a, 0));
  assert.notEqual(computeHash({ ...a, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } }), h);
});

test('equalIgnoreHash ignores the hash label and empty-versus-missing fields only', () => {
  const d = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox', args: [] }] } };
  const rs = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, annotations: {} }, spec: { containers: [{ name: 'web', image: 'busybox' }] } };
  assert.ok(equalIgnoreHash(d, rs));
  assert.ok(!equalIgnoreHash(d, { ...rs, spec: { containers: [{ name: 'web', image: 'nginx' }] } }));
  assert.ok(!equalIgnoreHash(d, { ...rs, metadata: { labels: { app: 'other' } } }));
  assert.equal(rs.metadata.labels['pod-template-hash'], 'abc', 'inputs are not modified');
  assert.deepEqual(canonical({ b: null, a: [] }), undefined);
});
