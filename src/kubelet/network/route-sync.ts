// Routes to the other nodes' pods: for every other Node with a spec.podCIDR and an InternalIP on a
// directly connected link, `podCIDR via InternalIP` in this node's routing table, so pods on
// different nodes reach each other by their own addresses, without NAT or encapsulation. This is
// flannel's host-gw backend driven by Node objects (flannel pkg/backend/hostgw with the
// kube subnet manager, pkg/subnet/kube), level-triggered: every sync compares the Nodes with the
// kernel's table and fixes the difference, so a route deleted by hand comes back at the next resync.
import type { Logger } from 'pino';
import type { Node } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { Informer } from '../../client/informer.ts';
import {
  cidrContains, deleteAllPodRoutes, deletePodRoute, diffRoutes, nextHopProblem, otherRouteTo, readRouteTable, replacePodRoute, skiffRoutes,
  type PodRoute, type RouteDiff, type RouteEntry, type RouteOptions,
} from '../../cni/routes.ts';

/** What the component needs of the node network's context (src/cli/node-network.ts). */
export interface NodeRoutesConfig {
  clientset: Clientset;
  nodeName: string;
  /** This node's pod subnet: never routed elsewhere. */
  podCIDR: string;
  /** The cluster's pod range: only subnets inside it are routed, and only skiff's routes inside it are touched. */
  clusterCIDR: string;
  log: Logger;
}

export interface NodeRoutesOptions extends RouteOptions {
  /** How often the kernel's table is compared with the Nodes even without a Node event (default 30 s; flannel checks every 10 s). */
  resyncMs?: number;
  /** Leave the routes in place when stopping (default: remove the ones this process keeps). */
  keepOnStop?: boolean;
}

/** The route another node's pods need, or why it has none (computed from the Node alone). */
export function wantedRoute(node: Node, self: { nodeName: string; podCIDR: string; clusterCIDR: string }): PodRoute | string {
  const cidr = node.spec?.podCIDR;
  if (!cidr) return 'no spec.podCIDR yet';
  if (cidr === self.podCIDR) return `its pod CIDR ${cidr} is this node's`;
  if (!cidrContains(self.clusterCIDR, cidr)) return `its pod CIDR ${cidr} is outside the cluster CIDR ${self.clusterCIDR}`;
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!ip) return 'no InternalIP';
  return { dst: cidr, via: ip };
}

export interface RoutePlan {
  /** Routes wanted (pod CIDR → next hop). */
  desired: Map<string, string>;
  /** skiff's routes this node answers for, as the kernel has them. */
  current: PodRoute[];
  diff: RouteDiff;
  /** Nodes given a route. */
  routed: Set<string>;
  /** Nodes without one, and why. */
  skipped: Map<string, string>;
}

/**
 * What the table should hold for these Nodes. Only skiff routes this node answers for are
 * compared: those it added itself (`installed`) and those to subnets its cluster's Nodes hold
 * (left by an earlier run); another cluster's agent in the same network namespace (test clusters
 * on one machine) keeps its own.
 */
