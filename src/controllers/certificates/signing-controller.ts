// csrsigning (pkg/controller/certificates/signer/signer.go): signs approved requests for
// kubernetes.io/kube-apiserver-client and kubernetes.io/kube-apiserver-client-kubelet with the
// cluster CA. A request the signer refuses (usages, subject) gets a Failed condition; the
// certificate's lifetime is spec.expirationSeconds when shorter than the signer's maximum
// (--cluster-signing-duration, a year), and at least 10 minutes. The CA key is handed in by the
// process that runs the controller (skiff runs the API server and controllers together), never
// read through the API.
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { parseCertificateRequest, signCertificateRequest, type CertificateRequestFacts, type CertKeyPem } from '../../pki/certs.ts';
import type { Controller } from '../controller.ts';
import { runCsrWorker, watchCsrs } from './csr-loop.ts';
import {
  apiServerClientUsagesError, CSR_API_VERSION, hasCondition, isApproved, KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBE_APISERVER_CLIENT_SIGNER, kubeletClientCsrError, requestPem, type Csr,
} from './csr.ts';

export interface CsrSigningOptions {
  /** The cluster CA; without it nothing is signed. */
  ca?: CertKeyPem;
  /** The longest certificate issued (--cluster-signing-duration; default a year). */
  maxDurationMs?: number;
}

const YEAR_MS = 365 * 24 * 3600_000;
const MIN_DURATION_MS = 10 * 60_000;
const BACKDATE_MS = 5 * 60_000;

/** The certificate's lifetime for a requested expirationSeconds (signer.go duration). */
export function certificateDuration(expirationSeconds: number | undefined, maxMs = YEAR_MS): number {
  if (expirationSeconds === undefined) return maxMs;
  const ms = expirationSeconds * 1000;
  if (ms > maxMs) return maxMs;
  return ms < MIN_DURATION_MS ? MIN_DURATION_MS : ms;
}

/** Why a signer refuses a request it is addressed (undefined: it signs). */
export function signerRefusal(signerName: string, req: CertificateRequestFacts, usages: readonly string[]): string | undefined {
  if (signerName === KUBE_APISERVER_CLIENT_SIGNER) return apiServerClientUsagesError(usages);
  if (signerName === KUBE_APISERVER_CLIENT_KUBELET_SIGNER) return kubeletClientCsrError(req, usages);
  return undefined;
}

const SIGNERS = new Set([KUBE_APISERVER_CLIENT_SIGNER, KUBE_APISERVER_CLIENT_KUBELET_SIGNER]);

export class CsrSigningController implements Controller {
  readonly name = 'certificatesigningrequest-signing';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #opts: CsrSigningOptions;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 200, maxDelayMs: 30_000 });
  #csrs!: Informer<Csr>;

  constructor(cs: Clientset, log: Logger, opts: CsrSigningOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#opts = opts;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!this.#opts.ca) {
      this.#log.info('no cluster CA key given: certificate signing requests are not signed here');
      return;
    }
    this.#csrs = watchCsrs(this.#cs, this.#queue);
    await runCsrWorker(this.name, this.#csrs, this.#queue, (k) => this.sync(k), this.#log, signal);
  }

  async sync(name: string): Promise<void> {
    const csr = this.#csrs.get(name);
    if (!csr || csr.metadata.deletionTimestamp) return;
    if (!SIGNERS.has(csr.spec.signerName) || !isApproved(csr) || csr.status?.certificate || hasCondition(csr, 'Failed')) return;
    const usages = csr.spec.usages ?? [];
    let req: CertificateRequestFacts;
    try {
      req = await parseCertificateRequest(requestPem(csr));
    } catch (err) {
      await this.#fail(csr, `unable to parse csr "${name}": ${(err as Error).message}`);
      return;
    }
    const refusal = signerRefusal(csr.spec.signerName, req, usages);
    if (refusal) {
      await this.#fail(csr, refusal);
      return;
    }
    const now = Date.now();
    const certPem = await signCertificateRequest(this.#opts.ca!, requestPem(csr), {
      usages, notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + certificateDuration(csr.spec.expirationSeconds, this.#opts.maxDurationMs)),
    });
    await this.#updateStatus(csr, { ...(csr.status ?? {}), certificate: Buffer.from(certPem).toString('base64') });
    this.#log.info({ csr: name, signer: csr.spec.signerName, subject: req.commonName }, 'certificate issued');
  }

  async #fail(csr: Csr, message: string): Promise<void> {
    const conditions = [...(csr.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message }];
    await this.#updateStatus(csr, { ...(csr.status ?? {}), conditions });
    this.#log.info({ csr: csr.metadata.name, message }, 'certificate signing request refused by its signer');
  }

  async #updateStatus(csr: Csr, status: NonNullable<Csr['status']>): Promise<void> {
    try {
      await this.#cs.resource<Csr>(CSR_API_VERSION, 'certificatesigningrequests').updateStatus(undefined, { ...csr, status });
    } catch (err) {
      // Changed meanwhile: the informer brings the newer object back to the queue.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
