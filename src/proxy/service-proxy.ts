// The node's service proxy, in the kernel as kube-proxy's nftables mode is
// (pkg/proxy/nftables/proxier.go, cmd/kube-proxy): informers on Services and EndpointSlices mark
// the Services that changed; a bounded-frequency runner coalesces bursts and syncs only those
// Services' chains and map elements in one `nft -f -` transaction; a full resync rewrites the
// whole table at start, after a failure and periodically. No packet passes through this process,
// and the rules stay when it stops, so traffic keeps flowing across a restart (the restart's full
// resync swaps the table in one transaction). cleanup() removes the table.
import type { Logger } from 'pino';
import type { Clientset } from '../client/clientset.ts';
import { Informer } from '../client/informer.ts';
import { netTools, type NetTools } from '../runtime/netns/net-tools.ts';
import { renderService, type Fragment, type ProxyLayout } from './nft-rules.ts';
import { AppliedTable, parseTableListing, type ExistingTable } from './nft-sync.ts';
import {
  categorizeEndpoints, portEndpoints, serviceKeyOf, servicePorts, sliceServiceKey,
  type EndpointInfo, type ServicePortEndpoints,
} from './service-model.ts';
import type { EndpointSlice, Service } from './types.ts';

export interface ServiceProxyOptions {
  clientset: Clientset;
  /** This node's name: endpoints with this nodeName are local (traffic policy Local). */
  hostname: string;
  /** The nft table (family ip) the proxy owns, e.g. `skiff-proxy`. */
  table: string;
  clusterCIDR: string;
  serviceCIDR: string;
  /** Addresses NodePorts answer on; a 127.x address turns on route_localnet as kube-proxy does. */
  nodeIPs: readonly string[];
  /** Mark bit for masquerading (kube-proxy's --masquerade-bit 14: 0x4000). */
  masqueradeMark?: number;
  /**
   * Least time between two syncs (kube-proxy's --min-sync-period, 1 s there). 100 ms here: a
   * partial nft transaction for a few Services costs a few milliseconds, not the seconds a full
   * iptables-restore costs, so a burst (a rollout, a scale-up) still coalesces into ≤ 10 syncs a
   * second while an endpoint change reaches the kernel well within the 200 ms target.
   */
  minSyncPeriodMs?: number;
  /** How often the whole table is rewritten even if nothing changed (upstream: hourly). */
  fullSyncPeriodMs?: number;
  /** nft/conntrack/sysctl; by default in this process's network namespace. */
  tools?: NetTools;
  log?: Logger;
  /** Called after every successful sync (tests, benchmarks). */
  onSync?: (report: SyncReport) => void;
}

export interface SyncReport {
  full: boolean;
  /** Keys (`ns/name`) of the Services rewritten. */
  services: string[];
  statements: number;
  durationMs: number;
}

const DEFAULT_MIN_SYNC_MS = 100;
const DEFAULT_FULL_SYNC_MS = 3_600_000;
const MAX_RETRY_MS = 30_000;

export class ServiceProxy {
  readonly #o: ServiceProxyOptions;
  readonly #layout: ProxyLayout;
  readonly #tools: NetTools;
  readonly #services: Informer<Service>;
  readonly #slices: Informer<EndpointSlice>;
  /** Service key → slice name → slice. */
  readonly #slicesByService = new Map<string, Map<string, EndpointSlice>>();
  readonly #applied = new AppliedTable();
  /** The endpoints each Service's applied rules were made from (for conntrack cleanup). */
  readonly #appliedModel = new Map<string, ServicePortEndpoints[]>();
  readonly #dirty = new Set<string>();
  #needFull = true;
  #ready = false;
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #lastSyncStart = 0;
  #retryMs = 0;
  #stopped = false;
  #fullWaiters: Array<() => void> = [];
  /** Number of syncs done (tests). */
  syncs = 0;

