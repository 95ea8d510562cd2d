import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { createCsr } from '../../pki/certs.ts';
import { validateCertificateSigningRequest, validateCertificateSigningRequestUpdate, validateSignerName } from './certificates.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function csr(spec: Record<string, unknown> = {}, status?: Record<string, unknown>): Promise<KubeObject> {
  const { csrPem } = await createCsr('jane', ['devs']);
  return {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'x' },
    spec: { request: b64(csrPem), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec },
    ...(status ? { status } : {}),
  };
}

const fields = (errs: Array<{ field: string; detail: string }>): string[] => errs.map((e) => `${e.field}: ${e.detail}`);

test('a well-formed request validates', async () => {
  assert.deepEqual(validateCertificateSigningRequest(await csr()), []);
});

test('request PEM, usages, signerName and expirationSeconds are checked as upstream', async () => {
  const errs = fields(validateCertificateSigningRequest(await csr({ request: b64('nope'), usages: ['client auth', 'client auth', 'bogus'], signerName: 'nodomain', expirationSeconds: 599 })));
  assert.ok(errs.includes('spec.request: PEM block type must be CERTIFICATE REQUEST'), errs.join('\n'));
  assert.ok(errs.some((e) => e.startsWith('spec.usages[1]: ')), 'duplicate usage');
  assert.ok(errs.some((e) => e.startsWith('spec.usages[2]: supported values: ')), 'unknown usage');
  assert.ok(errs.includes("spec.signerName: must be a fully qualified domain and path of the form 'example.com/signer-name'"));
  assert.ok(errs.includes('spec.expirationSeconds: may not specify a duration less than 600 seconds (10 minutes)'));
  assert.deepEqual(fields(validateCertificateSigningRequest(await csr({ usages: [] }))), ['spec.usages: ']);
  assert.deepEqual(fields(validateCertificateSigningRequest(await csr({ signerName: 'kubernetes.io/legacy-unknown' }))), ['spec.signerName: the legacy signerName is not allowed via this API version']);
});

test('signer names: one slash, a dotted domain, DNS path components', () => {
  assert.deepEqual(validateSignerName('f', 'example.com/my-signer'), []);
  assert.equal(validateSignerName('f', 'example/x')[0]!.detail, 'should be a domain with at least two segments separated by dots');
  assert.deepEqual(validateSignerName('f', '').map((e) => e.type), ['FieldValueRequired']);
});

test('Approved and Denied are exclusive, True only, no duplicate types; certificates must be CERTIFICATE blocks', async () => {
  const both = await csr({}, { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] });
  assert.deepEqual(fields(validateCertificateSigningRequest(both)), ['status.conditions: Approved and Denied conditions are mutually exclusive']);
  const falseApproval = await csr({}, { conditions: [{ type: 'Approved', status: 'False' }, { type: 'Failed', status: 'True' }, { type: 'Failed', status: 'True' }] });
  assert.deepEqual(fields(validateCertificateSigningRequest(falseApproval)), ['status.conditions[0].status: supported values: "True"', 'status.conditions[2].type: ']);
  const badCert = await csr({}, { certificate: b64('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') });
  assert.deepEqual(fields(validateCertificateSigningRequest(badCert)), ['status.certificate: only CERTIFICATE PEM blocks are allowed, found "PRIVATE KEY"']);
  const noCert = await csr({}, { certificate: b64('text only') });
  assert.deepEqual(fields(validateCertificateSigningRequest(noCert)), ['status.certificate: must contain at least one CERTIFICATE PEM block']);
});

test('updates never remove approval conditions nor change an issued certificate', async () => {
  const old = await csr({}, { conditions: [{ type: 'Approved', status: 'True' }], certificate: b64('a') });
  const next = await csr({}, { certificate: b64('b') });
  assert.deepEqual(fields(validateCertificateSigningRequestUpdate(next, old)), [
    'status.conditions: updates may not remove a condition of type "Approved"',
    'status.certificate: updates may not modify existing certificate content',
  ]);
});
