import { test } from 'node:test';
import assert from 'node:assert/strict';
import { badRequest } from '../api/errors.ts';
import { statusForFailure } from './unexpected-error.ts';

test('an unexpected exception becomes a 500 that leaks neither message nor stack', () => {
  for (const err of [new TypeError("Cannot read properties of undefined (reading 'secret-field')"), new RangeError('Maximum call stack size exceeded'), 'a thrown string /var/lib/skiff', undefined]) {
    const { status, unexpected } = statusForFailure(err);
    assert.equal(unexpected, true);
    assert.deepEqual([status.kind, status.code, status.reason], ['Status', 500, 'InternalError']);
    assert.doesNotMatch(status.message ?? '', /secret|stack|\/var\/lib|at /);
  }
});

test('a StatusError is answered as it is', () => {
  const { status, unexpected } = statusForFailure(badRequest('the request path "//" is not canonical'));
  assert.equal(unexpected, false);
  assert.deepEqual([status.code, status.reason, status.message], [400, 'BadRequest', 'the request path "//" is not canonical']);
});
