// Writes pod statuses through pods/status, only when they changed from what was last written
// (pkg/kubelet/status/status_manager.go, without its separate goroutine: the pod worker calls it).
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { Pod, PodStatus } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';

export class StatusManager {
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #last = new Map<string, string>();

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log;
  }

  /** Patches the pod's status if it differs from the last one written (or from the pod's own). */
  async set(pod: Pod, status: PodStatus): Promise<boolean> {
    const uid = pod.metadata.uid!;
    const text = JSON.stringify(status);
    if (this.#last.get(uid) === text) return false;
    if (!this.#last.has(uid) && JSON.stringify(pod.status ?? {}) === text) {
      this.#last.set(uid, text);
      return false;
    }
    try {
      await this.#cs.resource<Pod>('v1', 'pods').patch(pod.metadata.namespace, pod.metadata.name!, 'merge', { status }, { subresource: 'status' });
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    this.#last.set(uid, text);
    this.#log.debug({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, phase: status.phase }, 'pod status updated');
    return true;
  }

  forget(uid: string): void {
    this.#last.delete(uid);
  }
}
