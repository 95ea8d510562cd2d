// The node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go):
// watches each node's heartbeat — its Lease in kube-node-lease and the Ready condition's
// lastHeartbeatTime — timed by this controller's own clock as upstream's probeTimestamp. A node not
// heard from within --node-monitor-grace-period gets Ready (and the pressure conditions) Unknown;
// the node's conditions are turned into taints (unreachable/not-ready NoSchedule and NoExecute,
// the pressure ones, unschedulable), removed again when the node is Ready; pods on a node that is
// not Ready are marked not ready (MarkPodsNotReady) so endpoints drop them. Evicting pods from
// NoExecute-tainted nodes is the taint eviction controller's job.
// Simplified from upstream: no rate-limited eviction queues per zone (tainting is immediate);
// zones are only used to hold NoExecute taints back when no node of a zone is Ready.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { Lease, Node, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { gracePeriodMs, isOverdue, readyCondition, unknownConditions } from './node-health.ts';
import { desiredTaints, fullyDisruptedZones, reconcileTaints, zoneKey } from './node-taints.ts';
import { PodsByNode } from './pods-by-node.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Upstream's --node-monitor-grace-period default (50 s since 1.32). */
export const DEFAULT_NODE_MONITOR_GRACE_MS = 50_000;
/** Upstream's --node-startup-grace-period default. */
export const DEFAULT_NODE_STARTUP_GRACE_MS = 60_000;
/** Upstream's --node-monitor-period default. */
export const DEFAULT_NODE_MONITOR_PERIOD_MS = 5_000;

const NODES = { group: '', version: 'v1', resource: 'nodes', namespaced: false };
const PODS = { group: '', version: 'v1', resource: 'pods', namespaced: true };
const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespaced: true };

export interface NodeLifecycleOptions {
  monitorGracePeriodMs?: number;
  startupGracePeriodMs?: number;
  /** How often every node is checked (--node-monitor-period). */
  monitorPeriodMs?: number;
}

