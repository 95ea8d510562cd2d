// csrapproving (pkg/controller/certificates/approver/sarapprove.go): approves kubelet client
// certificate requests when their requester may create certificatesigningrequests/selfnodeclient
// (a node renewing its own) or /nodeclient (a bootstrapper asking for a node), as a
// SubjectAccessReview through the API says. Anything else is left for a person to approve.
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { parseCertificateRequest, type CertificateRequestFacts } from '../../pki/certs.ts';
import type { Controller } from '../controller.ts';
import { runCsrWorker, watchCsrs } from './csr-loop.ts';
import { CSR_API_VERSION, hasCondition, KUBE_APISERVER_CLIENT_KUBELET_SIGNER, kubeletClientCsrError, requestPem, type Csr } from './csr.ts';

interface Recognizer {
  subresource: 'selfnodeclient' | 'nodeclient';
  recognize(csr: Csr, req: CertificateRequestFacts): boolean;
  message: string;
}

const isNodeClient = (csr: Csr, req: CertificateRequestFacts): boolean =>
  csr.spec.signerName === KUBE_APISERVER_CLIENT_KUBELET_SIGNER && kubeletClientCsrError(req, csr.spec.usages ?? []) === undefined;

const RECOGNIZERS: readonly Recognizer[] = [
  {
    subresource: 'selfnodeclient', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
    recognize: (csr, req) => csr.spec.username === req.commonName && isNodeClient(csr, req),
  },
  { subresource: 'nodeclient', message: 'Auto approving kubelet client certificate after SubjectAccessReview.', recognize: isNodeClient },
];

interface SubjectAccessReview extends KubeObject {
  status?: { allowed?: boolean; reason?: string };
}

export class CsrApprovingController implements Controller {
  readonly name = 'certificatesigningrequest-approving';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 200, maxDelayMs: 30_000 });
  #csrs!: Informer<Csr>;

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#csrs = watchCsrs(this.#cs, this.#queue);
    await runCsrWorker(this.name, this.#csrs, this.#queue, (k) => this.sync(k), this.#log, signal);
  }

  async sync(name: string): Promise<void> {
    const csr = this.#csrs.get(name);
    if (!csr || csr.metadata.deletionTimestamp || csr.status?.certificate) return;
    if (hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied')) return;
    if (csr.spec.signerName !== KUBE_APISERVER_CLIENT_KUBELET_SIGNER) return;
    let req: CertificateRequestFacts;
    try {
      req = await parseCertificateRequest(requestPem(csr));
    } catch {
      return; // the signer marks it Failed once someone approves it
    }
    for (const r of RECOGNIZERS) {
      if (!r.recognize(csr, req)) continue;
      if (!(await this.#allowed(csr, r.subresource))) continue;
      const conditions = [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message: r.message }];
      try {
        await this.#cs.resource<Csr>(CSR_API_VERSION, 'certificatesigningrequests').update(undefined, { ...csr, status: { ...(csr.status ?? {}), conditions } }, { subresource: 'approval' });
        this.#log.info({ csr: name, user: csr.spec.username, as: r.subresource }, 'certificate signing request approved');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
  }

  /** Whether the requester may create certificatesigningrequests/<subresource> (a SubjectAccessReview). */
  async #allowed(csr: Csr, subresource: string): Promise<boolean> {
    const sar: SubjectAccessReview = {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
      spec: {
        user: csr.spec.username ?? '', groups: csr.spec.groups ?? [], ...(csr.spec.uid ? { uid: csr.spec.uid } : {}), ...(csr.spec.extra ? { extra: csr.spec.extra } : {}),
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource, version: '*' },
      },
    };
    const out = await this.#cs.resource<SubjectAccessReview>('authorization.k8s.io/v1', 'subjectaccessreviews').create(undefined, sar);
    return out.status?.allowed === true;
  }
}
