import assert from 'node:assert/strict';
import { test } from 'node:test';
import { certificateSigningRequestPrinter, csrCondition } from './print-certificates.ts';
import { HOUR, NOW, ago } from './test-helpers.ts';

test('CSR rows as kubectl shows them', () => {
  assert.deepEqual(certificateSigningRequestPrinter.columns.map((c) => c.name), ['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition']);
  const csr = { metadata: { name: 'jane', creationTimestamp: ago(HOUR) }, spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'admin', expirationSeconds: 86400 }, status: { conditions: [{ type: 'Approved' }], certificate: 'Zm9v' } };
  assert.deepEqual(certificateSigningRequestPrinter.cells(csr, NOW), ['jane', '60m', 'kubernetes.io/kube-apiserver-client', 'admin', '24h', 'Approved,Issued']);
  assert.deepEqual(certificateSigningRequestPrinter.cells({ metadata: { name: 'x', creationTimestamp: ago(HOUR) } }, NOW).slice(2), ['<none>', '', '<none>', 'Pending']);
  assert.equal(csrCondition({ metadata: {}, status: { conditions: [{ type: 'Approved' }, { type: 'Denied' }, { type: 'Failed' }] } }), 'Denied,Failed');
});