interface Health {
  /** When this controller last heard from the node (its clock, not the kubelet's). */
  probeMs: number;
  heartbeat: string | undefined;
  renewTime: string | undefined;
}

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #graceMs: number;
  readonly #startupGraceMs: number;
  readonly #periodMs: number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 50, maxDelayMs: 5_000 });
  readonly #recorder: EventRecorder;
  readonly #health = new Map<string, Health>();
  readonly #leaseRenew = new Map<string, string>();
  #nodes: Informer<Node> | undefined;
  #pods: PodsByNode | undefined;

  constructor(cs: Clientset, log: Logger, options: NodeLifecycleOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#graceMs = options.monitorGracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_MS;
    this.#startupGraceMs = options.startupGracePeriodMs ?? DEFAULT_NODE_STARTUP_GRACE_MS;
    this.#periodMs = options.monitorPeriodMs ?? Math.min(DEFAULT_NODE_MONITOR_PERIOD_MS, Math.max(500, this.#graceMs / 4));
    this.#recorder = new EventRecorder({ clientset: cs, component: 'node-controller', host: hostname(), log: this.#log });
  }

  async run(signal: AbortSignal): Promise<void> {
    const nodes = this.#cs.informer<Node>(NODES);
    const pods = this.#cs.informer<Pod>(PODS);
    const leases = this.#cs.informer<Lease>(LEASES, { namespace: NODE_LEASE_NAMESPACE });
    this.#nodes = nodes;
    this.#pods = new PodsByNode(pods);
    nodes.addHandlers({
      add: (n) => this.#heard(n, true),
      update: (_o, n) => this.#heard(n, false),
      delete: (n) => { this.#health.delete(n.metadata.name!); },
    });
    leases.addHandlers({ add: (l) => this.#renewed(l), update: (_o, l) => this.#renewed(l) });
    pods.addHandlers({ add: (p) => this.#podChanged(p), update: (_o, p) => this.#podChanged(p) });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([nodes.waitForSync(signal), pods.waitForSync(signal), leases.waitForSync(signal)]);
    } catch {
      await recorder;
      return;
    }
    // Level-triggered: every node is looked at each period, as upstream's monitorNodeHealth.
    const tick = setInterval(() => { for (const n of nodes.values()) this.#queue.add(n.metadata.name!); }, this.#periodMs);
    signal.addEventListener('abort', () => clearInterval(tick), { once: true });
    await runWorkers(this.name, this.#queue, 1, (key) => this.sync(key), this.#log, signal);
    clearInterval(tick);
    await recorder;
  }

  #heard(node: Node, added: boolean): void {
    const name = node.metadata.name!;
    const heartbeat = readyCondition(node)?.lastHeartbeatTime;
    const h = this.#health.get(name);
    // First sight counts as hearing from it: a controller that starts late must not declare
    // every node dead at once (upstream starts probeTimestamp at now).
    if (!h || added) this.#health.set(name, { probeMs: Date.now(), heartbeat, renewTime: this.#leaseRenew.get(name) });
    else if (heartbeat !== h.heartbeat) {
      h.heartbeat = heartbeat;
      h.probeMs = Date.now();
    }
    this.#queue.add(name);
  }

  #renewed(lease: Lease): void {
    const name = lease.metadata.name!;
    const renew = lease.spec?.renewTime;
    if (!renew || this.#leaseRenew.get(name) === renew) return;
    this.#leaseRenew.set(name, renew);
    const h = this.#health.get(name);
    if (h) {
      h.renewTime = renew;
      h.probeMs = Date.now();
    }
  }

  #podChanged(pod: Pod): void {
    const node = pod.spec?.nodeName;
    if (!node) return;
    const n = this.#nodes?.get(node);
    const ready = n && readyCondition(n);
    if (ready && ready.status !== 'True' && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) this.#queue.add(node);
  }

  async sync(name: string): Promise<void> {
    let node = this.#nodes?.get(name);
    if (!node) return;
    const nodes = this.#cs.resource<Node>('v1', 'nodes');
    const health = this.#health.get(name);
    const wasReady = readyCondition(node)?.status === 'True';
    if (health && isOverdue(health.probeMs, gracePeriodMs(node, this.#graceMs, this.#startupGraceMs), Date.now())) {
      const conditions = unknownConditions(node, nowIso());
      if (conditions) {
        node = await this.#write(() => nodes.updateStatus(undefined, { ...node!, status: { ...node!.status, conditions } }));
        if (!node) return;
        this.#log.info({ node: name }, 'node stopped posting status: conditions set Unknown');
        if (wasReady) this.#nodeEvent(node, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    const all = [...(this.#nodes?.values() ?? [])].map((n) => (n.metadata.name === name ? node! : n));
    const disrupted = fullyDisruptedZones(all).has(zoneKey(node));
    const taints = reconcileTaints(node.spec?.taints, desiredTaints(node, disrupted), nowIso());
    if (taints) {
      const current = node;
      node = await this.#write(() => nodes.update(undefined, { ...current, spec: { ...current.spec, taints } }));
      if (!node) return;
      this.#log.info({ node: name, taints: taints.map((t) => `${t.key}:${t.effect}`) }, 'node taints updated');
    }
    const ready = readyCondition(node);
    if (ready && ready.status !== 'True') await this.#markPodsNotReady(name);
  }

  /** A write of the node; undefined when it is gone. Conflicts are thrown, to be retried. */
  async #write(fn: () => Promise<Node>): Promise<Node | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  #nodeEvent(node: Node, reason: string, message: string): void {
    // Upstream refers to nodes by name in the UID field too (RecordNodeEvent).
    this.#recorder.record({ kind: 'Node', apiVersion: 'v1', name: node.metadata.name!, uid: node.metadata.name! }, 'Normal', reason, message);
  }

  /** Upstream's MarkPodsNotReady: Ready=False on the node's pods, so endpoints stop routing to them. */
  async #markPodsNotReady(nodeName: string): Promise<void> {
    const podsClient = this.#cs.resource<Pod>('v1', 'pods');
    const now = nowIso();
    for (const pod of this.#pods?.list(nodeName) ?? []) {
      const conditions = pod.status?.conditions ?? [];
      const i = conditions.findIndex((c) => c.type === 'Ready');
      if (i < 0 || conditions[i]!.status !== 'True') continue;
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const next = conditions.map((c, j) => (j === i ? { ...c, status: 'False' as const, lastTransitionTime: now } : c));
      try {
        await podsClient.updateStatus(pod.metadata.namespace, { ...pod, status: { ...pod.status, conditions: next } });
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      this.#recorder.pod(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }
}
