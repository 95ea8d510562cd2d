// The scheduler: informers on pods, nodes, namespaces and services feed a scheduling queue and a
// cache; one pod at a time is placed by the profile's plugins, assumed onto its node and bound in
// the background (pkg/scheduler/scheduler.go, schedule_one.go, eventhandlers.go).
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { Binding, Node, PersistentVolume, PersistentVolumeClaim, Pod, PodCondition } from '../api/types/core-v1.ts';
import type { StorageClass } from '../api/types/storage-v1.ts';
import type { Clientset } from '../client/clientset.ts';
import type { Informer } from '../client/informer.ts';
import { resourcePath, type ResourceClient } from '../client/resource-client.ts';
import { SchedulerCache } from './cache/cache.ts';
import { EventRecorder } from './events/recorder.ts';
import { FitError } from './framework/fit-error.ts';
import { newPodInfo } from './framework/pod-info.ts';
import type { ClusterEvent } from './framework/types.ts';
import { DEFAULT_PROFILE, profileInterest, type Profile } from './profile.ts';
import { podKey, SchedulingQueue, type QueuedPodInfo } from './queue/scheduling-queue.ts';
import { PodScheduler } from './schedule-pod.ts';
import { podClaimNames, podVolumeDecisions, type PodVolumeDecisions } from './plugins/volume-binding.ts';
import { VolumeBinder, VolumeBindingError } from './volume-binder.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  /** Pods whose spec.schedulerName is this (or unset, for the default name) are ours. */
  schedulerName?: string;
  /** Share of nodes to find feasible before scoring; 0 or unset: adaptive, as upstream. */
  percentageOfNodesToScore?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Binds in flight at once before scheduling waits for one to finish. */
  maxInFlightBinds?: number;
  profile?: Profile;
}

interface ServiceObject extends KubeObject { spec?: { selector?: Record<string, string> } }

export class Scheduler {
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #name: string;
  readonly #maxInFlight: number;
  readonly #cache = new SchedulerCache();
  readonly #queue: SchedulingQueue;
  readonly #algorithm: PodScheduler;
  readonly #recorder: EventRecorder;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #namespaces: Informer;
  readonly #services: Informer<ServiceObject>;
  readonly #podClient: ResourceClient<Pod>;
  readonly #claims: Informer<PersistentVolumeClaim>;
  readonly #volumes: Informer<PersistentVolume>;
  readonly #classes: Informer<StorageClass>;
  readonly #volumeBinder: VolumeBinder;
  #signal: AbortSignal = new AbortController().signal;
  readonly #binds = new Set<Promise<void>>();
  #bindFreed: (() => void) | undefined;
  /** Pods bound so far (for benchmarks and logs). */
  bound = 0;

