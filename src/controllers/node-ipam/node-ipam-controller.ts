// Gives every node a pod subnet: nodes without spec.podCIDR get the next free /24 of the cluster
// range (pkg/controller/nodeipam/ipam/range_allocator.go). The node agent waits for it and uses it
// as its bridge's subnet.
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { Node } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { CidrAllocator } from './cidr-allocator.ts';

export interface NodeIpamOptions {
  clusterCidr?: string;
  subnetPrefix?: number;
}

export class NodeIpamController implements Controller {
  readonly name = 'node-ipam';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #allocator: CidrAllocator;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 10_000 });
  /** node name → CIDR given by this controller, until the informer shows it. */
  readonly #assigned = new Map<string, string>();

  constructor(cs: Clientset, log: Logger, options: NodeIpamOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#allocator = new CidrAllocator(options.clusterCidr, options.subnetPrefix);
  }

  async run(signal: AbortSignal): Promise<void> {
    const informer = this.#cs.informer<Node>(RESOURCES.find((r) => r.resource === 'nodes' && r.group === '')!);
    informer.addHandlers({
      add: (n) => this.#observe(n),
      update: (_o, n) => this.#observe(n),
      delete: (n) => {
        const cidr = n.spec?.podCIDR ?? this.#assigned.get(n.metadata.name!);
        this.#assigned.delete(n.metadata.name!);
        if (cidr) this.#allocator.release(cidr);
      },
    });
    await informer.waitForSync(signal);
    await runWorkers(this.name, this.#queue, 1, (key) => this.sync(key), this.#log, signal);
  }

  #observe(node: Node): void {
    const cidr = node.spec?.podCIDR;
    if (cidr) this.#allocator.occupy(cidr);
    else this.#queue.add(node.metadata.name!);
  }

  async sync(name: string): Promise<void> {
    const nodes = this.#cs.resource<Node>('v1', 'nodes');
    let node: Node;
    try {
      node = await nodes.get(undefined, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (node.spec?.podCIDR) {
      this.#allocator.occupy(node.spec.podCIDR);
      return;
    }
    const cidr = this.#assigned.get(name) ?? this.#allocator.allocateNext();
    this.#assigned.set(name, cidr);
    try {
      await nodes.patch(undefined, name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    } catch (err) {
      if (isNotFound(err)) {
        this.#assigned.delete(name);
        this.#allocator.release(cidr);
        return;
      }
      throw err;
    }
    this.#log.info({ node: name, podCIDR: cidr }, 'pod CIDR assigned');
  }
}
