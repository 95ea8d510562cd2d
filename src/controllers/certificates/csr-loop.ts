// The loop the three CSR controllers share, as upstream's pkg/controller/certificates
// CertificateController: every CSR added or updated queues its name, and one worker syncs it
// once the informer has synced.
import type { Logger } from 'pino';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import type { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers } from '../controller.ts';
import { CSR_RESOURCE, type Csr } from './csr.ts';

/** The shared CSR informer, feeding `queue` with the name of every CSR added or updated. */
export function watchCsrs(cs: Clientset, queue: WorkQueue<string>): Informer<Csr> {
  const csrs = cs.informer<Csr>(CSR_RESOURCE);
  const enqueue = (c: Csr): void => queue.add(c.metadata.name ?? '');
  csrs.addHandlers({ add: enqueue, update: (_o, c) => enqueue(c) });
  return csrs;
}

/** Waits for the informer, then syncs queued names on one worker until the signal aborts. */
export async function runCsrWorker(name: string, csrs: Informer<Csr>, queue: WorkQueue<string>, sync: (key: string) => Promise<void>, log: Logger, signal: AbortSignal): Promise<void> {
  try {
    await csrs.waitForSync(signal);
  } catch {
    return;
  }
  await runWorkers(name, queue, 1, sync, log, signal);
}
