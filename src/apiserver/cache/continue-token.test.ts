import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';

const PREFIX = '/registry/core/configmaps/default/';
const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function bad(token: string, message: RegExp): void {
  assert.throws(() => decodeContinue(token, PREFIX), (err: unknown) => {
    assert.ok(isStatusError(err), String(err));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.match(err.message, message);
    assert.ok(err.message.length < 400, 'the token is not echoed in full');
    return true;
  });
}

test('tokens round-trip in upstream\'s format, relative to the prefix', () => {
  const t = encodeContinue(`${PREFIX}cm-7`, PREFIX, 42);
  assert.deepEqual(JSON.parse(Buffer.from(t, 'base64url').toString()), { v: 'meta.k8s.io/v1', rv: 42, start: 'cm-7' });
  assert.deepEqual(decodeContinue(t, PREFIX), { rv: 42, startAfter: `${PREFIX}cm-7` });
  // An all-namespaces token names the namespace too, and stays below the resource's prefix.
  const all = '/registry/core/configmaps/';
  assert.deepEqual(decodeContinue(encodeContinue(`${all}ns/cm`, all, 3), all), { rv: 3, startAfter: `${all}ns/cm` });
  assert.deepEqual(decodeContinue(b64({ v: 'meta.k8s.io/v1', rv: 1, start: '/' }), PREFIX), { rv: 1, startAfter: PREFIX });
});

test('crafted tokens are 400s', () => {
  bad('!!!', /invalid continue token: continue key is not valid: illegal base64 data/);
  bad('a', /illegal base64 data/);
  bad(b64('not json'), /^invalid continue token: continue key is not valid: /);
  bad(b64([1, 2]), /not a JSON object/);
  bad(b64(null), /not a JSON object/);
  bad(b64({ rv: 5, start: 'x' }), /server does not recognize this encoded version/);
  bad(b64({ v: 'meta.k8s.io/v1', rv: 0, start: 'x' }), /incorrect encoded start resourceVersion/);
  bad(b64({ v: 'meta.k8s.io/v1', rv: -1, start: 'x' }), /incorrect encoded start resourceVersion/);
  bad(b64({ v: 'meta.k8s.io/v1', rv: '5', start: 'x' }), /incorrect encoded start resourceVersion/);
  bad(b64({ v: 'meta.k8s.io/v1', rv: 1.5, start: 'x' }), /incorrect encoded start resourceVersion/);
  bad(b64({ v: 'meta.k8s.io/v1', rv: 1e300, start: 'x' }), /incorrect encoded start resourceVersion/);
  bad(b64({ v: 'meta.k8s.io/v1', rv: 5, start: 7 }), /start key is not a string/);
  bad(b64({ v: 'meta.k8s.io/v1', rv: 5, start: '' }), /encoded start key empty/);
  bad('A'.repeat(1024 * 1024), /longer than 4096 characters/);
});

test('a start key cannot leave the list\'s prefix', () => {
  for (const start of ['../kube-system/x', '/../kube-system/x', 'a/../../x', './x', 'x/', 'a//b', '..', `${'../'.repeat(50)}secrets`]) {
    bad(b64({ v: 'meta.k8s.io/v1', rv: 5, start }), /^invalid continue token: continue key is not valid: /);
  }
  // A full key from elsewhere is just a (clean) name below this prefix.
  const other = decodeContinue(b64({ v: 'meta.k8s.io/v1', rv: 5, start: '/registry/core/secrets/kube-system/x' }), PREFIX);
  assert.ok(other.startAfter.startsWith(PREFIX));
});
