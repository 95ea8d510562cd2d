import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { createCa, createCsr, isSignedBy, parseCertificateRequest, signCertificateRequest } from '../../pki/certs.ts';
import { cleanupDeadline } from './cleaner-controller.ts';
import { KUBE_APISERVER_CLIENT_KUBELET_SIGNER, KUBE_APISERVER_CLIENT_SIGNER, type Csr } from './csr.ts';
import { certificateDuration, signerRefusal } from './signing-controller.ts';

test('expirationSeconds: honoured below the maximum, at least 10 minutes', () => {
  assert.equal(certificateDuration(undefined, 1e9), 1e9);
  assert.equal(certificateDuration(3600, 1e9), 3600_000);
  assert.equal(certificateDuration(60, 1e9), 600_000);
  assert.equal(certificateDuration(1e7, 1e9), 1e9);
});

test('signers check usages, and the kubelet signer the subject', async () => {
  const jane = await parseCertificateRequest((await createCsr('jane', ['devs'])).csrPem);
  assert.equal(signerRefusal(KUBE_APISERVER_CLIENT_SIGNER, jane, ['client auth', 'digital signature']), undefined);
  assert.equal(signerRefusal(KUBE_APISERVER_CLIENT_SIGNER, jane, ['server auth', 'client auth']), 'invalid usage for client certificate: server auth');
  assert.equal(signerRefusal(KUBE_APISERVER_CLIENT_SIGNER, jane, ['digital signature']), 'missing required usage for client certificate: client auth');
  assert.equal(signerRefusal(KUBE_APISERVER_CLIENT_KUBELET_SIGNER, jane, ['client auth', 'digital signature']), 'subject organization is not system:nodes');
  const node = await parseCertificateRequest((await createCsr('system:node:n1', ['system:nodes'])).csrPem);
  assert.equal(signerRefusal(KUBE_APISERVER_CLIENT_KUBELET_SIGNER, node, ['client auth', 'digital signature', 'key encipherment']), undefined);
  assert.match(signerRefusal(KUBE_APISERVER_CLIENT_KUBELET_SIGNER, node, ['client auth']) ?? '', /^usages did not match/);
  const notNode = await parseCertificateRequest((await createCsr('n1', ['system:nodes'])).csrPem);
  assert.equal(signerRefusal(KUBE_APISERVER_CLIENT_KUBELET_SIGNER, notNode, ['client auth', 'digital signature']), 'subject common name does not begin with system:node:');
});

test('a signed certificate keeps the request\'s subject and asks for the requested usages', async () => {
  const ca = await createCa('test-ca', 1);
  const { csrPem } = await createCsr('jane', ['devs', 'qa']);
  const now = Date.now();
  const pem = await signCertificateRequest(ca, csrPem, { usages: ['client auth', 'digital signature'], notBefore: new Date(now - 1000), notAfter: new Date(now + 3600_000) });
  const cert = new X509Certificate(pem);
  assert.ok(await isSignedBy(pem, ca.certPem));
  assert.match(cert.subject, /CN=jane/);
  assert.match(cert.subject, /O=devs/);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(Math.abs(Date.parse(cert.validTo) - (now + 3600_000)) < 2000);
});

test('cleaner deadlines: an hour after approval or denial, a day pending', () => {
  const csr = (status: Csr['status'], created = '2026-01-01T00:00:00Z'): Csr => ({ metadata: { name: 'x', creationTimestamp: created }, spec: { request: '', signerName: 's' }, ...(status ? { status } : {}) });
  assert.equal(cleanupDeadline(csr(undefined)), Date.parse('2026-01-02T00:00:00Z'));
  assert.equal(cleanupDeadline(csr({ conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: '2026-01-01T05:00:00Z' }] })), Date.parse('2026-01-01T06:00:00Z'));
  // Approved but not issued: the signer still has to act; nothing to clean yet.
  assert.equal(cleanupDeadline(csr({ conditions: [{ type: 'Approved', status: 'True', lastUpdateTime: '2026-01-01T05:00:00Z' }] })), undefined);
});
