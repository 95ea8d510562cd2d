// certificates.k8s.io/v1: CertificateSigningRequest. Mirrors staging/src/k8s.io/api/certificates/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { arr, bytes, int, kind, listKind, mapOf, obj, ref, str, time } from './dsl.ts';

const P = 'io.k8s.api.certificates.v1';
const gvk = (k: string): GVK[] => [{ group: 'certificates.k8s.io', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.CertificateSigningRequest`]: kind(gvk('CertificateSigningRequest'), {
    spec: ref(`${P}.CertificateSigningRequestSpec`, 'The certificate request and what it asks for; immutable.'),
    status: ref(`${P}.CertificateSigningRequestStatus`, 'Approval conditions and the issued certificate.'),
  }, { d: 'A request for a certificate from a named signer; approved or denied, then signed.', required: ['spec'] }),
  [`${P}.CertificateSigningRequestList`]: listKind(gvk('CertificateSigningRequestList'), `${P}.CertificateSigningRequest`),
  [`${P}.CertificateSigningRequestSpec`]: obj({
    request: bytes('A PEM-encoded PKCS#10 "CERTIFICATE REQUEST" block.'),
    signerName: str('The signer asked to sign, e.g. kubernetes.io/kube-apiserver-client.'),
    expirationSeconds: int('Requested lifetime of the certificate; at least 600. The signer may issue a shorter one.'),
    usages: arr(str(), { d: 'Key usages and extended key usages asked for (e.g. "digital signature", "client auth").', listType: 'atomic' }),
    username: str('The user who created the request; set by the server.'),
    uid: str('The uid of the user who created the request; set by the server.'),
    groups: arr(str(), { d: 'The groups of the user who created the request; set by the server.', listType: 'atomic' }),
    extra: mapOf(arr(str()), 'Extra attributes of the user who created the request; set by the server.'),
  }, { d: 'What a certificate request asks for.', required: ['request', 'signerName'] }),
  [`${P}.CertificateSigningRequestStatus`]: obj({
    conditions: arr(ref(`${P}.CertificateSigningRequestCondition`), { d: 'Approved, Denied and Failed conditions.', listType: 'map', mapKeys: ['type'] }),
    certificate: bytes('The issued certificate, PEM-encoded; set by the signer once approved.'),
  }, { d: 'The state of a certificate request.' }),
  [`${P}.CertificateSigningRequestCondition`]: obj({
    type: str('Approved, Denied or Failed.'),
    status: str('True, False or Unknown.'),
    reason: str('A one-word reason.'),
    message: str('A human-readable explanation.'),
    lastUpdateTime: time('When the condition was last updated.'),
    lastTransitionTime: time('When the status last changed.'),
  }, { d: 'A condition of a certificate request.', required: ['type', 'status'] }),
};
