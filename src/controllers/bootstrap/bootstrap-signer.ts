// Signs kube-public/cluster-info for every bootstrap token that may sign: the data key
// `jws-kubeconfig-<id>` holds a detached JWS of the kubeconfig, so a joining node can check that
// the server it reads it from knows its token; signatures of tokens gone, expired or not for
// signing are removed (pkg/controller/bootstrap/bootstrapsigner.go).
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { computeDetachedSignature, JWS_KEY_PREFIX } from '../../api/bootstrap-token/jws.ts';
import { BOOTSTRAP_TOKEN_NAMESPACE, readBootstrapTokenSecret } from '../../api/bootstrap-token/token.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';

export const CLUSTER_INFO = { namespace: 'kube-public', name: 'cluster-info' } as const;
const KEY = `${CLUSTER_INFO.namespace}/${CLUSTER_INFO.name}`;

/** The data cluster-info should hold: its kubeconfig plus one signature per signing token; undefined when nothing changes. */
export function signedData(data: Record<string, string>, tokenSecrets: Iterable<KubeObject>, now: Date): Record<string, string> | undefined {
  const content = data.kubeconfig;
  if (content === undefined) return undefined;
  const want = new Map<string, string>();
  for (const s of tokenSecrets) {
    if (s.metadata.deletionTimestamp) continue;
    const t = readBootstrapTokenSecret(s);
    if (!t || !t.usages.includes('signing') || (t.expires && t.expires.getTime() <= now.getTime())) continue;
    want.set(`${JWS_KEY_PREFIX}${t.id}`, computeDetachedSignature(content, t.id, t.secret));
  }
  const next: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (!k.startsWith(JWS_KEY_PREFIX)) next[k] = v;
  for (const [k, v] of want) next[k] = v;
  const same = Object.keys(next).length === Object.keys(data).length && Object.entries(next).every(([k, v]) => data[k] === v);
  return same ? undefined : next;
}

export class BootstrapSignerController implements Controller {
  readonly name = 'bootstrap-signer';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 10_000 });
  #configMaps!: Informer;
  #secrets!: Informer;

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#configMaps = this.#cs.informer({ group: '', version: 'v1', resource: 'configmaps', namespaced: true }, { namespace: CLUSTER_INFO.namespace });
    this.#secrets = this.#cs.informer({ group: '', version: 'v1', resource: 'secrets', namespaced: true }, { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
    const poke = (): void => this.#queue.add(KEY);
    this.#configMaps.addHandlers({ add: poke, update: poke });
    this.#secrets.addHandlers({ add: poke, update: poke, delete: poke });
    try {
      await Promise.all([this.#configMaps.waitForSync(signal), this.#secrets.waitForSync(signal)]);
    } catch {
      return;
    }
    await runWorkers(this.name, this.#queue, 1, () => this.sync(), this.#log, signal);
  }

  async sync(): Promise<void> {
    const cm = this.#configMaps.get(KEY);
    if (!cm) return;
    const now = new Date();
    const next = signedData((cm.data ?? {}) as Record<string, string>, this.#secrets.values(), now);
    // Tokens that expire later: sign again then, so their signatures go when they do.
    for (const s of this.#secrets.values()) {
      const t = readBootstrapTokenSecret(s);
      const left = t?.expires ? t.expires.getTime() - now.getTime() : undefined;
      if (left !== undefined && left > 0) this.#queue.addAfter(KEY, left + 100);
    }
    if (!next) return;
    const updated: KubeObject = { ...structuredClone(cm), data: next };
    try {
      await this.#cs.resource('v1', 'configmaps').update(CLUSTER_INFO.namespace, updated);
      this.#log.info({ signatures: Object.keys(next).filter((k) => k.startsWith(JWS_KEY_PREFIX)).length }, 'cluster-info signed');
    } catch (err) {
      // A newer cluster-info is on its way through the informer, which queues another pass.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
