// The node's heartbeat: a Lease in kube-node-lease named after the node, holder = node name,
// renewed every `renewIntervalMs` (pkg/kubelet/nodelease + component-helpers/apimachinery/lease).
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.ts';
import type { Lease, Node } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { sleepOrAbort } from '../util/sleep.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

export interface LeaseRenewerOptions {
  clientset: Clientset;
  nodeName: string;
  log: Logger;
  renewIntervalMs?: number;
}

/** Lease times are MicroTime: RFC 3339 with microseconds. */
function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaseRenewer {
  readonly #o: LeaseRenewerOptions;

  constructor(options: LeaseRenewerOptions) {
    this.#o = options;
  }

  get #leases() {
    return this.#o.clientset.resource<Lease>('coordination.k8s.io/v1', 'leases');
  }

  async renew(): Promise<Lease> {
    const name = this.#o.nodeName;
    const now = microTime();
    let lease: Lease;
    try {
      lease = await this.#leases.get(NODE_LEASE_NAMESPACE, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return this.#create(now);
    }
    const spec = lease.spec ?? {};
    const taken = spec.holderIdentity !== name;
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: name,
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        renewTime: now,
        ...(taken ? { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 } : {}),
      },
    };
    return this.#leases.update(NODE_LEASE_NAMESPACE, next);
  }

  async #create(now: string): Promise<Lease> {
    const name = this.#o.nodeName;
    const owner = await this.#o.clientset.resource<Node>('v1', 'nodes').get(undefined, name).catch(() => undefined);
    try {
      return await this.#leases.create(NODE_LEASE_NAMESPACE, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name,
          namespace: NODE_LEASE_NAMESPACE,
          // Owned by the Node, so deleting the node removes its lease (as upstream's nodelease does).
          ...(owner?.metadata.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: owner.metadata.uid }] } : {}),
        },
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, acquireTime: now, renewTime: now },
      });
    } catch (err) {
      if (isAlreadyExists(err)) return this.renew();
      throw err;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.renew();
      } catch (err) {
        if (signal.aborted) return;
        if (!isConflict(err)) this.#o.log.warn({ err: (err as Error).message }, 'lease renewal failed');
      }
      if (!(await sleepOrAbort(this.#o.renewIntervalMs ?? 10_000, signal))) return;
    }
  }
}
