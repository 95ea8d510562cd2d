// The EndpointSlice controller (pkg/controller/endpointslice/endpointslice_controller.go): for every
// Service with a selector, EndpointSlices holding the pods it selects. Informers on services,
// pods, nodes (zones) and the slices it manages feed a queue of service keys; sync(key) computes
// the desired endpoints and lets the reconciler write the difference.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isNotFound, isStatusError } from '../../api/errors.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { Node, ObjectReference, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { endpointPortsForPod } from './endpoint-ports.ts';
import { podToEndpoint, shouldPodBeInEndpoints } from './pod-endpoint.ts';
import { DEFAULT_MAX_ENDPOINTS_PER_SLICE, groupByPorts, reconcileSlices, type SliceChanges } from './reconcile-slices.ts';
import { labelsChanged, podEndpointsChanged, selects, serviceSelector, servicesSelectingPod } from './service-pods.ts';
import { SliceTracker } from './slice-tracker.ts';
import { TriggerTimeTracker } from './trigger-time-tracker.ts';
import { CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_ZONE, type EndpointPort, type Endpoint, type EndpointSlice, type Service } from './types.ts';

export function serviceRef(svc: Service): ObjectReference {
  return { kind: 'Service', apiVersion: 'v1', namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '', ...(svc.metadata.uid ? { uid: svc.metadata.uid } : {}) };
}

const res = (group: string, resource: string): (typeof RESOURCES)[number] => RESOURCES.find((r) => r.group === group && r.resource === resource && r.preferred)!;
export const SERVICES = res('', 'services');
export const PODS = res('', 'pods');
export const NODES = res('', 'nodes');
export const ENDPOINT_SLICES = res('discovery.k8s.io', 'endpointslices');

/** Upstream's --concurrent-service-endpoint-syncs default. */
const WORKERS = 5;
/** Slice changes made by others are batched this long before a resync (endpointSliceChangeMinSyncDelay). */
const SLICE_CHANGE_DELAY_MS = 1000;

