// skiff's built-in Ingress controller, one per node: informers on Ingresses, IngressClasses,
// Services, EndpointSlices and TLS Secrets feed the Router, whose table is rebuilt whole and
// swapped in after every change; the proxy serves HTTP and HTTPS on the node's address. It
// makes the `skiff` IngressClass (the cluster default) when missing, and writes the node's address
// into status.loadBalancer of the Ingresses it serves (as ingress-nginx's status sync does,
// internal/ingress/status/status.go), beside the other nodes' addresses.
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound } from '../api/errors.ts';
import type { Node } from '../api/types/core-v1.ts';
import type { Ingress, IngressClass, IngressLoadBalancerIngress } from '../api/types/networking-v1-ingress.ts';
import type { Clientset } from '../client/clientset.ts';
import type { Informer } from '../client/informer.ts';
import { WorkQueue } from '../client/work-queue.ts';
import { selfSignedServingCert } from '../pki/serving-cert.ts';
import { SKIFF_INGRESS_CLASS, skiffIngressClass } from './ingress-class.ts';
import { SECRET_TYPE_TLS, type EndpointSlice, type Secret, type Service } from './objects.ts';
import { IngressProxy } from './proxy.ts';
import { Router } from './router.ts';

/** What the controller needs of the node network's context (src/cli/node-network.ts). */
export interface IngressControllerConfig {
  clientset: Clientset;
  nodeName: string;
  /** Served on, and written into the Ingresses' status. */
  nodeIP: string;
  /** 0: no plain HTTP. */
  ingressHttpPort: number;
  /** 0: no HTTPS. */
  ingressHttpsPort: number;
  log: Logger;
}

const NETWORKING = { group: 'networking.k8s.io', version: 'v1' };

interface Informers {
  ingresses: Informer<Ingress>;
  classes: Informer<IngressClass>;
  services: Informer<Service>;
  slices: Informer<EndpointSlice>;
  secrets: Informer<Secret>;
  nodes: Informer<Node>;
}
const WORKERS = 2;

export function runIngress(config: IngressControllerConfig, signal: AbortSignal): Promise<void> {
  return new IngressController(config).run(signal);
}

export class IngressController {
  readonly #cfg: IngressControllerConfig;
  readonly #log: Logger;
  readonly #router: Router;
  readonly #queue = new WorkQueue<string>();
  // Made when run() starts serving: a shared clientset already started runs an informer at once.
  #inf: Informers | undefined;
  #rebuildScheduled = false;
  #served = new Set<string>();

  constructor(cfg: IngressControllerConfig) {
    this.#cfg = cfg;
    this.#log = cfg.log.child({ component: 'ingress' });
    this.#router = new Router((msg) => this.#log.warn(msg));
  }