  constructor(o: ServiceProxyOptions) {
    this.#o = o;
    this.#tools = o.tools ?? netTools();
    this.#layout = {
      table: o.table, clusterCIDR: o.clusterCIDR, serviceCIDR: o.serviceCIDR,
      nodeIPs: [...new Set(o.nodeIPs)], masqueradeMark: o.masqueradeMark ?? 0x4000,
    };
    const onError = (err: unknown): void => { o.log?.warn({ err: (err as Error).message }, 'service proxy watch'); };
    this.#services = new Informer<Service>(o.clientset.resource<Service>('v1', 'services'), { onError });
    this.#slices = new Informer<EndpointSlice>(o.clientset.resource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices'), { onError });
    this.#services.addHandlers({
      add: (s) => this.#touch(serviceKeyOf(s)),
      update: (_, s) => this.#touch(serviceKeyOf(s)),
      delete: (s) => this.#touch(serviceKeyOf(s)),
    });
    this.#slices.addHandlers({
      add: (s) => this.#sliceChanged(undefined, s),
      update: (old, s) => this.#sliceChanged(old, s),
      delete: (s) => this.#sliceChanged(s, undefined),
    });
  }

  get layout(): ProxyLayout { return this.#layout; }

  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    if (this.#layout.nodeIPs.some((ip) => ip.startsWith('127.'))) {
      // Localhost NodePorts: a DNATed packet from 127.0.0.1 may leave through another interface
      // only with route_localnet (kube-proxy's iptables mode sets it the same way).
      await this.#tools.setSysctl('net.ipv4.conf.all.route_localnet', '1').catch((err: unknown) => {
        this.#o.log?.warn({ err: (err as Error).message }, 'cannot set route_localnet: NodePorts on 127.0.0.1 will not answer');
      });
    }
    const informers = [this.#services.run(signal), this.#slices.run(signal)];
    try {
      await Promise.all([this.#services.waitForSync(signal), this.#slices.waitForSync(signal)]);
    } catch {
      await Promise.all(informers);
      return;
    }
    // Only now: a sync before both caches are complete would drop the Services not yet seen.
    this.#ready = true;
    this.#needFull = true;
    this.#request();
    const full = setInterval(() => { this.#needFull = true; this.#request(); }, this.#o.fullSyncPeriodMs ?? DEFAULT_FULL_SYNC_MS);
    full.unref();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.#stopped = true;
    clearInterval(full);
    clearTimeout(this.#timer);
    await this.#syncing;
    await Promise.all(informers);
  }

  /** Resolves after the next full sync that starts after this call (tests). */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#fullWaiters.push(resolve);
      this.#needFull = true;
      this.#request();
    });
  }

  #sliceChanged(old: EndpointSlice | undefined, slice: EndpointSlice | undefined): void {
    const oldKey = old === undefined ? undefined : sliceServiceKey(old);
    const newKey = slice === undefined ? undefined : sliceServiceKey(slice);
    const name = (slice ?? old)!.metadata.name ?? '';
    if (oldKey !== undefined && oldKey !== newKey) {
      this.#slicesByService.get(oldKey)?.delete(name);
      if (this.#slicesByService.get(oldKey)?.size === 0) this.#slicesByService.delete(oldKey);
      this.#touch(oldKey);
    }
    if (newKey !== undefined && slice !== undefined) {
      let m = this.#slicesByService.get(newKey);
      if (m === undefined) this.#slicesByService.set(newKey, (m = new Map()));
      m.set(name, slice);
      this.#touch(newKey);
    }
  }

  #touch(key: string): void {
    this.#dirty.add(key);
    this.#request();
  }

  /** Schedules a sync no sooner than minSyncPeriod after the last one began (BoundedFrequencyRunner). */
  #request(): void {
    if (!this.#ready || this.#stopped || this.#timer !== undefined || this.#syncing !== undefined) return;
    const min = this.#o.minSyncPeriodMs ?? DEFAULT_MIN_SYNC_MS;
    const wait = Math.max(this.#retryMs, this.#lastSyncStart + min - performance.now(), 0);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#syncing = this.#sync().finally(() => {
        this.#syncing = undefined;
        if (this.#dirty.size > 0 || this.#needFull) this.#request();
      });
    }, wait);
  }

  async #sync(): Promise<void> {
    this.#lastSyncStart = performance.now();
    const full = this.#needFull;
    const waiters = full ? this.#fullWaiters.splice(0) : [];
    const keys = full ? new Set([...this.#allServiceKeys(), ...this.#appliedModel.keys()]) : new Set(this.#dirty);
    this.#needFull = false;
    this.#dirty.clear();
    const models = new Map<string, ServicePortEndpoints[] | undefined>();
    const fragments = new Map<string, Fragment | undefined>();
    for (const key of keys) {
      const svc = this.#services.get(key);
      const ports = svc === undefined ? [] : servicePorts(svc);
      if (ports.length === 0) {
        models.set(key, undefined);
        fragments.set(key, undefined);
        continue;
      }
      const model = portEndpoints(ports, this.#slicesByService.get(key)?.values() ?? [], this.#o.hostname);
      models.set(key, model);
      fragments.set(key, renderService(model, this.#layout));
    }
    let statements = 0;
    try {
      let plan;
      if (full) {
        const all = new Map<string, Fragment>();
        for (const [k, f] of fragments) if (f !== undefined) all.set(k, f);
        plan = this.#applied.planFull(this.#layout, all, await this.#existing());
      } else {
        plan = this.#applied.planPartial(this.#layout, fragments);
      }
      statements = plan.statements;
      if (statements > 0) await this.#tools.nftApply(plan.script);
      plan.commit();
      this.#retryMs = 0;
    } catch (err) {
      if (this.#stopped) return;
      this.#retryMs = Math.min(Math.max(this.#retryMs * 2, 1000), MAX_RETRY_MS);
      this.#o.log?.error({ err: (err as Error).message, full, retryMs: this.#retryMs }, 'service proxy sync failed');
      for (const k of keys) this.#dirty.add(k);
      this.#needFull = true;
      this.#fullWaiters.push(...waiters);
      return;
    }
    this.syncs += 1;
    const durationMs = performance.now() - this.#lastSyncStart;
    const previous = new Map<string, ServicePortEndpoints[] | undefined>();
    for (const [k, m] of models) {
      previous.set(k, this.#appliedModel.get(k));
      if (m === undefined) this.#appliedModel.delete(k);
      else this.#appliedModel.set(k, m);
    }
    this.#o.log?.debug({ full, services: keys.size, durationMs: Math.round(durationMs) }, 'service proxy synced');
    await this.#clearStaleConntrack(previous, models);
    this.#o.onSync?.({ full, services: [...keys], statements, durationMs });
    for (const w of waiters) w();
  }

  #allServiceKeys(): string[] {
    return [...this.#services.values()].map(serviceKeyOf);
  }

  async #existing(): Promise<ExistingTable> {
    try {
      return parseTableListing(await this.#tools.nft(['-j', 'list', 'table', 'ip', this.#layout.table]));
    } catch {
      return { chains: [], sets: [] };
    }
  }

  /**
   * UDP has no connection to end: a client keeps sending to the endpoint its conntrack entry
   * names, gone or not, and a flow that met a Service without endpoints stays un-NATed. So flows
   * to endpoints that went are deleted, and flows to a Service that had no endpoint and now has
   * one (pkg/proxy/conntrack/cleanup.go).
   */
  async #clearStaleConntrack(before: Map<string, ServicePortEndpoints[] | undefined>, after: Map<string, ServicePortEndpoints[] | undefined>): Promise<void> {
    const jobs: Array<Parameters<NetTools['conntrackDelete']>[0]> = [];
    for (const [key, prev] of before) {
      const next = after.get(key);
      for (const old of prev ?? []) {
        if (old.info.protocol !== 'udp') continue;
        const cur = next?.find((p) => p.info.portName === old.info.portName && p.info.protocol === 'udp');
        const oldIPs = usableIPs(old);
        const newIPs = cur === undefined ? new Set<string>() : usableIPs(cur);
        const serviceIPs = [old.info.clusterIP, ...old.info.externalIPs, ...old.info.loadBalancerIPs];
        for (const ep of oldIPs) {
          if (newIPs.has(ep)) continue;
          for (const ip of serviceIPs) jobs.push({ protocol: 'udp', origDst: ip, origDstPort: old.info.port, dstNat: ep });
          if (old.info.nodePort !== 0) jobs.push({ protocol: 'udp', origDstPort: old.info.nodePort, dstNat: ep });
        }
      }
      for (const cur of next ?? []) {
        if (cur.info.protocol !== 'udp') continue;
        const old = prev?.find((p) => p.info.portName === cur.info.portName && p.info.protocol === 'udp');
        if (usableIPs(cur).size === 0 || (old !== undefined && usableIPs(old).size > 0)) continue;
        for (const ip of [cur.info.clusterIP, ...cur.info.externalIPs, ...cur.info.loadBalancerIPs]) {
          jobs.push({ protocol: 'udp', origDst: ip, origDstPort: cur.info.port });
        }
        if (cur.info.nodePort !== 0) jobs.push({ protocol: 'udp', origDstPort: cur.info.nodePort });
      }
    }
    for (const job of jobs) {
      await this.#tools.conntrackDelete(job).catch((err: unknown) => {
        this.#o.log?.warn({ err: (err as Error).message }, 'conntrack cleanup failed');
      });
    }
  }
}

function usableIPs(p: ServicePortEndpoints): Set<string> {
  const c = categorizeEndpoints(p.info, p.endpoints);
  return new Set([...c.cluster, ...c.local].map((e: EndpointInfo) => e.ip));
}

/** Removes the proxy's table and everything in it; false when there was none (`--cleanup`). */
export async function cleanupServiceProxy(table: string, tools: NetTools = netTools()): Promise<boolean> {
  const out = await tools.nft(['list', 'tables', 'ip']);
  const present = out.split('\n').some((l) => l.trim() === `table ip ${table}`);
  if (!present) return false;
  await tools.nft(['delete', 'table', 'ip', table]);
  return true;
}

/** What the node network gives the proxy (a subset of NodeNetworkContext, src/cli/node-network.ts). */
export interface ProxyContext {
  clientset: Clientset;
  nodeName: string;
  nodeIP: string;
  clusterCIDR: string;
  serviceCIDR: string;
  nftPrefix: string;
  log: Logger;
}

export function proxyTableName(nftPrefix: string): string {
  return `${nftPrefix}-proxy`;
}

/** The node-network runner: NodePorts on the node's address and on 127.0.0.1. */
export async function runServiceProxy(ctx: ProxyContext, signal: AbortSignal): Promise<void> {
  const proxy = new ServiceProxy({
    clientset: ctx.clientset,
    hostname: ctx.nodeName,
    table: proxyTableName(ctx.nftPrefix),
    clusterCIDR: ctx.clusterCIDR,
    serviceCIDR: ctx.serviceCIDR,
    nodeIPs: [...new Set([ctx.nodeIP, '127.0.0.1'])],
    log: ctx.log.child({ component: 'proxy' }),
  });
  await proxy.run(signal);
}