  constructor(cs: Clientset, log: Logger, opts: SchedulerOptions = {}) {
    this.#cs = cs;
    this.#log = log;
    this.#name = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.#maxInFlight = opts.maxInFlightBinds ?? 256;
    const profile = opts.profile ?? DEFAULT_PROFILE;
    this.#queue = new SchedulingQueue({
      interested: profileInterest(profile),
      ...(opts.initialBackoffMs !== undefined ? { initialBackoffMs: opts.initialBackoffMs } : {}),
      ...(opts.maxBackoffMs !== undefined ? { maxBackoffMs: opts.maxBackoffMs } : {}),
    });
    this.#algorithm = new PodScheduler(profile, opts.percentageOfNodesToScore !== undefined ? { percentageOfNodesToScore: opts.percentageOfNodesToScore } : {});
    this.#recorder = new EventRecorder(cs, log, { component: this.#name, busy: () => this.#binds.size > 0 || this.#queue.activeCount > 0 });
    this.#podClient = cs.resource<Pod>('v1', 'pods');
    this.#pods = cs.informer<Pod>(this.#podClient.ref);
    this.#nodes = cs.informer<Node>(cs.resource('v1', 'nodes').ref);
    this.#namespaces = cs.informer(cs.resource('v1', 'namespaces').ref);
    this.#services = cs.informer<ServiceObject>(cs.resource('v1', 'services').ref);
    const claimClient = cs.resource<PersistentVolumeClaim>('v1', 'persistentvolumeclaims');
    const volumeClient = cs.resource<PersistentVolume>('v1', 'persistentvolumes');
    this.#claims = cs.informer<PersistentVolumeClaim>(claimClient.ref);
    this.#volumes = cs.informer<PersistentVolume>(volumeClient.ref);
    this.#classes = cs.informer<StorageClass>(cs.resource('storage.k8s.io/v1', 'storageclasses').ref);
    this.#volumeBinder = new VolumeBinder({ claims: this.#claims, volumes: this.#volumes, classes: this.#classes, claimClient, volumeClient });
    this.#cache.volumes = this.#volumeBinder.lister;
  }

  /** Pending pods by queue (for tests and benchmarks). */
  get queueLengths(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.#queue.activeCount, backoff: this.#queue.backoffCount, unschedulable: this.#queue.unschedulableCount };
  }

  /** No events waiting to be written. */
  get eventsIdle(): boolean { return this.#recorder.idle; }

  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    this.#registerHandlers();
    this.#cs.start(signal);
    try {
      await Promise.all([this.#pods, this.#nodes, this.#namespaces, this.#services, this.#claims, this.#volumes, this.#classes].map((i) => i.waitForSync(signal)));
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    this.#log.info({ nodes: this.#cache.nodeCount, pending: this.#queue.activeCount, name: this.#name }, 'scheduler started');
    const background = [this.#queue.run(signal), this.#recorder.run(signal)];
    try {
      await this.#loop(signal);
    } finally {
      this.#queue.close();
      await Promise.allSettled([...this.#binds]);
      await Promise.all(background);
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let lastYield = performance.now();
    while (!signal.aborted) {
      while (this.#binds.size >= this.#maxInFlight) await new Promise<void>((r) => { this.#bindFreed = r; });
      const qpi = await this.#queue.pop();
      if (!qpi || signal.aborted) return;
      try {
        this.#scheduleOne(qpi);
      } catch (err) {
        this.#log.error({ err, pod: qpi.key }, 'scheduling attempt failed');
        this.#queue.addBackoff(qpi);
      }
      // Popping resolves without a macrotask turn while pods wait: let bind replies and watch
      // events in now and then, or binds would only start once the queue is empty.
      const now = performance.now();
      if (now - lastYield > 5) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  }

  /** Ours, and not held back by scheduling gates (the SchedulingGates PreEnqueue plugin). */
  #responsible(pod: Pod): boolean {
    if ((pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) !== this.#name) return false;
    const gates = (pod.spec as { schedulingGates?: unknown[] } | undefined)?.schedulingGates;
    return !gates?.length;
  }

  #scheduleOne(qpi: QueuedPodInfo): void {
    const pod = this.#pods.get(qpi.key);
    // Gone, bound by someone else, being deleted, handed to another scheduler, or already assumed.
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || !this.#responsible(pod) || this.#cache.isAssumed(qpi.key)) {
      this.#queue.done(qpi.key);
      return;
    }
    qpi.pod = pod;
    const pi = newPodInfo(pod);
    if (pi.parseError) {
      this.#queue.addBackoff(qpi);
      this.#recordFailure(pod, `running PreFilter plugin "InterPodAffinity": ${pi.parseError}`);
      return;
    }
    let node: string;
    try {
      node = this.#algorithm.schedule(pi, this.#cache).node;
    } catch (err) {
      if (!(err instanceof FitError)) throw err;
      this.#queue.addUnschedulable(qpi, err.plugins);
      this.#recordFailure(pod, err.message);
      return;
    }
    // The claims' side of the decision, held until written (AssumePodVolumes).
    let volumes: PodVolumeDecisions | undefined;
    const nodeObj = this.#cache.node(node)?.node;
    if (nodeObj && podClaimNames(pod).length) {
      volumes = podVolumeDecisions(pod, nodeObj, this.#volumeBinder.lister);
      if (!volumes.bindings.length && !volumes.provisions.length) volumes = undefined;
      else this.#volumeBinder.assume(volumes);
    }
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName: node } };
    this.#cache.assumePod({ ...pi, pod: assumed }, node);
    const p = this.#bind(qpi, pod, node, volumes).finally(() => {
      this.#binds.delete(p);
      this.#bindFreed?.();
      this.#bindFreed = undefined;
    });
    this.#binds.add(p);
  }

  async #bind(qpi: QueuedPodInfo, pod: Pod, node: string, volumes: PodVolumeDecisions | undefined): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    if (volumes) {
      // PreBind: the claims are bound before the pod is (VolumeBinding's PreBind).
      try {
        await this.#volumeBinder.bind(volumes, node, this.#signal);
      } catch (err) {
        this.#cache.forgetPod(qpi.key);
        if (!(err instanceof VolumeBindingError) && !this.#signal.aborted) this.#log.warn({ err: (err as Error).message, pod: qpi.key, node }, 'binding volumes failed');
        this.#queue.addBackoff(qpi);
        this.#recordFailure(pod, `running PreBind plugin "VolumeBinding": binding volumes: ${(err as Error).message}`);
        return;
      }
    }
    const body: Binding = {
      apiVersion: 'v1', kind: 'Binding',
      metadata: { name, namespace: ns, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    };
    try {
      await this.#cs.rest.request('POST', resourcePath(this.#podClient.ref, ns, name, 'binding'), { body });
    } catch (err) {
      this.#cache.forgetPod(qpi.key);
      // The pod was deleted or bound elsewhere meanwhile: nothing left to do for it.
      if (isNotFound(err) || (isConflict(err) && /already assigned|being deleted/.test((err as Error).message))) {
        this.#queue.done(qpi.key);
        return;
      }
      this.#log.warn({ err: (err as Error).message, pod: qpi.key, node }, 'binding failed; retrying after backoff');
      this.#queue.addBackoff(qpi);
      this.#recordFailure(pod, `Binding rejected: ${(err as Error).message}`);
      return;
    }
    this.bound++;
    this.#queue.done(qpi.key);
    this.#recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`);
  }

  /** FailedScheduling event and PodScheduled=False (schedule_one.go handleSchedulingFailure). */
  #recordFailure(pod: Pod, message: string): void {
    this.#recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
    const cond: PodCondition = {
      type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null,
      lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    this.#podClient.patch(pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', { status: { conditions: [cond] } }, { subresource: 'status' })
      .catch((err: unknown) => {
        if (!isNotFound(err)) this.#log.debug({ err: (err as Error).message, pod: podKey(pod) }, 'could not update pod status');
      });
  }

  #registerHandlers(): void {
    const assigned = (p: Pod): boolean => !!p.spec?.nodeName;
    const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
    const move = (e: ClusterEvent): void => { this.#queue.moveAllToActiveOrBackoff(e); };
    this.#pods.addHandlers({
      add: (pod) => {
        if (assigned(pod)) {
          if (terminal(pod)) return;
          this.#cache.addOrUpdatePod(pod);
          move('AssignedPodAdd');
        } else if (this.#responsible(pod) && !pod.metadata.deletionTimestamp) {
          this.#queue.add(pod);
        }
      },
      update: (old, pod) => {
        if (assigned(pod)) {
          if (!assigned(old)) this.#queue.delete(old);
          // Pods that finished hold no resources (upstream's informer leaves them out).
          if (terminal(pod)) {
            this.#cache.removePod(pod);
            if (!terminal(old)) move('AssignedPodDelete');
            return;
          }
          this.#cache.addOrUpdatePod(pod);
          move(assigned(old) ? 'AssignedPodUpdate' : 'AssignedPodAdd');
        } else if (this.#responsible(pod) && !pod.metadata.deletionTimestamp) {
          this.#queue.update(old, pod);
        } else {
          this.#queue.delete(pod);
        }
      },
      delete: (pod) => {
        this.#queue.delete(pod);
        if (assigned(pod) || this.#cache.isAssumed(podKey(pod))) {
          this.#cache.removePod(pod);
          move('AssignedPodDelete');
        }
      },
    });
    this.#nodes.addHandlers({
      add: (node) => {
        this.#cache.addOrUpdateNode(node);
        move('NodeAdd');
      },
      update: (old, node) => {
        this.#cache.addOrUpdateNode(node);
        for (const e of nodeChanges(old, node)) move(e);
      },
      delete: (node) => {
        this.#cache.removeNode(node);
        move('NodeDelete');
      },
    });
    this.#namespaces.addHandlers({
      add: (ns) => this.#cache.setNamespace(ns),
      update: (_old, ns) => this.#cache.setNamespace(ns),
      delete: (ns) => this.#cache.removeNamespace(ns),
    });
    // Claims, volumes and classes: what VolumeBinding rejected pods for, and what binds wait on.
    this.#claims.addHandlers({
      add: () => { move('PvcAdd'); this.#volumeBinder.changed(); },
      update: () => { move('PvcUpdate'); this.#volumeBinder.changed(); },
      delete: () => this.#volumeBinder.changed(),
    });
    this.#volumes.addHandlers({
      add: () => { move('PvAdd'); this.#volumeBinder.changed(); },
      update: () => { move('PvUpdate'); this.#volumeBinder.changed(); },
      delete: () => this.#volumeBinder.changed(),
    });
    this.#classes.addHandlers({ add: () => move('StorageClassAdd') });
    const svc = (s: ServiceObject): void => this.#cache.setService(s.metadata.namespace ?? 'default', s.metadata.name ?? '', s.spec?.selector);
    this.#services.addHandlers({
      add: svc,
      update: (_old, s) => svc(s),
      delete: (s) => this.#cache.removeService(s.metadata.namespace ?? 'default', s.metadata.name ?? ''),
    });
  }
}

/** What changed on a node that could let a pod in (eventhandlers.go nodeSchedulingPropertiesChange). */
export function nodeChanges(old: Node, node: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  const j = (v: unknown): string => JSON.stringify(v ?? null);
  if (j(old.status?.allocatable) !== j(node.status?.allocatable)) out.push('NodeAllocatable');
  if (j(old.metadata.labels) !== j(node.metadata.labels)) out.push('NodeLabel');
  if (j(old.spec?.taints) !== j(node.spec?.taints) || !!old.spec?.unschedulable !== !!node.spec?.unschedulable) out.push('NodeTaint');
  const conds = (n: Node): string => j((n.status?.conditions ?? []).map((c) => [c.type, c.status]));
  if (conds(old) !== conds(node)) out.push('NodeCondition');
  return out;
}