  get #informers(): Informers {
    if (!this.#inf) {
      const cs = this.#cfg.clientset;
      this.#inf = {
        ingresses: cs.informer<Ingress>({ ...NETWORKING, resource: 'ingresses', namespaced: true }),
        classes: cs.informer<IngressClass>({ ...NETWORKING, resource: 'ingressclasses', namespaced: false }),
        services: cs.informer<Service>({ group: '', version: 'v1', resource: 'services', namespaced: true }),
        slices: cs.informer<EndpointSlice>({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true }),
        secrets: cs.informer<Secret>({ group: '', version: 'v1', resource: 'secrets', namespaced: true }, { fieldSelector: `type=${SECRET_TYPE_TLS}` }),
        nodes: cs.informer<Node>({ group: '', version: 'v1', resource: 'nodes', namespaced: false }),
      };
    }
    return this.#inf;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    if (this.#cfg.ingressHttpPort <= 0 && this.#cfg.ingressHttpsPort <= 0) {
      // Nothing to serve: claiming Ingresses in their status would send clients nowhere.
      this.#log.info('ingress controller off: no HTTP or HTTPS port');
      return;
    }
    const rebuild = { add: () => this.#scheduleRebuild(), update: () => this.#scheduleRebuild(), delete: () => this.#scheduleRebuild() };
    const { ingresses, classes, services, slices, secrets, nodes } = this.#informers;
    for (const inf of [ingresses, classes, services, slices, secrets] as Array<Informer<never>>) inf.addHandlers(rebuild);
    // Another node's address appearing or going changes what the status should list.
    nodes.addHandlers({ add: () => this.#enqueueAll(), delete: () => this.#enqueueAll() });
    this.#cfg.clientset.start(signal);

    const [defaultCert] = await Promise.all([
      selfSignedServingCert('skiff-ingress-default', [this.#cfg.nodeIP]),
      this.#ensureClass(signal),
      Promise.all([ingresses, classes, services, slices, secrets, nodes].map((i) => i.waitForSync(signal))),
    ]).catch((err: unknown) => {
      if (signal.aborted) return [undefined];
      throw err;
    });
    if (!defaultCert || signal.aborted) return;
    this.#rebuild();

    const proxy = new IngressProxy({
      router: this.#router, defaultCert,
      onError: (msg, fields) => this.#log.warn(fields, msg),
    });
    try {
      const { nodeIP, ingressHttpPort, ingressHttpsPort } = this.#cfg;
      if (ingressHttpPort > 0) await proxy.listenHttp(nodeIP, ingressHttpPort);
      if (ingressHttpsPort > 0) await proxy.listenHttps(nodeIP, ingressHttpsPort);
      this.#log.info({ address: nodeIP, http: ingressHttpPort, https: ingressHttpsPort }, 'ingress controller serving');
      const workers = Array.from({ length: WORKERS }, () => this.#worker());
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.#queue.shutDown();
      await Promise.all(workers);
    } finally {
      this.#queue.shutDown();
      await proxy.close();
    }
  }

  /** Many events in a row (a list, a rollout) make one new table. */
  #scheduleRebuild(): void {
    if (this.#rebuildScheduled) return;
    this.#rebuildScheduled = true;
    setImmediate(() => {
      this.#rebuildScheduled = false;
      this.#rebuild();
    });
  }

  #rebuild(): void {
    const table = this.#router.update({
      ingresses: this.#informers.ingresses.values(),
      ingressClasses: this.#informers.classes.values(),
      services: this.#informers.services.values(),
      endpointSlices: this.#informers.slices.values(),
      secrets: this.#informers.secrets.values(),
    });
    this.#served = new Set(table.served.map(keyOf));
    this.#enqueueAll();
  }

  #enqueueAll(): void {
    for (const ing of this.#informers.ingresses.values()) this.#queue.add(keyOf(ing));
  }

  async #ensureClass(signal: AbortSignal): Promise<void> {
    const client = this.#cfg.clientset.resource<IngressClass>('networking.k8s.io/v1', 'ingressclasses');
    for (let delay = 200; !signal.aborted; delay = Math.min(delay * 2, 5000)) {
      try {
        const found = await client.get(undefined, SKIFF_INGRESS_CLASS).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
        if (found) return;
        await client.create(undefined, skiffIngressClass());
        this.#log.info({ name: SKIFF_INGRESS_CLASS }, 'created the default IngressClass');
        return;
      } catch (err) {
        if (isAlreadyExists(err)) return;
        this.#log.warn({ err: (err as Error).message }, 'cannot ensure the skiff IngressClass; retrying');
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  async #worker(): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      try {
        await this.#syncStatus(key);
        this.#queue.forget(key);
      } catch (err) {
        if (!isNotFound(err)) {
          this.#log.warn({ ingress: key, err: (err as Error).message }, 'cannot update Ingress status');
          this.#queue.addRateLimited(key);
        }
      } finally {
        this.#queue.done(key);
      }
    }
  }

  /** Level-triggered: the status the Ingress should have, written only when it differs. */
  async #syncStatus(key: string): Promise<void> {
    const ing = this.#informers.ingresses.get(key);
    if (!ing) return;
    const current = ing.status?.loadBalancer?.ingress ?? [];
    const desired = desiredAddresses(current, this.#cfg.nodeIP, this.#served.has(key), this.#nodeAddresses());
    if (sameAddresses(current, desired)) return;
    const client = this.#cfg.clientset.resource<Ingress>('networking.k8s.io/v1', 'ingresses');
    await client.patch(ing.metadata.namespace, ing.metadata.name ?? '', 'merge', { status: { loadBalancer: { ingress: desired } } }, { subresource: 'status' });
  }

  #nodeAddresses(): Set<string> {
    const out = new Set<string>();
    for (const n of this.#informers.nodes.values()) for (const a of n.status?.addresses ?? []) out.add(a.address);
    return out;
  }
}

function keyOf(o: { metadata: { namespace?: string; name?: string } }): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/**
 * Every node's controller writes its own address and keeps the others' that still belong to a
 * Node; a node no longer serving the Ingress takes its address out. Sorted, so nodes agree.
 */
export function desiredAddresses(current: readonly IngressLoadBalancerIngress[], nodeIP: string, served: boolean, nodeAddresses: ReadonlySet<string>): IngressLoadBalancerIngress[] {
  const ips = new Set<string>();
  for (const e of current) if (e.ip && e.ip !== nodeIP && nodeAddresses.has(e.ip)) ips.add(e.ip);
  if (served) ips.add(nodeIP);
  return [...ips].sort().map((ip) => ({ ip }));
}

function sameAddresses(a: readonly IngressLoadBalancerIngress[], b: readonly IngressLoadBalancerIngress[]): boolean {
  return a.length === b.length && a.every((e, i) => e.ip === b[i]?.ip && e.hostname === undefined && e.ports === undefined);
}
