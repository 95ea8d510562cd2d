// Many simulated node agents in one process, as kwok runs them: each registers a Node, renews its
// Lease and reports status on a jittered timer; the pods bound to any of them come from ONE shared
// pod informer (spec.nodeName!=""), dispatched by node name, and a bounded pool of workers writes
// their status (Running, a fake IP from the node's podCIDR; Succeeded a moment later for a Job's
// pods) or finishes their graceful deletion.
// No engine, no containers: kwok's pkg/kwok/controllers (node_controller.go, pod_controller.go).
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { objectKeyOf, type Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { LeaseRenewer } from '../node/lease-renewer.ts';
import { sleepOrAbort } from '../util/sleep.ts';
import { hollowNodeIP, hollowNodeObject, hollowNodeStatus, hollowCompletedStatus, hollowPodStatus, needsCompletion, needsRunningStatus, type HollowNodeSpec } from './hollow-status.ts';
import { PodIpPool } from './pod-ips.ts';

export interface HollowFleetOptions {
  /** A clientset of its own: the fleet starts its informers and closes it when it stops. */
  clientset: Clientset;
  log: Logger;
  count: number;
  /** Node names are PREFIX0, PREFIX1, … (default "sim-node-"). */
  namePrefix?: string;
  maxPods?: number;
  cpu?: string;
  memory?: string;
  /** Status writes in flight at once (default 16). */
  concurrency?: number;
  /** Lease renewal period (the kubelet's 10 s: a quarter of the 40 s lease). */
  leaseIntervalMs?: number;
  /** Node status report period (default 60 s; the Lease is the frequent heartbeat). */
  statusIntervalMs?: number;
  /**
   * A Running pod of a Job (restartPolicy Never or OnFailure) turns Succeeded after a delay drawn
   * uniformly from [0, this] ms (default 100), as kwok's pod-complete stage does.
   */
  podCompleteMaxDelayMs?: number;
  /**
   * The clientset node NAME writes with (its Node, Lease, its pods' status and deletion): with
   * node credentials (`system:node:NAME`) the Node authorizer and NodeRestriction judge each
   * simulated node as a kubelet. Default: the fleet's clientset for every node. The fleet's
   * informers (all Nodes, all bound pods) stay on its own clientset.
   */
  nodeClient?: (nodeName: string) => Clientset;
}

interface HollowNode {
  spec: HollowNodeSpec;
  lease: LeaseRenewer;
  pool: PodIpPool | undefined;
  /** Keys of the pods bound to this node (the spec.nodeName index). */
  pods: Set<string>;
}

// The kubelet's lease controller renews with 4 % jitter (nodelease.renewIntervalJitter).
const LEASE_JITTER = 0.04;

function ref(resource: string): (typeof RESOURCES)[number] {
  return RESOURCES.find((r) => r.group === '' && r.version === 'v1' && r.resource === resource)!;
}

export class HollowFleet {
  readonly #o: HollowFleetOptions;
  readonly #log: Logger;
  readonly #nodes = new Map<string, HollowNode>();
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 50, maxDelayMs: 5000, qps: 100, burst: 200 });
  #podInformer: Informer<Pod> | undefined;
  #registered!: () => void;
  /** Resolves once every Node is registered (created with its first status). */
  readonly registered: Promise<void>;
  /** Status writes that made a pod Running, and pods whose deletion this fleet finished. */
  podsStarted = 0;
  podsDeleted = 0;
  podsCompleted = 0;
  /** When each Job pod (by uid) is due to finish, drawn once when it is first seen Running. */
  readonly #completeAt = new Map<string, number>();

  constructor(options: HollowFleetOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'hollow-fleet' });
    this.registered = new Promise((r) => { this.#registered = r; });
    const prefix = options.namePrefix ?? 'sim-node-';
    for (let i = 0; i < options.count; i++) {
      const name = `${prefix}${i}`;
      const spec: HollowNodeSpec = { name, internalIP: hollowNodeIP(i), cpu: options.cpu ?? '32', memory: options.memory ?? '256Gi', maxPods: options.maxPods ?? 110 };
      this.#nodes.set(name, { spec, pool: undefined, pods: new Set(), lease: new LeaseRenewer({ clientset: options.nodeClient?.(name) ?? options.clientset, nodeName: name, log: this.#log }) });
    }
  }

  get nodeNames(): string[] { return [...this.#nodes.keys()]; }

  async run(outer: AbortSignal): Promise<void> {
    // Two timers per node wait on this signal: thousands of listeners are expected, not a leak.
    const ac = new AbortController();
    setMaxListeners(0, ac.signal);
    const signal = ac.signal;
    const onAbort = (): void => ac.abort(outer.reason);
    if (outer.aborted) return;
    outer.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#run(signal);
    } finally {
      outer.removeEventListener('abort', onAbort);
    }
  }

  async #run(signal: AbortSignal): Promise<void> {
    const cs = this.#o.clientset;
    const nodeInformer = cs.informer<Node>(ref('nodes'));
    const podInformer = cs.informer<Pod>(ref('pods'), { fieldSelector: 'spec.nodeName!=' });
    this.#podInformer = podInformer;
    nodeInformer.addHandlers({ add: (n) => this.#onNode(n), update: (_o, n) => this.#onNode(n) });
    podInformer.addHandlers({
      add: (p) => this.#onPod(p),
      update: (_o, p) => this.#onPod(p),
      delete: (p) => {
        const node = this.#nodes.get(p.spec?.nodeName ?? '');
        if (!node) return;
        node.pods.delete(objectKeyOf(p));
        node.pool?.release(p.metadata.uid ?? '');
        this.#completeAt.delete(p.metadata.uid ?? '');
      },
    });
    cs.start(signal);
    await this.#register(signal);
    this.#registered();
    if (signal.aborted) return;
    await cs.waitForSync(signal).catch(() => undefined);
    const loops = [...this.#nodes.values()].flatMap((n) => [this.#leaseLoop(n, signal), this.#statusLoop(n, signal)]);
    const workers = this.#runWorkers(signal);
    await Promise.all([...loops, workers]);
  }

  async #register(signal: AbortSignal): Promise<void> {
    const nodes = [...this.#nodes.values()];
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 16, nodes.length) }, async () => {
      while (!signal.aborted) {
        const n = nodes[next++];
        if (!n) return;
        for (let attempt = 0; !signal.aborted; attempt++) {
          try {
            await this.#registerNode(n);
            await n.lease.renew();
            break;
          } catch (err) {
            if (signal.aborted) return;
            this.#log.warn({ node: n.spec.name, err: (err as Error).message }, 'node registration failed; retrying');
            await sleepOrAbort(Math.min(100 * 2 ** attempt, 5000), signal);
          }
        }
      }
    }));
  }

  /** Creates the Node, or takes over one of the same name (a restarted simulator), then reports status. */
  /** The clientset a node writes with. */
  #client(nodeName: string): Clientset {
    return this.#o.nodeClient?.(nodeName) ?? this.#o.clientset;
  }

  async #registerNode(n: HollowNode): Promise<void> {
    const nodes = this.#client(n.spec.name).resource<Node>('v1', 'nodes');
    const obj = hollowNodeObject(n.spec);
    let current: Node;
    try {
      current = await nodes.create(undefined, obj);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      current = await nodes.patch(undefined, n.spec.name, 'merge', { metadata: { labels: obj.metadata.labels, annotations: obj.metadata.annotations } });
    }
    await nodes.patch(undefined, n.spec.name, 'merge', { status: hollowNodeStatus(n.spec, current.status?.conditions, new Date()) }, { subresource: 'status' });
  }

  async #leaseLoop(n: HollowNode, signal: AbortSignal): Promise<void> {
    const period = this.#o.leaseIntervalMs ?? 10_000;
    // Spread the first renewals over one period, so N nodes do not renew in one burst.
    if (!(await sleepOrAbort(Math.random() * period, signal))) return;
    while (!signal.aborted) {
      try {
        await n.lease.renew();
      } catch (err) {
        if (signal.aborted) return;
        if (!isConflict(err)) this.#log.warn({ node: n.spec.name, err: (err as Error).message }, 'lease renewal failed');
      }
      if (!(await sleepOrAbort(period * (1 + Math.random() * LEASE_JITTER), signal))) return;
    }
  }

  async #statusLoop(n: HollowNode, signal: AbortSignal): Promise<void> {
    const period = this.#o.statusIntervalMs ?? 60_000;
    const nodes = this.#client(n.spec.name).resource<Node>('v1', 'nodes');
    while (await sleepOrAbort(period * (0.9 + Math.random() * 0.2), signal)) {
      try {
        const current = await nodes.get(undefined, n.spec.name);
        await nodes.patch(undefined, n.spec.name, 'merge', { status: hollowNodeStatus(n.spec, current.status?.conditions, new Date()) }, { subresource: 'status' });
      } catch (err) {
        if (signal.aborted) return;
        if (isNotFound(err)) {
          // Someone deleted the Node: register again, as a kubelet does.
          await this.#registerNode(n).catch((e: unknown) => this.#log.warn({ node: n.spec.name, err: (e as Error).message }, 'node re-registration failed'));
          continue;
        }
        this.#log.warn({ node: n.spec.name, err: (err as Error).message }, 'node status update failed');
      }
    }
  }

  #onNode(node: Node): void {
    const n = this.#nodes.get(node.metadata.name ?? '');
    const cidr = node.spec?.podCIDR;
    if (!n || !cidr || n.pool?.cidr === cidr) return;
    n.pool = new PodIpPool(cidr);
    // Pods that waited for the subnet, and addresses pods already hold (a restarted simulator).
    for (const key of n.pods) {
      const p = this.#podInformer?.get(key);
      if (p?.status?.podIP && p.metadata.uid && !p.spec?.hostNetwork) n.pool.occupy(p.metadata.uid, p.status.podIP);
      this.#queue.add(key);
    }
  }

  #onPod(pod: Pod): void {
    const n = this.#nodes.get(pod.spec?.nodeName ?? '');
    if (!n) return;
    const key = objectKeyOf(pod);
    n.pods.add(key);
    if (pod.metadata.deletionTimestamp || needsRunningStatus(pod) || needsCompletion(pod)) this.#queue.add(key);
    else this.#completeAt.delete(pod.metadata.uid ?? '');
  }

  async #runWorkers(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await this.#queue.get();
        if (key === undefined) return;
        try {
          await this.sync(key);
          this.#queue.forget(key);
        } catch (err) {
          if (!signal.aborted) {
            this.#log.warn({ err: (err as Error).message, pod: key }, 'pod sync failed; retrying');
            this.#queue.addRateLimited(key);
          }
        } finally {
          this.#queue.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: this.#o.concurrency ?? 16 }, worker));
  }

  /** Level-triggered: whatever the pod's state, move it one step towards Running (then Succeeded, for a Job's pod) or gone. */
  async sync(key: string): Promise<void> {
    const pod = this.#podInformer?.get(key);
    const n = this.#nodes.get(pod?.spec?.nodeName ?? '');
    if (!pod || !n) return;
    const pods = this.#client(n.spec.name).resource<Pod>('v1', 'pods');
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp) {
      // Nothing to stop: finish the graceful deletion at once, as a kubelet does once its
      // containers are gone (status_manager.go canBeDeleted → Delete with grace 0 and the uid).
      try {
        await pods.delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
        this.podsDeleted += 1;
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
    if (needsCompletion(pod)) {
      await this.#complete(key, pod);
      return;
    }
    if (!needsRunningStatus(pod)) return;
    let podIP = n.spec.internalIP;
    if (!pod.spec?.hostNetwork) {
      if (!n.pool) return; // no podCIDR yet: the node update that brings one queues this pod again
      podIP = n.pool.allocate(pod.metadata.uid!);
    }
    try {
      await pods.patch(ns, name, 'merge', { status: hollowPodStatus(pod, podIP, n.spec.internalIP, new Date()) }, { subresource: 'status' });
      this.podsStarted += 1;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  async #complete(key: string, pod: Pod): Promise<void> {
    const uid = pod.metadata.uid!;
    const now = Date.now();
    let due = this.#completeAt.get(uid);
    if (due === undefined) {
      due = now + Math.random() * (this.#o.podCompleteMaxDelayMs ?? 100);
      this.#completeAt.set(uid, due);
    }
    if (now < due) {
      this.#queue.addAfter(key, due - now);
      return;
    }
    try {
      await this.#client(pod.spec?.nodeName ?? '').resource<Pod>('v1', 'pods').patch(pod.metadata.namespace, pod.metadata.name!, 'merge', { status: hollowCompletedStatus(pod, new Date()) }, { subresource: 'status' });
      this.podsCompleted += 1;
      this.#completeAt.delete(uid);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
