// The entry point for components: a REST client from a kubeconfig, resource clients by kind,
// and shared informers (one per resource and selector, however many users).
import { setMaxListeners } from 'node:events';
import { lookupKind, parseApiVersion, RESOURCES } from '../api/scheme.ts';
import type { KubeObject } from '../api/meta.ts';
import { Informer, type InformerOptions } from './informer.ts';
import { loadKubeconfig, type ClientConfig } from './kubeconfig.ts';
import { Lister } from './lister.ts';
import { ResourceClient, type ResourceRef } from './resource-client.ts';
import { RestClient } from './rest-client.ts';

export class Clientset {
  readonly rest: RestClient;
  readonly #informers = new Map<string, Informer>();
  readonly #running = new Set<Informer>();
  #signal: AbortSignal | undefined;
  /** Whose informers this clientset hands out: itself, or the clientset it was derived from. */
  #shared: Clientset;

  constructor(config: ClientConfig) {
    this.rest = new RestClient(config);
    this.#shared = this;
  }

  /**
   * A clientset that writes with other credentials but hands out this one's informers, as
   * kube-controller-manager with --use-service-account-credentials: each controller acts as its
   * own service account while one informer factory, under the manager's identity, feeds them all.
   * Its start() runs the shared informers if they are not running yet and closes its own connections.
   */
  withCredentials(config: ClientConfig): Clientset {
    const cs = new Clientset(config);
    cs.#shared = this.#shared;
    return cs;
  }

  static async fromKubeconfig(path: string, userAgent?: string): Promise<Clientset> {
    const cfg = await loadKubeconfig(path);
    if (userAgent) cfg.userAgent = userAgent;
    return new Clientset(cfg);
  }

  /** A resource by plural name and apiVersion, e.g. ('apps/v1', 'deployments'). */
  resource<T extends KubeObject = KubeObject>(apiVersion: string, resource: string): ResourceClient<T> {
    const { group, version } = parseApiVersion(apiVersion);
    const info = RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
    if (!info) throw new Error(`unknown resource ${resource} in ${apiVersion}`);
    return new ResourceClient<T>(this.rest, info);
  }

  /** A resource by apiVersion and kind, e.g. ('v1', 'Pod'). */
  kind<T extends KubeObject = KubeObject>(apiVersion: string, kind: string): ResourceClient<T> {
    const { group, version } = parseApiVersion(apiVersion);
    const info = lookupKind(group, version, kind);
    if (!info) throw new Error(`unknown kind ${kind} in ${apiVersion}`);
    return new ResourceClient<T>(this.rest, info);
  }

  /** The shared informer for a resource (and namespace/selectors); started by start() or at once if already started. */
  informer<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: Omit<InformerOptions, 'onError'> = {}): Informer<T> {
    if (this.#shared !== this) return this.#shared.informer<T>(ref, opts);
    const key = JSON.stringify([ref.group, ref.version, ref.resource, opts.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? '', opts.metadataOnly === true]);
    let inf = this.#informers.get(key);
    if (!inf) {
      inf = new Informer(new ResourceClient(this.rest, ref), opts);
      this.#informers.set(key, inf);
      if (this.#signal) this.#runInformer(inf, this.#signal);
    }
    return inf as unknown as Informer<T>;
  }

  lister<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: Omit<InformerOptions, 'onError'> = {}): Lister<T> {
    return new Lister(this.informer<T>(ref, opts));
  }

  /** Run every informer (present and future) until the signal aborts. */
  start(outer: AbortSignal): void {
    if (this.#shared !== this) {
      if (!this.#shared.#signal) this.#shared.start(outer);
      if (outer.aborted) this.rest.close();
      else outer.addEventListener('abort', () => this.rest.close(), { once: true });
      return;
    }
    // Every shared informer listens on one signal: more than Node's default of 10 listeners is
    // expected there, not a leak. A signal of our own keeps the caller's warnings meaningful.
    const ac = new AbortController();
    setMaxListeners(0, ac.signal);
    const signal = ac.signal;
    this.#signal = signal;
    for (const inf of this.#informers.values()) this.#runInformer(inf, signal);
    signal.addEventListener('abort', () => this.rest.close(), { once: true });
    if (outer.aborted) ac.abort(outer.reason);
    else outer.addEventListener('abort', () => ac.abort(outer.reason), { once: true });
  }

  #runInformer(inf: Informer, signal: AbortSignal): void {
    if (this.#running.has(inf)) return;
    this.#running.add(inf);
    void inf.run(signal);
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#shared !== this) return this.#shared.waitForSync(signal);
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
  }
}
