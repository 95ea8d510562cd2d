// Deletes bootstrap token Secrets once they expire, so an expired token leaves no trace to list
// or to sign with (pkg/controller/bootstrap/tokencleaner.go). The authenticator refuses expired
// tokens by itself; this keeps kube-system tidy.
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { BOOTSTRAP_TOKEN_NAMESPACE, readBootstrapTokenSecret } from '../../api/bootstrap-token/token.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';

export class TokenCleanerController implements Controller {
  readonly name = 'token-cleaner';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 10_000 });
  #secrets!: Informer;

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#secrets = this.#cs.informer({ group: '', version: 'v1', resource: 'secrets', namespaced: true }, { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
    const enqueue = (s: KubeObject): void => this.#queue.add(s.metadata.name ?? '');
    this.#secrets.addHandlers({ add: enqueue, update: (_o, s) => enqueue(s) });
    try {
      await this.#secrets.waitForSync(signal);
    } catch {
      return;
    }
    await runWorkers(this.name, this.#queue, 1, (k) => this.sync(k), this.#log, signal);
  }

  async sync(name: string): Promise<void> {
    const secret = this.#secrets.get(`${BOOTSTRAP_TOKEN_NAMESPACE}/${name}`);
    const token = secret && !secret.metadata.deletionTimestamp ? readBootstrapTokenSecret(secret) : undefined;
    if (!token?.expires) return;
    const left = token.expires.getTime() - Date.now();
    if (left > 0) {
      this.#queue.addAfter(name, left + 100);
      return;
    }
    try {
      // Only the Secret this decision was made on: a token re-created under the same name stays.
      await this.#cs.resource('v1', 'secrets').delete(BOOTSTRAP_TOKEN_NAMESPACE, name, secret!.metadata.uid ? { preconditions: { uid: secret!.metadata.uid } } : {});
      this.#log.info({ token: token.id }, 'expired bootstrap token deleted');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
