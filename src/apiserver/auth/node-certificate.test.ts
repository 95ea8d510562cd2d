import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { createCa, createCsr, keyMatchesCert, signLeaf } from './certs.ts';
import { kubeProxyKeyFromCsr, mayGetNodeCertificate, nodeNameFromCsr } from './node-certificate.ts';

const bootstrapper = { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] };

test('a node\'s request: exactly O=system:nodes, CN=system:node:<name>; the certificate is for the node\'s own key', async () => {
  const ca = await createCa('test-ca', 1);
  const { csrPem, keyPem } = await createCsr('system:node:n1', ['system:nodes']);
  const { node, publicKey } = await nodeNameFromCsr(csrPem);
  assert.equal(node, 'n1');
  const certPem = await signLeaf(ca, publicKey, { cn: 'system:node:n1', orgs: ['system:nodes'], usage: 'client', days: 365 });
  assert.equal(keyMatchesCert(keyPem, certPem), true);
  const cert = new X509Certificate(certPem);
  assert.equal(cert.verify(new X509Certificate(ca.certPem).publicKey), true);
  assert.match(cert.subject, /O=system:nodes/);
  assert.match(cert.subject, /CN=system:node:n1/);
});

test('other requests are refused', async () => {
  for (const [cn, orgs, why] of [
    ['system:node:n1', ['system:masters'], /exactly one organization, "system:nodes"/],
    ['system:node:n1', ['system:nodes', 'system:masters'], /exactly one organization/],
    ['admin', ['system:nodes'], /common name must be "system:node:<node name>"/],
    ['system:node:N_1', ['system:nodes'], /not a valid node name/],
  ] as const) {
    const { csrPem } = await createCsr(cn, orgs);
    await assert.rejects(nodeNameFromCsr(csrPem), (err: Error & { code?: number }) => err.code === 400 && why.test(err.message), `${cn} ${orgs.join(',')}`);
  }
  // Subject alternative names are not for node client certificates.
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const withSan = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'O=system:nodes, CN=system:node:n1', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'kubernetes' }])],
  });
  await assert.rejects(nodeNameFromCsr(withSan.toString('pem')), /may not ask for extensions/);
  await assert.rejects(nodeNameFromCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'), /Cannot read the certificate request/);
});

test('bootstrappers may ask for any node; a node only for itself; nobody else', () => {
  assert.equal(mayGetNodeCertificate(bootstrapper, 'n1'), true);
  assert.equal(mayGetNodeCertificate({ name: 'system:node:n1', groups: ['system:nodes'] }, 'n1'), true);
  assert.equal(mayGetNodeCertificate({ name: 'system:node:n1', groups: ['system:nodes'] }, 'n2'), false);
  assert.equal(mayGetNodeCertificate({ name: 'alice', groups: ['system:authenticated'] }, 'n1'), false);
});

test('the node network\'s request: exactly CN=system:kube-proxy, nothing else', async () => {
  const { csrPem } = await createCsr('system:kube-proxy', []);
  assert.ok(await kubeProxyKeyFromCsr(csrPem));
  for (const [cn, orgs, why] of [
    ['system:kube-proxy', ['system:masters'], /may hold only CN, not O/],
    ['system:node:n1', ['system:nodes'], /common name must be "system:kube-proxy"/],
  ] as const) {
    const { csrPem: bad } = await createCsr(cn, orgs);
    await assert.rejects(kubeProxyKeyFromCsr(bad), (err: Error & { code?: number }) => err.code === 400 && why.test(err.message), `${cn} ${orgs.join(',')}`);
  }
});
