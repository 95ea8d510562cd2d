// Resource arithmetic for scheduling: a pod's effective request and a node's allocatable, as
// upstream computes them (k8s.io/component-helpers/resource/helpers.go PodRequests,
// pkg/scheduler/framework/types.go Resource).
import type { Container, Node, Pod, ResourceList } from '../../api/types/core-v1.ts';
import { tryParseQuantity } from '../../api/validation/quantity.ts';

/** cpu in millicores, memory and ephemeral storage in bytes, scalar (extended, hugepages…) in units. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Pod count a node allows (allocatable "pods"); unused for pod requests. */
  allowedPodNumber: number;
  scalar: Map<string, number>;
}

// pkg/scheduler/util/pod_resources.go: what a container without a request counts as when scoring.
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: new Map(r.scalar) };
}

/** Names the scheduler tracks as scalar resources (pkg/scheduler/util IsScalarResourceName). */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  // Extended resources: a domain-qualified name outside kubernetes.io, not a quota "requests." name;
  // prefixed native resources (kubernetes.io/…) are scalar too.
  return name.includes('/') && !name.startsWith('requests.');
}

function quantity(v: string | undefined): number {
  return v === undefined ? 0 : tryParseQuantity(v) ?? 0;
}

/** Add a ResourceList into r (Resource.Add). */
export function addList(r: Resource, list: ResourceList | undefined): void {
  if (!list) return;
  for (const [name, v] of Object.entries(list)) addOne(r, name, quantity(v));
}

function addOne(r: Resource, name: string, q: number): void {
  switch (name) {
    case 'cpu': r.milliCPU += Math.round(q * 1000); break;
    case 'memory': r.memory += q; break;
    case 'ephemeral-storage': r.ephemeralStorage += q; break;
    case 'pods': r.allowedPodNumber += q; break;
    default:
      if (isScalarResourceName(name)) r.scalar.set(name, (r.scalar.get(name) ?? 0) + q);
  }
}

export function addResource(into: Resource, r: Resource, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0) + sign * v);
}

function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

/**
 * A container's requests. The API defaults a missing request to the limit; honour that here too,
 * so objects written without defaulting count the same. With `nonZero`, a missing cpu or memory
 * request counts as the scheduler's defaults (NonMissingContainerRequests).
 */
function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = emptyResource();
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  for (const name of new Set([...Object.keys(req), ...Object.keys(lim)])) {
    const v = req[name] ?? lim[name];
    if (name !== 'pods') addOne(r, name, quantity(v));
  }
  if (nonZero) {
    if (!('cpu' in req) && !('cpu' in lim)) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!('memory' in req) && !('memory' in lim)) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The effective request of a pod: max(sum of app containers plus sidecars, the largest init
 * container step) plus overhead. A sidecar (init container with restartPolicy Always) keeps
 * running, so it adds to the app containers and to every init container that starts after it.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const reqs = emptyResource();
  for (const c of spec?.containers ?? []) addResource(reqs, containerRequests(c, nonZero));
  const restartable = emptyResource();
  const initMax = emptyResource();
  for (const ic of spec?.initContainers ?? []) {
    const cr = containerRequests(ic, nonZero);
    let step: Resource;
    if (ic.restartPolicy === 'Always') {
      addResource(reqs, cr);
      addResource(restartable, cr);
      step = restartable;
    } else {
      step = cloneResource(cr);
      addResource(step, restartable);
    }
    maxInto(initMax, step);
  }
  maxInto(reqs, initMax);
  if (spec?.overhead) addList(reqs, spec.overhead);
  return reqs;
}

/** A node's allocatable (capacity when allocatable is absent, as the kubelet would report). */
export function nodeAllocatable(node: Node): Resource {
  const r = emptyResource();
  addList(r, node.status?.allocatable ?? node.status?.capacity);
  return r;
}
