// LoadBalancer Services on a cluster with no cloud: status.loadBalancer.ingress lists the Ready
// nodes' addresses (k3s's pkg/cloudprovider/servicelb sets the addresses of the nodes running its
// svclb pods; skiff's proxy serves every load-balancer address on every node, so every Ready node
// counts). A Service leaving type LoadBalancer has its ingress cleared.
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { Node, Service } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { isServedLoadBalancer, loadBalancerIngress, sameIngress } from './load-balancer-ingress.ts';

export class ServiceLBController implements Controller {
  readonly name = 'service-lb';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 100, maxDelayMs: 10_000 });
  #services!: Informer<Service>;
  #nodes!: Informer<Node>;

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#services = this.#cs.informer<Service>({ group: '', version: 'v1', resource: 'services', namespaced: true });
    this.#nodes = this.#cs.informer<Node>({ group: '', version: 'v1', resource: 'nodes', namespaced: false });
    const key = (s: Service): string => `${s.metadata.namespace}/${s.metadata.name}`;
    const enqueue = (s: Service): void => this.#queue.add(key(s));
    this.#services.addHandlers({ add: enqueue, update: (_o, s) => enqueue(s) });
    // Any node change may change every LoadBalancer's addresses.
    const all = (): void => { for (const s of this.#services.values()) if (isServedLoadBalancer(s) || hasIngress(s)) enqueue(s); };
    this.#nodes.addHandlers({ add: all, update: (o, n) => { if (addressesOrReadiness(o) !== addressesOrReadiness(n)) all(); }, delete: all });
    try {
      await Promise.all([this.#services.waitForSync(signal), this.#nodes.waitForSync(signal)]);
    } catch {
      return;
    }
    await runWorkers(this.name, this.#queue, 2, (k) => this.sync(k), this.#log, signal);
  }

  async sync(key: string): Promise<void> {
    const [ns] = key.split('/') as [string];
    const svc = this.#services.get(key);
    if (!svc) return;
    const want = isServedLoadBalancer(svc) ? loadBalancerIngress(this.#nodes.values()) : [];
    if (!isServedLoadBalancer(svc) && !hasIngress(svc)) return;
    const status = svc.status ?? {};
    if (sameIngress(status.loadBalancer?.ingress, want)) return;
    const next: Service = structuredClone(svc);
    next.status = { ...(next.status ?? {}), loadBalancer: want.length > 0 ? { ingress: want } : {} };
    try {
      await this.#cs.resource<Service>('v1', 'services').updateStatus(ns, next);
      this.#log.info({ service: key, ingress: want.map((i) => i.ip) }, 'load balancer addresses set');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function hasIngress(s: Service): boolean {
  return (s.status?.loadBalancer?.ingress?.length ?? 0) > 0;
}

function addressesOrReadiness(n: Node): string {
  return JSON.stringify([loadBalancerIngress([n])]);
}
