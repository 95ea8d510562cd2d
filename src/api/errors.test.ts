import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid, MAX_REPORTED_FIELD_ERRORS, notServed } from './errors.ts';

test('invalid() echoes a 1 MB name and value in at most 256 characters each', () => {
  const name = 'a'.repeat(1 << 20);
  const err = invalid('Pod', '', name, [{ type: 'FieldValueInvalid', field: 'metadata.name', detail: 'must be no more than 253 characters', badValue: name }]);
  assert.ok(JSON.stringify(err.status).length < 4096, String(JSON.stringify(err.status).length));
  assert.match(err.message, /^Pod "a{256}\.\.\." is invalid: metadata\.name: Invalid value: "a{256}\.\.\.": must be no more than 253 characters$/);
  const obj = invalid('Pod', '', 'p', [{ type: 'FieldValueInvalid', field: 'spec', detail: 'x', badValue: { big: 'b'.repeat(10_000) } }]);
  assert.ok(obj.message.length < 400);
});

test('invalid() lists at most 100 errors and says how many more there were', () => {
  const errs = Array.from({ length: 5000 }, (_, i) => ({ type: 'FieldValueRequired' as const, field: `spec.env[${i}].name`, detail: '' }));
  const err = invalid('Pod', '', 'p', errs);
  assert.equal(err.status.details?.causes?.length, MAX_REPORTED_FIELD_ERRORS);
  assert.match(err.message, /spec\.env\[99\]\.name: Required value, and 4900 more errors\]$/);
});

test('notServed() is what client-go makes of kube-apiserver\'s "404 page not found"', () => {
  assert.deepEqual(notServed().status, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource',
    reason: 'NotFound', details: { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] }, code: 404,
  });
});