export interface EndpointSliceControllerOptions {
  maxEndpointsPerSlice?: number;
}

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #max: number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 1000, maxDelayMs: 100_000 });
  readonly #tracker = new SliceTracker();
  readonly #triggers = new TriggerTimeTracker();
  readonly #recorder: EventRecorder;
  /** Services whose sync waited for the slice informer to show this controller's writes. */
  readonly #deferred = new Set<string>();
  /** node name → keys of the pods bound to it, so a node event touches only its own pods' services. */
  readonly #podsByNode = new Map<string, Set<string>>();
  #services!: Informer<Service>;
  #pods!: Informer<Pod>;
  #nodes!: Informer<Node>;
  #slices!: Informer<EndpointSlice>;

  constructor(cs: Clientset, log: Logger, opts: EndpointSliceControllerOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#max = opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
    this.#recorder = new EventRecorder({ clientset: cs, component: 'endpoint-slice-controller', host: hostname(), log: this.#log });
  }

  async run(signal: AbortSignal): Promise<void> {
    // Informers are made here, not in the constructor, so a controller switched off starts none.
    this.#services = this.#cs.informer<Service>(SERVICES);
    this.#pods = this.#cs.informer<Pod>(PODS);
    this.#nodes = this.#cs.informer<Node>(NODES);
    this.#slices = this.#cs.informer<EndpointSlice>(ENDPOINT_SLICES, { labelSelector: `${LABEL_MANAGED_BY}=${CONTROLLER_NAME}` });
    const key = (o: { metadata: { namespace?: string; name?: string } }): string => `${o.metadata.namespace}/${o.metadata.name}`;
    this.#services.addHandlers({
      add: (s) => this.#queue.add(key(s)),
      update: (_o, s) => this.#queue.add(key(s)),
      delete: (s) => this.#queue.add(key(s)),
    });
    this.#pods.addHandlers({
      add: (p) => { this.#indexPod(undefined, p); this.#enqueueForPod(p); },
      update: (old, p) => {
        this.#indexPod(old, p);
        if (labelsChanged(old, p)) this.#enqueueForPod(old);
        if (labelsChanged(old, p) || podEndpointsChanged(old, p)) this.#enqueueForPod(p);
      },
      delete: (p) => { this.#indexPod(p, undefined); this.#enqueueForPod(p); },
    });
    // A node's zone is in every endpoint on it, and pods on a node that does not exist are left out.
    this.#nodes.addHandlers({
      add: (n) => this.#enqueueForNode(n),
      update: (old, n) => { if (old.metadata.labels?.[LABEL_ZONE] !== n.metadata.labels?.[LABEL_ZONE]) this.#enqueueForNode(n); },
      delete: (n) => this.#enqueueForNode(n),
    });
    this.#slices.addHandlers({
      add: (s) => this.#onSlice(s, false),
      update: (_o, s) => this.#onSlice(s, false),
      delete: (s) => this.#onSlice(s, true),
    });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([this.#services, this.#pods, this.#nodes, this.#slices].map((i) => i.waitForSync(signal)));
      await runWorkers(this.name, this.#queue, WORKERS, (k) => this.sync(k), this.#log, signal);
    } finally {
      await recorder;
    }
  }

  #enqueueForPod(pod: Pod): void {
    for (const k of servicesSelectingPod(this.#services.values(), pod)) this.#queue.add(k);
  }

  #enqueueForNode(node: Node): void {
    for (const k of this.#podsByNode.get(node.metadata.name ?? '') ?? []) {
      const p = this.#pods.get(k);
      if (p) this.#enqueueForPod(p);
    }
  }

  #indexPod(old: Pod | undefined, pod: Pod | undefined): void {
    const before = old?.spec?.nodeName;
    const now = pod?.spec?.nodeName;
    if (before === now) return;
    const k = `${(old ?? pod)!.metadata.namespace}/${(old ?? pod)!.metadata.name}`;
    if (before) {
      const set = this.#podsByNode.get(before);
      set?.delete(k);
      if (set?.size === 0) this.#podsByNode.delete(before);
    }
    if (now) {
      let set = this.#podsByNode.get(now);
      if (!set) this.#podsByNode.set(now, (set = new Set()));
      set.add(k);
    }
  }

  #onSlice(slice: EndpointSlice, deleted: boolean): void {
    const svcName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    if (!svcName || slice.metadata.labels?.[LABEL_MANAGED_BY] !== CONTROLLER_NAME) return;
    const k = `${slice.metadata.namespace}/${svcName}`;
    const news = this.#tracker.observe(k, slice, deleted);
    if (news) this.#queue.addAfter(k, SLICE_CHANGE_DELAY_MS);
    else if (this.#deferred.has(k) && !this.#tracker.stale(k, this.#cachedSlice(slice.metadata.namespace ?? ''))) {
      this.#deferred.delete(k);
      this.#queue.add(k);
    }
  }

  #cachedSlice(namespace: string): (name: string) => EndpointSlice | undefined {
    return (name) => this.#slices.get(`${namespace}/${name}`);
  }

  async sync(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const svc = this.#services.get(key);
    if (!svc || svc.metadata.deletionTimestamp) {
      // The slices go with the service: the garbage collector follows their owner references.
      this.#triggers.delete(key);
      this.#tracker.forget(key);
      return;
    }
    const selector = serviceSelector(svc);
    // Services without a selector get slices written by others (or mirrored); ExternalName
    // services get none at all (upstream issue 105986).
    if (!selector || svc.spec?.type === 'ExternalName') return;
    if (this.#tracker.stale(key, this.#cachedSlice(namespace))) {
      this.#deferred.add(key);
      this.#queue.addAfter(key, 10_000);
      return;
    }
    this.#deferred.delete(key);

    const pods: Pod[] = [];
    for (const p of this.#pods.values()) if (p.metadata.namespace === namespace && selects(selector, p.metadata.labels)) pods.push(p);
    const items: Array<{ ports: EndpointPort[]; endpoint: Endpoint }> = [];
    const missingNodes = new Set<string>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const node = pod.spec?.nodeName ? this.#nodes.get(pod.spec.nodeName) : undefined;
      // A pod bound to a node that does not exist (any more) is left out until the node shows up
      // or the pod goes, so a lost node cannot keep stale endpoints; publishNotReadyAddresses
      // publishes it anyway (reconciler.go).
      if (pod.spec?.nodeName && !node && svc.spec?.publishNotReadyAddresses !== true) {
        missingNodes.add(pod.spec.nodeName);
        continue;
      }
      const endpoint = podToEndpoint(pod, svc, node);
      if (endpoint.addresses.length === 0) continue;
      items.push({ ports: endpointPortsForPod(svc, pod), endpoint });
    }
    const existing: EndpointSlice[] = [];
    for (const s of this.#slices.values()) if (s.metadata.namespace === namespace && s.metadata.labels?.[LABEL_SERVICE_NAME] === name) existing.push(s);
    const triggerTime = this.#triggers.compute(key, svc, pods);
    const changes = reconcileSlices(svc, existing, groupByPorts(items), { maxEndpointsPerSlice: this.#max, triggerTime });
    try {
      await this.#apply(key, namespace, changes);
      if (missingNodes.size > 0) throw new Error(`skipping pods on node ${[...missingNodes].join(', ')}: not found`);
    } catch (err) {
      this.#recorder.record(serviceRef(svc), 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Creates first, then updates, then deletes, so a service never lacks endpoints in between. */
  async #apply(key: string, namespace: string, changes: SliceChanges): Promise<void> {
    const client = this.#cs.resource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices');
    const errors: unknown[] = [];
    const each = async <T>(list: T[], fn: (x: T) => Promise<void>): Promise<void> => {
      await Promise.all(list.map(async (x) => {
        try {
          await fn(x);
        } catch (err) {
          errors.push(err);
        }
      }));
    };
    await each(changes.create, async (s) => {
      try {
        this.#tracker.wrote(key, await client.create(namespace, s));
      } catch (err) {
        // A terminating namespace refuses new objects; there is nothing left to serve.
        if (isStatusError(err) && err.reason === 'Forbidden') return;
        throw err;
      }
    });
    await each(changes.update, async (s) => { this.#tracker.wrote(key, await client.update(namespace, s)); });
    await each(changes.delete, async (s) => {
      try {
        await client.delete(namespace, s.metadata.name!);
        this.#tracker.deleted(key, s.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
    if (changes.create.length + changes.update.length + changes.delete.length > 0) {
      this.#log.debug({ service: key, created: changes.create.length, updated: changes.update.length, deleted: changes.delete.length }, 'endpoint slices written');
    }
    if (errors.length > 0) throw new Error(`syncing endpoint slices of ${key}: ${errors.map((e) => (e as Error).message).join('; ')}`, { cause: errors[0] });
  }
}
