// csrcleaner (pkg/controller/certificates/cleaner/cleaner.go): deletes requests that have done
// their work or never will: issued or denied or failed an hour ago, pending for a day, or whose
// certificate has expired.
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import type { Controller } from '../controller.ts';
import { runCsrWorker, watchCsrs } from './csr-loop.ts';
import { CSR_API_VERSION, hasCondition, type Csr } from './csr.ts';

const HOUR_MS = 3600_000;
export const APPROVED_EXPIRATION_MS = HOUR_MS;
export const DENIED_EXPIRATION_MS = HOUR_MS;
export const FAILED_EXPIRATION_MS = HOUR_MS;
export const PENDING_EXPIRATION_MS = 24 * HOUR_MS;

const time = (ts: string | undefined): number | undefined => (ts ? Date.parse(ts) : undefined);

/** When a request is due for deletion (the earliest deadline that applies). */
export function cleanupDeadline(csr: Csr): number | undefined {
  const deadlines: number[] = [];
  const approved = hasCondition(csr, 'Approved');
  const denied = hasCondition(csr, 'Denied');
  const failed = hasCondition(csr, 'Failed');
  const updated = (c: { lastUpdateTime?: string; lastTransitionTime?: string }): number | undefined => time(c.lastUpdateTime) ?? time(c.lastTransitionTime);
  if (csr.status?.certificate) {
    if (approved && updated(approved) !== undefined) deadlines.push(updated(approved)! + APPROVED_EXPIRATION_MS);
    try {
      const pem = Buffer.from(csr.status.certificate, 'base64').toString('utf8');
      deadlines.push(Date.parse(new X509Certificate(pem).validTo));
    } catch {
      // An unreadable certificate is left to the other deadlines.
    }
  }
  if (denied && updated(denied) !== undefined) deadlines.push(updated(denied)! + DENIED_EXPIRATION_MS);
  if (failed && updated(failed) !== undefined) deadlines.push(updated(failed)! + FAILED_EXPIRATION_MS);
  if (!approved && !denied) {
    const created = time(csr.metadata.creationTimestamp);
    if (created !== undefined) deadlines.push(created + PENDING_EXPIRATION_MS);
  }
  return deadlines.length ? Math.min(...deadlines) : undefined;
}

export class CsrCleanerController implements Controller {
  readonly name = 'certificatesigningrequest-cleaner';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 1000, maxDelayMs: 60_000 });
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
    if (!csr || csr.metadata.deletionTimestamp) return;
    const deadline = cleanupDeadline(csr);
    if (deadline === undefined) return;
    const left = deadline - Date.now();
    if (left > 0) {
      this.#queue.addAfter(name, Math.min(left + 100, 2 ** 31 - 1));
      return;
    }
    try {
      await this.#cs.resource(CSR_API_VERSION, 'certificatesigningrequests').delete(undefined, name, csr.metadata.uid ? { preconditions: { uid: csr.metadata.uid } } : {});
      this.#log.info({ csr: name }, 'old certificate signing request deleted');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
