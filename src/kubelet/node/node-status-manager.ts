// Registers the Node and keeps its status current: capacity, allocatable, addresses, system info,
// the kubelet endpoint and conditions. Status goes out every `updateIntervalMs` only if something
// changed or the last report is older than `reportIntervalMs` (the Lease is the frequent heartbeat;
// pkg/kubelet/kubelet_node_status.go registerWithAPIServer / tryUpdateNodeStatus).
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.ts';
import type { Node, NodeStatus } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { sleepOrAbort } from '../util/sleep.ts';
import { conditionVerdicts, conditionsChanged, nextConditions } from './node-conditions.ts';
import { allocatableOf, capacityOf, nodeAddresses, readMachineFacts, systemInfo } from './node-info.ts';
import type { AllocatableOverrides } from './node-info.ts';

export interface NodeStatusManagerOptions {
  clientset: Clientset;
  nodeName: string;
  nodeIP: string;
  dataDir: string;
  log: Logger;
  allocatable?: AllocatableOverrides;
  maxPods?: number;
  kubeletPort?: number;
  labels?: Record<string, string>;
  updateIntervalMs?: number;
  reportIntervalMs?: number;
  /**
   * The pod subnet this node uses when the agent was given one (--pod-subnet): written to
   * spec.podCIDR/podCIDRs at registration so the Node shows what its pods really get, and the
   * control plane's node-ipam leaves the node alone.
   */
  podCIDR?: string;
  /** MemoryPressure as the eviction manager sees it; undefined: from /proc/meminfo. */
  memoryPressure?: () => boolean | undefined;
  /** RuntimeClass handlers this node offers: status.runtimeHandlers. */
  runtimeHandlers?: readonly string[];
}

export class NodeStatusManager {
  readonly #o: NodeStatusManagerOptions;
  /** daemonEndpoints.kubeletEndpoint.Port: known once the streaming server listens. */
  kubeletPort: number;
  #lastReported: NodeStatus | undefined;
  #lastReportAt = 0;

  constructor(options: NodeStatusManagerOptions) {
    this.#o = options;
    this.kubeletPort = options.kubeletPort ?? 0;
  }

  get #nodes() {
    return this.#o.clientset.resource<Node>('v1', 'nodes');
  }

  /** Creates the Node (or takes over an existing one of the same name) with a first status. */
  async register(): Promise<Node> {
    const name = this.#o.nodeName;
    const labels = {
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
      ...(this.#o.labels ?? {}),
    };
    const cidr = this.#o.podCIDR;
    const spec = cidr ? { podCIDR: cidr, podCIDRs: [cidr] } : {};
    let node: Node;
    try {
      node = await this.#nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec });
      this.#o.log.info({ node: name }, 'node registered');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      node = await this.#nodes.patch(undefined, name, 'merge', { metadata: { labels } });
      this.#o.log.info({ node: name }, 'node already registered; taking it over');
      const held = node.spec?.podCIDR;
      // Kubernetes lets a node's podCIDR go only from unset to set (ValidateNodeUpdate), so a
      // CIDR set earlier (by node-ipam, or an earlier --pod-subnet) stays.
      if (cidr && !held) node = await this.#nodes.patch(undefined, name, 'merge', { spec });
      else if (cidr && held !== cidr) {
        this.#o.log.warn({ node: name, podCIDR: held, podSubnet: cidr }, 'the Node already holds another pod CIDR; its spec.podCIDR does not show --pod-subnet');
      }
    }
    await this.updateStatus(true);
    return node;
  }

  async #desiredStatus(previous: NodeStatus | undefined): Promise<NodeStatus> {
    const facts = await readMachineFacts(this.#o.dataDir);
    const capacity = capacityOf(facts, this.#o.maxPods);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      capacity,
      allocatable: allocatableOf(capacity, this.#o.allocatable ?? {}),
      conditions: nextConditions(previous?.conditions, conditionVerdicts(facts, { memoryPressure: this.#o.memoryPressure?.() }), now),
      addresses: nodeAddresses(this.#o.nodeIP, this.#o.nodeName),
      daemonEndpoints: { kubeletEndpoint: { Port: this.kubeletPort } },
      nodeInfo: await systemInfo(),
      ...(this.#o.runtimeHandlers ? { runtimeHandlers: runtimeHandlersStatus(this.#o.runtimeHandlers) } : {}),
    };
  }

  /** Sends the status if it changed or a report is due (or `force`). */
  async updateStatus(force = false): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.#nodes.get(undefined, this.#o.nodeName);
      const desired = await this.#desiredStatus(current.status);
      const due = Date.now() - this.#lastReportAt >= (this.#o.reportIntervalMs ?? 60_000);
      if (!force && !due && !this.#changed(current.status, desired)) return false;
      try {
        await this.#nodes.patch(undefined, this.#o.nodeName, 'merge', { status: desired }, { subresource: 'status' });
      } catch (err) {
        if (isConflict(err) && attempt < 3) continue;
        throw err;
      }
      this.#lastReported = desired;
      this.#lastReportAt = Date.now();
      return true;
    }
  }

  #changed(current: NodeStatus | undefined, desired: NodeStatus): boolean {
    if (!current) return true;
    const { conditions: _a, ...restCurrent } = current;
    const { conditions: _b, ...restDesired } = desired;
    const pick = (s: Partial<NodeStatus>): string =>
      JSON.stringify([s.capacity, s.allocatable, s.addresses, s.daemonEndpoints, s.nodeInfo, s.runtimeHandlers]);
    return pick(restCurrent) !== pick(restDesired) || conditionsChanged(current.conditions, desired.conditions ?? []);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await sleepOrAbort(this.#o.updateIntervalMs ?? 10_000, signal))) return;
      try {
        await this.updateStatus();
      } catch (err) {
        if (signal.aborted) return;
        if (isNotFound(err)) {
          // Someone deleted our Node: register again (as the kubelet does after a restart).
          await this.register().catch((e: unknown) => this.#o.log.warn({ err: (e as Error).message }, 'node re-registration failed'));
          continue;
        }
        this.#o.log.warn({ err: (err as Error).message }, 'node status update failed');
      }
    }
  }

  get lastReported(): NodeStatus | undefined {
    return this.#lastReported;
  }
}

/**
 * status.runtimeHandlers (1.30+, pkg/kubelet/nodestatus/setters.go RuntimeHandlers, as the CRI
 * runtime reports them). skiff maps neither user namespaces nor recursive read-only mounts for
 * pods yet, so no handler claims those features.
 */
export function runtimeHandlersStatus(handlers: readonly string[]): NonNullable<NodeStatus['runtimeHandlers']> {
  return handlers.map((name) => ({ name, features: { recursiveReadOnlyMounts: false, userNamespaces: false } }));
}
