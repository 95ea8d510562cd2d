// Skiff's pod network: attach a pinned network namespace to the node's bridge (ADD), detach it
// (DEL, idempotent, also after a restart thanks to the result cache), and clean up after the last
// pod or after a crash. The kubelet-side counterpart of containerd's CRI plugin calling go-cni.
import { rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { skiffNetworkConfigList, DEFAULT_BRIDGE, DEFAULT_NETWORK_NAME } from './config-list.ts';
import { CniError, InvalidNetworkConfig, NetworkInUse } from './errors.ts';
import { readLeases } from './host-local-leases.ts';
import { HostNetwork } from './host-network.ts';
import { cniChainName } from './iptables-rules.ts';
import { KeyedMutex, SharedExclusiveLock } from './locks.ts';
import { addNetworkList, checkNetworkList, delNetworkList } from './network-list.ts';
import { PluginExecutor } from './plugin-exec.ts';
import type { PluginRunner } from './plugin-exec.ts';
import { ResultCache, checkContainerId } from './result-cache.ts';
import type { CacheEntry } from './result-cache.ts';
import type { CniResult, PortMapping, RuntimeConf } from './types.ts';

export interface PodNetworkOptions {
  /** The engine's data directory; skiff keeps <dataDir>/cni/{ipam,results} under it. */
  dataDir: string;
  /** The node's pod subnet, e.g. 10.42.0.0/24. */
  subnet: string;
  networkName?: string;
  bridge?: string;
  ipMasq?: boolean;
  mtu?: number;
  pluginDirs?: readonly string[];
  /** Replaces the real plugin executor (tests). */
  runner?: PluginRunner;
  host?: HostNetwork;
}

export interface PodNetworkRequest {
  id: string;
  netnsPath: string;
  portMappings?: PortMapping[];
  /** Extra CNI_ARGS, e.g. K8S_POD_NAMESPACE and K8S_POD_NAME. */
  args?: Record<string, string>;
}

export interface PodNetworkStatus {
  id: string;
  /** The pod's IPv4 address, without prefix. */
  ip: string;
  prefixLength: number;
  gateway: string | undefined;
  /** Interface name inside the pod. */
  interface: string;
  mac: string | undefined;
  result: CniResult;
}

const IF_NAME = 'eth0';
const NSFS_MAGIC = 0x6e736673;

export class PodNetwork {
  readonly #options: PodNetworkOptions;
  readonly #name: string;
  readonly #bridge: string;
  readonly #leaseDir: string;
  readonly #cache: ResultCache;
  readonly #runner: PluginRunner;
  readonly #host: HostNetwork;
  readonly #perId = new KeyedMutex();
  readonly #gate = new SharedExclusiveLock();

  constructor(options: PodNetworkOptions) {
    this.#options = options;
    this.#name = options.networkName ?? DEFAULT_NETWORK_NAME;
    this.#bridge = options.bridge ?? DEFAULT_BRIDGE;
    this.#leaseDir = join(options.dataDir, 'cni', 'ipam');
    this.#cache = new ResultCache(join(options.dataDir, 'cni', 'results'), this.#name);
    this.#runner = options.runner ?? new PluginExecutor(options.pluginDirs ? { pluginDirs: options.pluginDirs } : {});
    this.#host = options.host ?? new HostNetwork();
    this.#configList(false); // validate the options now rather than on the first pod
  }

  get leaseDir(): string {
    return this.#leaseDir;
  }

  /** Attaches the pod; a second call for an attached id with the same netns returns the cached status. */
  async setup(request: PodNetworkRequest): Promise<PodNetworkStatus> {
    checkContainerId(request.id);
    const mappings = request.portMappings ?? [];
    mappings.forEach(checkPortMapping);
    return this.#gate.shared(() => this.#perId.run(request.id, async () => {
      const existing = await this.#cache.read(request.id, IF_NAME);
      if (existing?.result !== undefined && existing.netns === request.netnsPath) {
        return toStatus(request.id, existing.result);
      }
      if (existing !== undefined) await this.#teardown(request.id, existing);

      const entry: CacheEntry = {
        kind: 'skiff-cni-cache/v1',
        containerId: request.id,
        ifName: IF_NAME,
        netns: request.netnsPath,
        config: this.#configList(mappings.length > 0),
      };
      if (request.args) entry.args = request.args;
      if (mappings.length > 0) entry.capabilityArgs = { portMappings: mappings };
      // Written before ADD: a crash during ADD leaves what DEL needs.
      await this.#cache.write(entry);
      try {
        const result = await addNetworkList(this.#runner, entry.config, runtimeConf(entry, entry.netns));
        const status = toStatus(request.id, result);
        await this.#cache.write({ ...entry, result });
        return status;
      } catch (err) {
        // Undo the plugins that did succeed; the ADD error is the one worth reporting.
        await this.#teardown(request.id, entry).catch(() => undefined);
        throw err;
      }
    }));
  }

  /** Detaches the pod. Idempotent: an id that is not attached (any more) succeeds. */
  async teardown(id: string): Promise<void> {
    checkContainerId(id);
    return this.#gate.shared(() => this.#perId.run(id, async () => {
      await this.#teardown(id, await this.#cache.read(id, IF_NAME));
    }));
  }

  /** CHECK through every plugin; throws CniError when the attachment is broken. */
  async check(id: string): Promise<void> {
    checkContainerId(id);
    return this.#gate.shared(() => this.#perId.run(id, async () => {
      const entry = await this.#cache.read(id, IF_NAME);
      if (entry?.result === undefined) throw new InvalidNetworkConfig(`Cannot check network of "${id}": not attached`);
      // portmap 1.1.1's CHECK also demands an ip6tables chain for IPv4-only pods and always fails
      // (fixed upstream later, "Only check ipv6 when an IPv6 is configured"): check its IPv4
      // chain here instead.
      const plugins = entry.config.plugins.filter((p) => p.type !== 'portmap');
      await checkNetworkList(this.#runner, { ...entry.config, plugins }, runtimeConf(entry, entry.netns), entry.result);
      if (plugins.length < entry.config.plugins.length) await this.#checkPortmapChain(entry);
    }));
  }

  async status(id: string): Promise<PodNetworkStatus | undefined> {
    const entry = await this.#cache.read(id, IF_NAME);
    return entry?.result === undefined ? undefined : toStatus(id, entry.result);
  }

  /** Ids that are attached, or half-attached, or hold a lease. */
  async list(): Promise<string[]> {
    const ids = new Set((await this.#cache.list()).map((e) => e.containerId));
    for (const lease of await readLeases(this.#leaseDir, this.#name)) ids.add(lease.containerId);
    return [...ids].sort();
  }

  /** Crash recovery: detaches every id not in `knownIds`; returns the ids detached. */
  async reconcile(knownIds: Iterable<string>): Promise<string[]> {
    const known = new Set(knownIds);
    const stale = (await this.list()).filter((id) => !known.has(id));
    // One broken attachment must not keep the others from being released.
    const errors: unknown[] = [];
    for (const id of stale) await this.teardown(id).catch((err: unknown) => errors.push(err));
    if (errors.length > 0) throw errors[0];
    return stale;
  }

  /**
   * Removes the bridge, portmap's shared chains (when no other network uses them) and the lease
   * directory. Refuses while pods are attached unless `force`, which detaches them first.
   */
  cleanupNetwork(options: { force?: boolean } = {}): Promise<void> {
    return this.#gate.exclusive(async () => {
      const attached = await this.list();
      if (attached.length > 0 && !options.force) throw new NetworkInUse(this.#name, attached);
      for (const id of attached) await this.#teardown(id, await this.#cache.read(id, IF_NAME));
      const ports = await this.#host.bridgePorts(this.#bridge);
      if (ports !== undefined && ports.length > 0) {
        throw new NetworkInUse(this.#name, ports.map((p) => `${this.#bridge}/${p}`));
      }
      if (ports !== undefined) await this.#host.deleteLink(this.#bridge);
      await this.#host.removePortmapChainsIfUnused();
      await rm(join(this.#leaseDir, this.#name), { recursive: true, force: true });
    });
  }

  async #checkPortmapChain(entry: CacheEntry): Promise<void> {
    const chain = cniChainName(entry.config.name, entry.containerId, 'DN-');
    const rules = await this.#host.natRules();
    if (rules === undefined || !rules.rules.some((r) => r.chain === chain)) {
      throw new CniError('portmap', 'CHECK', `chain ${chain} not found in iptables table nat`);
    }
  }

  async #teardown(id: string, entry: CacheEntry | undefined): Promise<void> {
    if (entry === undefined) {
      // No cache (a crash before it was written, or already torn down): release any lease the
      // plain configuration can find, and chains the plugins would have made.
      const leases = await readLeases(this.#leaseDir, this.#name);
      if (!leases.some((l) => l.containerId === id)) return;
      const config = this.#configList(false);
      await delNetworkList(this.#runner, config, { containerId: id, netns: '', ifName: IF_NAME });
      await this.#host.removeContainerChains(this.#name, id);
      return;
    }
    // Plugins fail on a path that is no longer a namespace; with no netns the link is gone with
    // it, and DEL only releases the address (so the chains are swept below).
    const netns = (await isNamespace(entry.netns)) ? entry.netns : '';
    await delNetworkList(this.#runner, entry.config, runtimeConf(entry, netns), entry.result);
    if (netns === '' && usesIptables(entry)) await this.#host.removeContainerChains(entry.config.name, id);
    await this.#cache.remove(id, IF_NAME);
  }

  #configList(portMap: boolean) {
    const o = this.#options;
    return skiffNetworkConfigList({
      subnet: o.subnet,
      leaseDir: this.#leaseDir,
      name: this.#name,
      bridge: this.#bridge,
      portMap,
      ...(o.ipMasq !== undefined ? { ipMasq: o.ipMasq } : {}),
      ...(o.mtu !== undefined ? { mtu: o.mtu } : {}),
    });
  }
}

function runtimeConf(entry: CacheEntry, netns: string): RuntimeConf {
  const rt: RuntimeConf = { containerId: entry.containerId, netns, ifName: entry.ifName };
  if (entry.args) rt.args = entry.args;
  if (entry.capabilityArgs) rt.capabilityArgs = entry.capabilityArgs;
  return rt;
}

function usesIptables(entry: CacheEntry): boolean {
  return entry.config.plugins.some((p) => p.type === 'portmap' || p.ipMasq === true);
}

async function isNamespace(path: string): Promise<boolean> {
  if (path === '') return false;
  try {
    return (await statfs(path)).type === NSFS_MAGIC;
  } catch {
    return false;
  }
}

function checkPortMapping(m: PortMapping): void {
  const port = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
  if (!port(m.hostPort) || !port(m.containerPort)) {
    throw new InvalidNetworkConfig(`Cannot map port ${m.hostPort} -> ${m.containerPort}: ports must be integers in [1, 65535]`);
  }
  if (m.protocol !== undefined && !['tcp', 'udp', 'sctp'].includes(m.protocol)) {
    throw new InvalidNetworkConfig(`Cannot map port ${m.hostPort}: protocol must be tcp, udp or sctp`);
  }
}

/** The pod's address: the IPv4 entry on the sandbox interface named eth0. */
export function toStatus(id: string, result: CniResult): PodNetworkStatus {
  const interfaces = result.interfaces ?? [];
  const index = interfaces.findIndex((i) => i.name === IF_NAME && i.sandbox !== undefined && i.sandbox !== '');
  const ips = result.ips ?? [];
  const ip = ips.find((i) => i.interface === index && i.address.includes('.')) ?? ips.find((i) => i.address.includes('.'));
  if (ip === undefined) {
    throw new InvalidNetworkConfig(`Cannot read network result of "${id}": no IPv4 address in ${JSON.stringify(result)}`);
  }
  const [address = '', prefix = '32'] = ip.address.split('/');
  return {
    id,
    ip: address,
    prefixLength: Number(prefix),
    gateway: ip.gateway,
    interface: IF_NAME,
    mac: index >= 0 ? interfaces[index]?.mac : undefined,
    result,
  };
}
