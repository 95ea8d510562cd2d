import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alreadyExists, inGoOrder, invalid, MAX_REPORTED_FIELD_ERRORS, notFound, notServed } from './errors.ts';

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

test('Status bytes are kube-apiserver\'s: Go struct order (details before code), empty fields omitted', () => {
  // As kube-apiserver 1.33 writes them (core group: no "group" in details).
  assert.equal(JSON.stringify(alreadyExists({ group: '', resource: 'configmaps' }, 'x').status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"x\\" already exists","reason":"AlreadyExists","details":{"name":"x","kind":"configmaps"},"code":409}');
  assert.equal(JSON.stringify(notFound({ group: 'apps', resource: 'deployments' }, 'nope').status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","group":"apps","kind":"deployments"},"code":404}');
  assert.equal(JSON.stringify(notServed().status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{"causes":[{"reason":"UnexpectedServerResponse","message":"404 page not found"}]},"code":404}');
  const bad = invalid('ConfigMap', '', 'BAD', [{ type: 'FieldValueInvalid', field: 'metadata.name', badValue: 'BAD', detail: 'must be lowercase' }]);
  assert.equal(JSON.stringify(bad.status),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"ConfigMap \\"BAD\\" is invalid: metadata.name: Invalid value: \\"BAD\\": must be lowercase","reason":"Invalid","details":{"name":"BAD","kind":"ConfigMap","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \\"BAD\\": must be lowercase","field":"metadata.name"}]},"code":422}');
  // A Success Status from delete has no code; fields added out of order are put back in order.
  assert.equal(JSON.stringify(inGoOrder({ details: { uid: 'u', kind: 'configmaps', group: '', name: 'x' }, status: 'Success', metadata: {}, apiVersion: 'v1', kind: 'Status' })),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"x","kind":"configmaps","uid":"u"}}');
});
