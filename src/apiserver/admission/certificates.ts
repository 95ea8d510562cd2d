// The certificates admission plugins (plugin/pkg/admission/certificates/{approval,signing,
// subjectrestriction}): approving a CertificateSigningRequest takes `approve` on its signer,
// issuing its certificate takes `sign` on its signer (both on the `signers` resource of
// certificates.k8s.io, named by signerName or `domain/*`), and nobody may ask the
// kube-apiserver-client signer for a system:masters certificate.
import { forbidden, type StatusError } from '../../api/errors.ts';
import { parseCertificateRequest } from '../../pki/certs.ts';
import type { Authorizer } from '../authorization/types.ts';
import type { AdmissionAttributes, AdmissionPlugin, UserInfo } from './types.ts';

type Obj = Record<string, any>;

const GROUP = 'certificates.k8s.io';
const RESOURCE = 'certificatesigningrequests';

const isCsr = (a: AdmissionAttributes): boolean => a.info.group === GROUP && a.info.storage.resource === RESOURCE;
const signerOf = (a: AdmissionAttributes): string => String((a.object?.spec as Obj | undefined)?.signerName ?? (a.oldObject?.spec as Obj | undefined)?.signerName ?? '');

function refuse(a: AdmissionAttributes, reason: string): StatusError {
  return forbidden(`${RESOURCE}.${GROUP} "${a.name || (a.object?.metadata.name ?? '')}" is forbidden: ${reason}`);
}

/** certificates.IsAuthorizedForSignerName: the verb on signers/<signerName>, or on signers/<domain>/*. */
export async function authorizedForSigner(authorizer: Authorizer, user: UserInfo, verb: string, signerName: string): Promise<boolean> {
  const ask = async (name: string): Promise<boolean> => (await authorizer.authorize({
    user, verb, isResourceRequest: true, path: '', namespace: '', apiGroup: GROUP, apiVersion: '*', resource: 'signers', subresource: '', name,
  })).decision === 'allow';
  if (await ask(signerName)) return true;
  const slash = signerName.indexOf('/');
  return slash > 0 && (await ask(`${signerName.slice(0, slash)}/*`));
}

/** CertificateApproval: updates of /approval need `approve` on the signer. */
export function certificateApproval(authorizer: () => Authorizer): AdmissionPlugin {
  return {
    name: 'CertificateApproval',
    async validate(a) {
      if (!isCsr(a) || a.operation !== 'UPDATE' || a.subresource !== 'approval') return;
      const signer = signerOf(a);
      if (!(await authorizedForSigner(authorizer(), a.user, 'approve', signer))) throw refuse(a, `user not permitted to approve requests with signerName "${signer}"`);
    },
  };
}

/** CertificateSigning: a /status update that changes the certificate needs `sign` on the signer. */
export function certificateSigning(authorizer: () => Authorizer): AdmissionPlugin {
  return {
    name: 'CertificateSigning',
    async validate(a) {
      if (!isCsr(a) || a.operation !== 'UPDATE' || a.subresource !== 'status') return;
      const cert = (o: typeof a.object): unknown => (o?.status as Obj | undefined)?.certificate ?? '';
      if (cert(a.object) === cert(a.oldObject)) return;
      const signer = signerOf(a);
      if (!(await authorizedForSigner(authorizer(), a.user, 'sign', signer))) throw refuse(a, `user not permitted to sign requests with signerName "${signer}"`);
    },
  };
}

/** CertificateSubjectRestriction: no system:masters certificates from kubernetes.io/kube-apiserver-client. */
export function certificateSubjectRestriction(): AdmissionPlugin {
  return {
    name: 'CertificateSubjectRestriction',
    async validate(a) {
      if (!isCsr(a) || a.operation !== 'CREATE' || a.subresource !== '' || signerOf(a) !== 'kubernetes.io/kube-apiserver-client') return;
      const request = String((a.object?.spec as Obj | undefined)?.request ?? '');
      let orgs: string[];
      try {
        orgs = (await parseCertificateRequest(Buffer.from(request, 'base64').toString('utf8'))).organizations;
      } catch {
        return; // validation refuses a request that does not parse
      }
      if (orgs.includes('system:masters')) throw refuse(a, 'use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
    },
  };
}
