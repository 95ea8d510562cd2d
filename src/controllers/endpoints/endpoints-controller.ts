// The Endpoints controller (pkg/controller/endpoint/endpoints_controller.go): the legacy core/v1
// Endpoints of the same name as each Service with a selector. Computed from the pods directly, as
// upstream does, rather than mirrored from the slices: it reacts as soon as a pod changes, without
// waiting for the slice controller's writes to come back through an informer, and its rules differ
// (terminating pods left out, ports resolved per port). The pure parts are shared with the slice
// controller (../endpointslice/pod-endpoint.ts, endpoint-ports.ts).
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound, isStatusError } from '../../api/errors.ts';
import { RESOURCES } from '../../api/scheme.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { PODS, SERVICES } from '../endpointslice/endpointslice-controller.ts';
import { labelsChanged, podEndpointsChanged, selects, serviceSelector, servicesSelectingPod } from '../endpointslice/service-pods.ts';
import { setTriggerTime } from '../endpointslice/slice-meta.ts';
import { TriggerTimeTracker } from '../endpointslice/trigger-time-tracker.ts';
import { ANNOTATION_TRIGGER_TIME, LABEL_HEADLESS, LABEL_SKIP_MIRROR, type Endpoints, type Service } from '../endpointslice/types.ts';
import { ANNOTATION_OVER_CAPACITY, endpointsSubsets, subsetsEqual, truncateSubsets } from './endpoints-subsets.ts';

const ENDPOINTS = RESOURCES.find((r) => r.group === '' && r.resource === 'endpoints')!;
/** Upstream's --concurrent-endpoint-syncs default. */
const WORKERS = 5;

/** The service's labels, plus the ones saying the mirroring controller must not copy it and whether it is headless. */
export function desiredEndpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  labels[LABEL_SKIP_MIRROR] = 'true';
  if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  else delete labels[LABEL_HEADLESS];
  return labels;
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a?.[k] === b[k]);
}

export class EndpointsController implements Controller {
  readonly name = 'endpoint';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 1000, maxDelayMs: 100_000 });
  readonly #triggers = new TriggerTimeTracker();
  readonly #recorder: EventRecorder;
  #services!: Informer<Service>;
  #pods!: Informer<Pod>;
  #endpoints!: Informer<Endpoints>;

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#recorder = new EventRecorder({ clientset: cs, component: 'endpoint-controller', host: hostname(), log: this.#log });
  }

  async run(signal: AbortSignal): Promise<void> {
    // Informers are made here, not in the constructor, so a controller switched off starts none.
    this.#services = this.#cs.informer<Service>(SERVICES);
    this.#pods = this.#cs.informer<Pod>(PODS);
    this.#endpoints = this.#cs.informer<Endpoints>(ENDPOINTS);
    const key = (o: { metadata: { namespace?: string; name?: string } }): string => `${o.metadata.namespace}/${o.metadata.name}`;
    this.#services.addHandlers({
      add: (s) => this.#queue.add(key(s)),
      update: (_o, s) => this.#queue.add(key(s)),
      delete: (s) => this.#queue.add(key(s)),
    });
    const forPod = (p: Pod): void => { for (const k of servicesSelectingPod(this.#services.values(), p)) this.#queue.add(k); };
    this.#pods.addHandlers({
      add: forPod,
      update: (old, p) => {
        if (labelsChanged(old, p)) forPod(old);
        if (labelsChanged(old, p) || podEndpointsChanged(old, p)) forPod(p);
      },
      delete: forPod,
    });
    // Someone deleted the Endpoints of a service that has a selector: write them again.
    this.#endpoints.addHandlers({ delete: (ep) => { if (this.#services.get(key(ep))) this.#queue.add(key(ep)); } });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([this.#services, this.#pods, this.#endpoints].map((i) => i.waitForSync(signal)));
    } catch {
      await recorder;
      return;
    }
    // Endpoints this controller wrote for services deleted while it was not running (upstream's
    // checkLeftoverEndpoints; it looks at every Endpoints, this only at the ones marked as written
    // by a controller, so hand-written ones without a service stay).
    for (const ep of this.#endpoints.values()) {
      if (ep.metadata.labels?.[LABEL_SKIP_MIRROR] === 'true' && !this.#services.get(key(ep))) this.#queue.add(key(ep));
    }
    await runWorkers(this.name, this.#queue, WORKERS, (k) => this.sync(k), this.#log, signal);
    await recorder;
  }

  async sync(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const client = this.#cs.resource<Endpoints>('v1', 'endpoints');
    const svc = this.#services.get(key);
    if (!svc) {
      // The service is gone: so are its Endpoints (they have no owner reference to collect them by).
      this.#triggers.delete(key);
      try {
        if (this.#endpoints.get(key)) await client.delete(namespace, name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    const selector = serviceSelector(svc);
    // Without a selector the Endpoints are the user's to write.
    if (!selector || svc.metadata.deletionTimestamp) return;

    const pods: Pod[] = [];
    for (const p of this.#pods.values()) if (p.metadata.namespace === namespace && selects(selector, p.metadata.labels)) pods.push(p);
    const subsets = endpointsSubsets(svc, pods);
    const truncated = truncateSubsets(subsets);
    const triggerTime = this.#triggers.compute(key, svc, pods);
    const labels = desiredEndpointsLabels(svc);
    const current = this.#endpoints.get(key);
    if (current && subsetsEqual(current.subsets, subsets) && sameLabels(current.metadata.labels, labels)
      && (current.metadata.annotations?.[ANNOTATION_OVER_CAPACITY] === 'truncated') === truncated) return;

    // No subsets at all rather than an empty list, as upstream's nil slice serializes.
    const next: Endpoints = current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    if (subsets.length > 0) next.subsets = subsets;
    else delete next.subsets;
    next.metadata.labels = labels;
    setTriggerTime(next, triggerTime);
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (truncated) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
    else delete annotations[ANNOTATION_OVER_CAPACITY];
    if (Object.keys(annotations).length > 0) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;
    try {
      if (current) await client.update(namespace, next);
      else await client.create(namespace, next);
    } catch (err) {
      // A terminating namespace takes nothing new; a create that lost a race retries from the cache.
      if (!current && isStatusError(err) && err.reason === 'Forbidden') return;
      if (isAlreadyExists(err)) this.#log.debug({ service: key }, 'endpoints exist already; retrying from the cache');
      else {
        // On the Endpoints themselves, as upstream (they need not exist yet for the event to name them).
        const ref = { kind: 'Endpoints', apiVersion: 'v1', namespace, name, ...(current?.metadata.uid ? { uid: current.metadata.uid } : {}) };
        this.#recorder.record(ref, 'Warning', current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', current ? `Failed to update endpoint ${key}: ${(err as Error).message}` : `Failed to create endpoint for service ${key}: ${(err as Error).message}`);
      }
      throw err;
    }
    this.#log.debug({ service: key, trigger: next.metadata.annotations?.[ANNOTATION_TRIGGER_TIME] }, 'endpoints written');
  }
}
