import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { lookupResource } from '../../api/scheme.ts';
import { createCsr } from '../../pki/certs.ts';
import type { AuthorizationAttributes, Authorizer } from '../authorization/types.ts';
import { authorizedForSigner, certificateApproval, certificateSigning, certificateSubjectRestriction } from './certificates.ts';
import type { AdmissionAttributes } from './types.ts';

const info = lookupResource('certificates.k8s.io', 'v1', 'certificatesigningrequests')!;
const allowing = (names: string[]): Authorizer & { asked: AuthorizationAttributes[] } => {
  const asked: AuthorizationAttributes[] = [];
  return { name: 't', asked, authorize: (a) => { asked.push(a); return { decision: names.includes(`${a.verb} ${a.resource} ${a.name}`) ? 'allow' : 'no-opinion', reason: '' }; } };
};
const csr = (status: Record<string, unknown> = {}, request = ''): KubeObject => ({ metadata: { name: 'c' }, spec: { signerName: 'example.com/signer', request }, status });
const attrs = (o: Partial<AdmissionAttributes>): AdmissionAttributes => ({
  info, operation: 'UPDATE', namespace: '', name: 'c', subresource: '', user: { name: 'u', groups: [] }, dryRun: false, warn: () => {}, ...o,
});

test('approve/sign on signers by name, then domain/*', async () => {
  const z = allowing(['approve signers example.com/*']);
  assert.ok(await authorizedForSigner(z, { name: 'u', groups: [] }, 'approve', 'example.com/signer'));
  assert.deepEqual(z.asked.map((a) => [a.apiGroup, a.resource, a.name]), [['certificates.k8s.io', 'signers', 'example.com/signer'], ['certificates.k8s.io', 'signers', 'example.com/*']]);
  assert.equal(await authorizedForSigner(allowing([]), { name: 'u', groups: [] }, 'sign', 'example.com/signer'), false);
});

test('CertificateApproval checks /approval updates only', async () => {
  const p = certificateApproval(() => allowing([]));
  await p.validate!(attrs({ subresource: 'status', object: csr(), oldObject: csr() }));
  await assert.rejects(async () => p.validate!(attrs({ subresource: 'approval', object: csr(), oldObject: csr() })),
    /certificatesigningrequests.certificates.k8s.io "c" is forbidden: user not permitted to approve requests with signerName "example.com\/signer"/);
});

test('CertificateSigning checks /status updates that change the certificate', async () => {
  const p = certificateSigning(() => allowing([]));
  await p.validate!(attrs({ subresource: 'status', object: csr({ conditions: [] }), oldObject: csr() }));
  await assert.rejects(async () => p.validate!(attrs({ subresource: 'status', object: csr({ certificate: 'Zm9v' }), oldObject: csr() })), /user not permitted to sign requests/);
  await certificateSigning(() => allowing(['sign signers example.com/signer'])).validate!(attrs({ subresource: 'status', object: csr({ certificate: 'Zm9v' }), oldObject: csr() }));
});

test('CertificateSubjectRestriction: no system:masters from kube-apiserver-client', async () => {
  const p = certificateSubjectRestriction();
  const { csrPem } = await createCsr('x', ['system:masters']);
  const o = { metadata: { name: 'c' }, spec: { signerName: 'kubernetes.io/kube-apiserver-client', request: Buffer.from(csrPem).toString('base64') } };
  await assert.rejects(async () => p.validate!(attrs({ operation: 'CREATE', object: o })), /use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/);
  await p.validate!(attrs({ operation: 'CREATE', object: { ...o, spec: { ...o.spec, signerName: 'example.com/other' } } }));
});
