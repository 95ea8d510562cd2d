// CertificateSigningRequest rows (NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION), as
// printCertificateSigningRequest and extractCSRStatus in pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col } from './columns.ts';
import { humanDuration, since } from './human-duration.ts';
import type { Printer } from './types.ts';

interface Csr extends KubeObject {
  spec?: { signerName?: string; username?: string; expirationSeconds?: number };
  status?: { conditions?: Array<{ type?: string }>; certificate?: string };
}

/** Denied, else Approved, else Pending; then ",Failed" and ",Issued" when they apply. */
export function csrCondition(csr: Csr): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let out = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) out += ',Failed';
  if (csr.status?.certificate) out += ',Issued';
  return out;
}

export const certificateSigningRequestPrinter: Printer = {
  columns: [
    NAME, AGE,
    col('SignerName', 'string', 'The signer the request is addressed to.'),
    col('Requestor', 'string', 'The user who created the request.'),
    col('RequestedDuration', 'string', 'The lifetime asked for (spec.expirationSeconds).'),
    col('Condition', 'string', 'Pending, Approved or Denied, then Failed and Issued.'),
  ],
  cells(obj, now) {
    const csr = obj as Csr;
    const secs = csr.spec?.expirationSeconds;
    return [
      csr.metadata.name ?? '', since(csr.metadata.creationTimestamp, now), csr.spec?.signerName || '<none>',
      csr.spec?.username ?? '', typeof secs === 'number' ? humanDuration(secs * 1000) : '<none>', csrCondition(csr),
    ];
  },
};
