// Wire tables for k8s.io/api certificates/v1 (CertificateSigningRequest): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const certificatesV1: PackageTable = {
  proto: 'k8s.io.api.certificates.v1',
  alias: 'certificates',
  messages: {
    CertificateSigningRequest: ['1 metadata meta.ObjectMeta', '2 spec CertificateSigningRequestSpec', '3 status CertificateSigningRequestStatus'],
    CertificateSigningRequestList: ['1 metadata meta.ListMeta', '2 items *CertificateSigningRequest[]'],
    CertificateSigningRequestSpec: ['1 request *bytes', '7 signerName *string', '8 expirationSeconds int32', '5 usages string[]', '2 username string', '3 uid string',
      '4 groups string[]', '6 extra {ExtraValue}'],
    ExtraValue: ['1 items string[]'],
    CertificateSigningRequestStatus: ['1 conditions CertificateSigningRequestCondition[]', '2 certificate bytes'],
    CertificateSigningRequestCondition: ['1 type *string', '6 status *string', '2 reason string', '3 message string', '4 lastUpdateTime Time', '5 lastTransitionTime Time'],
  },
};
