// Per-kind rules the generic registry follows on create, update and delete: what happens to status,
// when generation moves, how deletion is graceful (the role of each pkg/registry/*/strategy.go).
import type { DeleteOptions, KubeObject } from '../../api/meta.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import type { UserInfo } from '../admission/types.ts';
import { CSR_RESOURCE, prepareCsrForCreate, prepareCsrForUpdate } from './csr-strategy.ts';

type Obj = Record<string, any>;

/** Status set on create for kinds whose status the API user does not write (their strategies' PrepareForCreate). */
const INITIAL_STATUS: Record<string, (o: Obj) => Obj | undefined> = {
  pods: (o) => ({ phase: 'Pending', qosClass: qosClass(o.spec ?? {}) }),
  namespaces: () => ({ phase: 'Active' }),
  persistentvolumes: () => ({ phase: 'Pending' }),
  persistentvolumeclaims: () => ({ phase: 'Pending' }),
  deployments: () => ({}),
  replicasets: () => ({ replicas: 0 }),
  statefulsets: () => ({ replicas: 0, availableReplicas: 0 }),
  daemonsets: () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
  replicationcontrollers: () => ({ replicas: 0 }),
  jobs: () => ({}),
  cronjobs: () => ({}),
  horizontalpodautoscalers: () => ({ desiredReplicas: 0, currentReplicas: 0 }),
  poddisruptionbudgets: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  services: () => ({ loadBalancer: {} }),
  ingresses: () => ({ loadBalancer: {} }),
  resourcequotas: () => undefined,
};

/** Kinds without a spec/status split whose generation upstream leaves unset. */
const NO_GENERATION = new Set(['configmaps', 'secrets', 'serviceaccounts', 'events', 'endpoints', 'endpointslices', 'leases', 'controllerrevisions', 'limitranges', 'namespaces', 'nodes', 'persistentvolumes', 'persistentvolumeclaims', 'storageclasses', 'runtimeclasses', 'ingressclasses', 'resourcequotas', 'services', 'pods']);

export function tracksGeneration(info: ResourceInfo): boolean {
  return !NO_GENERATION.has(info.storage.resource);
}

export function hasStatus(info: ResourceInfo): boolean {
  return info.subresources.includes('status');
}

export function prepareForCreate(info: ResourceInfo, obj: KubeObject, user?: UserInfo): void {
  if (info.storage.resource === CSR_RESOURCE) prepareCsrForCreate(obj, user);
  // A custom resource with a status subresource starts without status (customresource/strategy.go).
  if (info.custom && hasStatus(info)) delete obj.status;
  const init = info.custom ? undefined : INITIAL_STATUS[info.storage.resource];
  if (init) {
    const status = init(obj);
    if (status === undefined) delete obj.status;
    else obj.status = status;
  }
  if (tracksGeneration(info)) obj.metadata.generation = 1;
  else delete obj.metadata.generation;
}

/** Everything but metadata and status: what a change of bumps generation. */
function specPart(o: Obj): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return JSON.stringify(rest);
}

export function specChanged(a: KubeObject, b: KubeObject): boolean {
  return specPart(a) !== specPart(b);
}

/**
 * Shape an update of the main resource or of a subresource from the old object:
 * the main resource cannot change status, the status subresource can change only status.
 */
export function prepareForUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject, subresource: string): KubeObject {
  let next: KubeObject = obj;
  if (info.storage.resource === CSR_RESOURCE) {
    next = prepareCsrForUpdate(obj, old, subresource);
  } else if (subresource === 'status') {
    // Status writes keep the object's spec and metadata; pods also take labels and annotations
    // from them (pkg/registry/core/pod/strategy.go podStatusStrategy vs apps' status strategies).
    next = { ...old, metadata: { ...old.metadata } };
    if (info.storage.resource === 'pods') {
      if (obj.metadata.labels === undefined) delete next.metadata.labels;
      else next.metadata.labels = obj.metadata.labels;
      if (obj.metadata.annotations === undefined) delete next.metadata.annotations;
      else next.metadata.annotations = obj.metadata.annotations;
    }
    if (obj.status === undefined) delete next.status;
    else next.status = obj.status;
    if (obj.metadata.managedFields) next.metadata.managedFields = obj.metadata.managedFields;
  } else if (hasStatus(info) && !(info.storage.resource === 'pods' && subresource === 'binding')) {
    // A binding also sets the PodScheduled condition (pkg/registry/core/pod/storage/storage.go assignPod).
    if (old.status === undefined) delete next.status;
    else next.status = old.status;
  }
  const m = next.metadata;
  const om = old.metadata;
  m.uid = om.uid!;
  m.creationTimestamp = om.creationTimestamp!;
  m.name = om.name!;
  if (om.namespace !== undefined) m.namespace = om.namespace;
  if (om.deletionTimestamp !== undefined) m.deletionTimestamp = om.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  if (tracksGeneration(info)) {
    m.generation = (om.generation ?? 1) + (specChanged(next, old) ? 1 : 0);
  } else if (om.generation !== undefined) m.generation = om.generation;
  else delete m.generation;
  if (info.storage.resource === 'namespaces' && subresource !== 'finalize') {
    // spec.finalizers only change through the finalize subresource.
    next.spec = old.spec;
  }
  if (info.storage.resource === 'namespaces' && subresource === 'finalize') {
    next = { ...old, spec: { ...(old.spec as Obj), finalizers: (obj.spec as Obj | undefined)?.finalizers ?? [] } };
    next.metadata = m;
  }
  return next;
}

/**
 * Seconds a deletion waits before the object goes (pods: for the kubelet to stop containers).
 * 0 means delete now, unless finalizers hold it.
 */
export function gracePeriod(info: ResourceInfo, obj: KubeObject, opts: DeleteOptions): number {
  if (info.storage.resource !== 'pods') return 0;
  const spec = (obj.spec ?? {}) as Obj;
  const status = (obj.status ?? {}) as Obj;
  let grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  // An unscheduled pod, or one whose containers are done, has nothing to stop (pkg/registry/core/pod/strategy.go CheckGracefulDelete).
  if (!spec.nodeName || status.phase === 'Succeeded' || status.phase === 'Failed') grace = 0;
  if (grace < 0) grace = 1;
  return grace;
}

/** QoS class from requests and limits (pkg/apis/core/helper/qos/qos.go). */
export function qosClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: Obj[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = (c.resources?.requests ?? {}) as Record<string, unknown>;
    const lim = (c.resources?.limits ?? {}) as Record<string, unknown>;
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const q = req[r] ?? lim[r];
      if (lim[r] === undefined || String(q) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
