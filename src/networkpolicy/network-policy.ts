// NetworkPolicy enforcement for the pods of one node: informers on NetworkPolicies, Pods and
// Namespaces; every change marks the table dirty, and one loop re-renders it after a short quiet
// spell so a burst of events (a Deployment scaling, a namespace relabelled) costs one transaction.
// The loop is level-triggered as upstream's controllers are: it always renders from the whole
// cache, and an update that fails is retried from scratch with a full render.
// (kubernetes-sigs/kube-network-policies pkg/dataplane/controller.go syncs the same way, through a
// bounded-frequency runner.)
import type { Logger } from 'pino';
import type { KubeObject } from '../api/meta.ts';
import type { Pod } from '../api/types/core-v1.ts';
import type { NetworkPolicy } from '../api/types/networking-v1-network-policy.ts';
import type { Clientset } from '../client/clientset.ts';
import { Informer } from '../client/informer.ts';
import { nftApply, nftDeleteTable } from '../runtime/netns/nft.ts';
import { buildNodePolicyModel, podIPv4 } from './policy-model.ts';
import { fullScript, incrementalScript, netpolTableName, renderTable, type RenderedTable } from './render.ts';

/** What the component needs of the node network's context (src/cli/node-network.ts NodeNetworkContext). */
export interface NetworkPolicyContext {
  clientset: Clientset;
  nodeName: string;
  /** The table is `${nftPrefix}-netpol`. */
  nftPrefix: string;
  log: Logger;
}

export interface NetworkPolicyEnforcerOptions extends NetworkPolicyContext {
  /** Applies one nft script as a transaction (default: nftApply on the host's network namespace). */
  apply?: (script: string) => Promise<void>;
  /** Quiet time before a sync, to coalesce bursts of events. */
  coalesceMs?: number;
}

/** The node network's runner for `network-policy`. */
export async function runNetworkPolicy(ctx: NetworkPolicyContext, signal: AbortSignal): Promise<void> {
  await new NetworkPolicyEnforcer(ctx).run(signal);
}

/** Removes the component's table (its rules go with it): `skiff`'s cleanup after the node stops. */
export async function cleanupNetworkPolicy(nftPrefix: string): Promise<boolean> {
  return nftDeleteTable('ip', netpolTableName(nftPrefix));
}

export class NetworkPolicyEnforcer {
  readonly #o: NetworkPolicyEnforcerOptions;
  readonly #log: Logger;
  readonly #table: string;
  readonly #apply: (script: string) => Promise<void>;
  readonly #policies: Informer<NetworkPolicy>;
  readonly #pods: Informer<Pod>;
  readonly #namespaces: Informer<KubeObject>;
  #applied: RenderedTable | undefined;
  #dirty = true;
  #wake: (() => void) | undefined;
  /** Number of transactions applied (full, incremental), for tests and logs. */
  readonly syncs = { full: 0, incremental: 0 };

  constructor(o: NetworkPolicyEnforcerOptions) {
    this.#o = o;
    this.#log = o.log.child({ component: 'network-policy' });
    this.#table = netpolTableName(o.nftPrefix);
    this.#apply = o.apply ?? nftApply;
    const cs = o.clientset;
    const onError = (err: unknown): void => { this.#log.warn({ err: (err as Error).message }, 'watch interrupted'); };
    this.#policies = new Informer(cs.resource<NetworkPolicy>('networking.k8s.io/v1', 'networkpolicies'), { onError });
    // Every pod of the cluster: peers are selected wherever they run.
    this.#pods = new Informer(cs.resource<Pod>('v1', 'pods'), { onError });
    this.#namespaces = new Informer(cs.resource('v1', 'namespaces'), { onError });
    const kick = (): void => this.#kick();
    this.#policies.addHandlers({ add: kick, update: kick, delete: kick });
    this.#namespaces.addHandlers({ add: kick, update: (a, b) => { if (!sameLabels(a, b)) kick(); }, delete: kick });
    this.#pods.addHandlers({ add: kick, update: (a, b) => { if (podDigest(a) !== podDigest(b)) kick(); }, delete: kick });
  }

  get table(): string { return this.#table; }

  async run(outer: AbortSignal): Promise<void> {
    // The informers stop with the loop even when it ends by an error.
    const ac = new AbortController();
    const signal = ac.signal;
    const onAbort = (): void => ac.abort(outer.reason);
    if (outer.aborted) return;
    outer.addEventListener('abort', onAbort, { once: true });
    const informers = [this.#policies.run(signal), this.#pods.run(signal), this.#namespaces.run(signal)];
    try {
      await Promise.all([this.#policies.waitForSync(signal), this.#pods.waitForSync(signal), this.#namespaces.waitForSync(signal)]);
      await this.#loop(signal);
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      outer.removeEventListener('abort', onAbort);
      ac.abort();
      await Promise.allSettled(informers);
      // The table stays: the node's pods keep running when the agent stops, and so do their
      // policies (fail closed), as the service proxy's rules stay. The next start replaces the
      // table in one transaction; `skiff`'s cleanup (cleanupNetworkPolicy) removes it.
    }
  }

  /** Renders from the caches and applies the difference now (the loop calls it; tests may too). */
  async sync(): Promise<void> {
    const model = buildNodePolicyModel({
      nodeName: this.#o.nodeName,
      policies: this.#policies.values(),
      pods: this.#pods.values(),
      namespaces: this.#namespaces.values(),
    });
    const next = renderTable(this.#table, model);
    const inc = this.#applied ? incrementalScript(this.#table, this.#applied, next) : undefined;
    if (inc === '') return;
    // Forget what was applied until this one lands: after a failure the next try renders in full.
    this.#applied = undefined;
    if (inc !== undefined) {
      await this.#apply(inc);
      this.syncs.incremental += 1;
    } else {
      await this.#apply(fullScript(this.#table, next));
      this.syncs.full += 1;
    }
    this.#applied = next;
    this.#log.debug({ policies: model.policies.length, ingressIsolated: model.ingressIsolated.length, egressIsolated: model.egressIsolated.length, incremental: inc !== undefined }, 'NetworkPolicy table synced');
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let backoff = 250;
    while (!signal.aborted) {
      if (!this.#dirty) await this.#waitForKick(signal);
      if (signal.aborted) return;
      await sleep(this.#o.coalesceMs ?? 20, signal);
      this.#dirty = false;
      try {
        await this.sync();
        backoff = 250;
      } catch (err) {
        if (signal.aborted) return;
        this.#log.error({ err: (err as Error).message }, 'NetworkPolicy sync failed; retrying');
        this.#dirty = true;
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  #kick(): void {
    this.#dirty = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitForKick(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

}

/** The fields of a pod that policies read; status churn (conditions, restarts) leaves it alone. */
function podDigest(pod: Pod): string {
  return JSON.stringify([
    podIPv4(pod),
    pod.spec?.nodeName,
    pod.metadata.labels ?? {},
    (pod.spec?.containers ?? []).map((c) => c.ports ?? []),
  ]);
}

function sameLabels(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a.metadata.labels ?? {}) === JSON.stringify(b.metadata.labels ?? {});
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}
