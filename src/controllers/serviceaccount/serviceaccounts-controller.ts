// Every active namespace has a ServiceAccount named "default", created again when deleted
// (pkg/controller/serviceaccount/serviceaccounts_controller.go): pods that name no service account
// run as it, and their projected tokens are requested for it.
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound, isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { Clientset } from '../../client/clientset.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

const NAMESPACES = RESOURCES.find((r) => r.resource === 'namespaces' && r.preferred)!;
const SERVICE_ACCOUNTS = RESOURCES.find((r) => r.resource === 'serviceaccounts' && r.preferred)!;

export class ServiceAccountsController implements Controller {
  readonly name = 'serviceaccount';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 5000 });

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
  }

  async run(signal: AbortSignal): Promise<void> {
    const namespaces = this.#cs.informer(NAMESPACES);
    const accounts = this.#cs.informer(SERVICE_ACCOUNTS);
    namespaces.addHandlers({
      add: (ns) => this.#queue.add(ns.metadata.name!),
      update: (_old, ns) => this.#queue.add(ns.metadata.name!),
    });
    accounts.addHandlers({
      delete: (sa) => { if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT && sa.metadata.namespace) this.#queue.add(sa.metadata.namespace); },
    });
    await Promise.all([namespaces.waitForSync(signal), accounts.waitForSync(signal)]);
    await runWorkers(this.name, this.#queue, 1, (ns) => this.sync(ns), this.#log, signal);
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.#cs.informer(NAMESPACES).get(namespace);
    // A namespace being deleted gets nothing new (its lifecycle admission would refuse it anyway).
    if (!ns || ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    if (this.#cs.informer(SERVICE_ACCOUNTS).get(`${namespace}/${DEFAULT_SERVICE_ACCOUNT}`)) return;
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
    try {
      await this.#cs.resource('v1', 'serviceaccounts').create(namespace, sa);
    } catch (err) {
      // Already there (the informer lags), or the namespace went or began terminating meanwhile.
      if (isAlreadyExists(err) || isNotFound(err) || (isStatusError(err) && err.reason === 'Forbidden')) return;
      throw err;
    }
  }
}