export function planRoutes(nodes: readonly Node[], table: readonly RouteEntry[], self: { nodeName: string; podCIDR: string; clusterCIDR: string }, installed: ReadonlySet<string>): RoutePlan {
  const desired = new Map<string, string>();
  const known = new Set<string>();
  const routed = new Set<string>();
  const skipped = new Map<string, string>();
  for (const node of [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const name = node.metadata.name ?? '';
    if (name === self.nodeName) continue;
    if (node.spec?.podCIDR) known.add(node.spec.podCIDR);
    const want = wantedRoute(node, self);
    if (typeof want === 'string') {
      skipped.set(name, want);
      continue;
    }
    const hop = nextHopProblem(table, want.via);
    const other = otherRouteTo(table, want.dst);
    if (hop) skipped.set(name, `its InternalIP ${want.via} cannot be a next hop: ${hop}`);
    else if (other) skipped.set(name, `the route to ${want.dst} is held by another route (${other})`);
    else if (desired.has(want.dst)) skipped.set(name, `another node already has the pod CIDR ${want.dst}`);
    else {
      desired.set(want.dst, want.via);
      routed.add(name);
    }
  }
  const current = skiffRoutes(table, self.clusterCIDR).filter((r) => installed.has(r.dst) || known.has(r.dst) || desired.has(r.dst));
  return { desired, current, diff: diffRoutes(desired, current), routed, skipped };
}

/** More nodes than this newly without a route in one sync are logged as one line. */
const MAX_SKIP_LINES = 5;

export class NodeRoutes {
  readonly #cfg: NodeRoutesConfig;
  readonly #opts: NodeRoutesOptions;
  readonly #log: Logger;
  readonly #informer: Informer<Node>;
  /** Routes this process put in place (dst → via): what it removes when it stops. */
  readonly #installed = new Map<string, string>();
  /** The last reason each node has no route, so it is logged once, not at every sync. */
  readonly #skipped = new Map<string, string>();
  #dirty = true;
  #wake: (() => void) | undefined;
  /** Completed syncs (for tests). */
  syncs = 0;

  constructor(cfg: NodeRoutesConfig, opts: NodeRoutesOptions = {}) {
    this.#cfg = cfg;
    this.#opts = opts;
    this.#log = cfg.log.child({ component: 'node-routes' });
    this.#informer = new Informer<Node>(cfg.clientset.resource<Node>('v1', 'nodes'), {
      onError: (err) => this.#log.debug({ err: (err as Error).message }, 'node watch interrupted'),
    });
    const poke = (): void => this.#poke();
    // Heartbeats and status changes do not move routes: only a Node's pod CIDR or InternalIP does.
    const routeFacts = (n: Node): string => JSON.stringify([n.spec?.podCIDR, n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address]);
    this.#informer.addHandlers({ add: poke, update: (old, cur) => { if (routeFacts(old) !== routeFacts(cur)) poke(); }, delete: poke });
  }

  /** The routes this process keeps in place now (dst → via). */
  get routes(): ReadonlyMap<string, string> { return this.#installed; }

  async run(signal: AbortSignal): Promise<void> {
    const informer = this.#informer.run(signal);
    try {
      await this.#informer.waitForSync(signal);
      while (!signal.aborted) {
        if (this.#dirty) {
          this.#dirty = false;
          try {
            await this.sync();
          } catch (err) {
            this.#dirty = true;
            this.#log.warn({ err: (err as Error).message }, 'route sync failed; retrying');
            await sleep(1000, signal);
            continue;
          }
        }
        // A Node event during the sync: sync again at once.
        if (this.#dirty) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => { this.#dirty = true; resolve(); }, this.#opts.resyncMs ?? 30_000);
          const done = (): void => { clearTimeout(timer); signal.removeEventListener('abort', done); this.#wake = undefined; resolve(); };
          this.#wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      await informer;
      if (!this.#opts.keepOnStop) await this.cleanup();
    }
  }

  #poke(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  /** One level-triggered pass: the Nodes as the informer holds them against the kernel's table. */
  async sync(): Promise<void> {
    const table = await readRouteTable(this.#opts);
    const plan = planRoutes([...this.#informer.values()], table, this.#cfg, new Set(this.#installed.keys()));
    this.#noteSkips(plan.skipped);
    this.#installed.clear();
    for (const r of plan.current) this.#installed.set(r.dst, r.via);
    for (const r of plan.diff.replace) {
      await replacePodRoute(r, this.#opts);
      this.#installed.set(r.dst, r.via);
      this.#log.info({ podCIDR: r.dst, via: r.via }, 'route to a node\'s pods');
    }
    for (const r of plan.diff.remove) {
      await deletePodRoute(r, this.#opts);
      if (this.#installed.get(r.dst) === r.via) this.#installed.delete(r.dst);
      this.#log.info({ podCIDR: r.dst, via: r.via }, 'route removed');
    }
    this.syncs += 1;
  }

  /** Logs each node's reason once; many at once (a fleet of simulated nodes) make one line. */
  #noteSkips(skipped: ReadonlyMap<string, string>): void {
    const fresh: Array<[string, string]> = [];
    for (const [node, reason] of skipped) {
      if (this.#skipped.get(node) === reason) continue;
      this.#skipped.set(node, reason);
      // A node without a pod CIDR yet is the normal start of every node's life: not worth a line.
      if (reason !== 'no spec.podCIDR yet') fresh.push([node, reason]);
    }
    for (const node of [...this.#skipped.keys()]) if (!skipped.has(node)) this.#skipped.delete(node);
    if (fresh.length <= MAX_SKIP_LINES) {
      for (const [node, reason] of fresh) this.#log.info({ node, reason }, 'no route to this node\'s pods');
      return;
    }
    this.#log.info({ nodes: fresh.length, examples: Object.fromEntries(fresh.slice(0, 3)) }, 'no route to these nodes\' pods');
  }


  /** Removes the routes this process put in place. */
  async cleanup(): Promise<void> {
    for (const [dst, via] of [...this.#installed]) {
      try {
        await deletePodRoute({ dst, via }, this.#opts);
        this.#installed.delete(dst);
      } catch (err) {
        this.#log.warn({ err: (err as Error).message, podCIDR: dst }, 'route not removed');
      }
    }
  }
}

/**
 * `skiff down`-style cleanup: every route of skiff's inside the cluster CIDR in this network
 * namespace, whichever process added it (one node agent per machine owns them all).
 */
export async function cleanupNodeRoutes(clusterCIDR: string, opts: RouteOptions = {}): Promise<PodRoute[]> {
  return deleteAllPodRoutes(clusterCIDR, opts);
}

/** The node network's `routes` component (see src/cli/node-network.ts). */
export async function runNodeRoutes(ctx: NodeRoutesConfig, signal: AbortSignal): Promise<void> {
  await new NodeRoutes(ctx).run(signal);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
