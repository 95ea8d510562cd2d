// What each kind costs a quota, shared by quota admission and the quota controller
// (k8s.io/kubernetes/pkg/quota/v1/evaluator/core: pods.go, services.go,
// persistent_volume_claims.go, registry.go; k8s.io/apiserver/pkg/quota/v1/generic/evaluator.go).
import type { KubeObject } from '../meta.ts';
import type { Container, Pod, PersistentVolumeClaim, ResourceList } from '../types/core-v1.ts';
import type { ResourceQuota, ScopedResourceSelectorRequirement } from '../types/core-v1-policy.ts';
import { cmp, max, quantity, roundUpToUnit, type Quantity } from './quantity.ts';
import { add, parseList, type Usage } from './resource-list.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface QuotaEvaluator {
  readonly group: string;
  readonly resource: string;
  /** Whether an admission request of this operation and subresource can change usage. */
  handles(op: Operation, subresource: string, obj?: KubeObject, old?: KubeObject): boolean;
  /** The names among `names` this kind is charged for. */
  matchingResources(names: readonly string[]): string[];
  /** Whether the object falls in a scope (kinds without scopes match none). */
  matchesScope(sel: ScopedResourceSelectorRequirement, obj: KubeObject): boolean;
  usage(obj: KubeObject, now: number): Usage;
  /** Why the object cannot be admitted under a quota naming `required`, or undefined. */
  constraints(required: readonly string[], obj: KubeObject): string | undefined;
}

/** count/<resource>[.<group>] (generic.ObjectCountQuotaResourceNameFor). */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** The quota's scopes and scope selector as one list of requirements. */
export function scopeSelectors(q: ResourceQuota): ScopedResourceSelectorRequirement[] {
  return [
    ...(q.spec?.scopes ?? []).map((scopeName): ScopedResourceSelectorRequirement => ({ scopeName, operator: 'Exists' })),
    ...(q.spec?.scopeSelector?.matchExpressions ?? []),
  ];
}

/** Whether a quota applies to an object: it limits something the kind is charged for, and every scope matches. */
export function quotaMatches(ev: QuotaEvaluator, q: ResourceQuota, obj: KubeObject): boolean {
  if (ev.matchingResources(Object.keys(q.status?.hard ?? {})).length === 0) return false;
  return scopeSelectors(q).every((s) => ev.matchesScope(s, obj));
}

// ---- object counts ----

function objectCountEvaluator(group: string, resource: string, alias?: string): QuotaEvaluator {
  const names = [objectCountName(group, resource), ...(alias ? [alias] : [])];
  return {
    group, resource,
    handles: (op) => op === 'CREATE',
    matchingResources: (input) => input.filter((n) => names.includes(n)),
    matchesScope: () => false,
    usage: () => new Map(names.map((n) => [n, quantity(1)])),
    constraints: () => undefined,
  };
}

// ---- pods ----

const POD_RESOURCES = new Set(['count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods']);
/** Quotas on these oblige every container to set them (the backward-compatibility rule in pods.go). */
const VALIDATION_SET = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

const isNativeResource = (n: string): boolean => !n.includes('/') || n.includes('kubernetes.io/');
const isExtendedResource = (n: string): boolean => !isNativeResource(n) && !n.startsWith('requests.');

function computeUsage(requests: Usage, limits: Usage): Usage {
  const out: Usage = new Map([['pods', quantity(1)]]);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const req = requests.get(r);
    if (req) { out.set(r, req); out.set(`requests.${r}`, req); }
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [r, q] of requests) {
    if (r.startsWith('hugepages-')) { out.set(r, q); out.set(`requests.${r}`, q); }
    if (isExtendedResource(r)) out.set(`requests.${r}`, q);
  }
  return out;
}

function maxList(a: Usage, b: Usage): Usage {
  const out: Usage = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    out.set(k, cur ? max(cur, v) : v);
  }
  return out;
}

/** The pod's effective requests or limits: containers and sidecars summed, init containers as a floor, overhead added (pkg/api/v1/resource PodRequests/PodLimits). */
export function podResources(pod: Pod, field: 'requests' | 'limits', withOverhead = true): Usage {
  const spec = pod.spec;
  let sum: Usage = new Map();
  for (const c of spec?.containers ?? []) sum = add(sum, parseList(c.resources?.[field]));
  let sidecars: Usage = new Map();
  let initFloor: Usage = new Map();
  for (const c of spec?.initContainers ?? []) {
    const r = parseList(c.resources?.[field]);
    let tmp: Usage;
    if (c.restartPolicy === 'Always') {
      sum = add(sum, r);
      sidecars = add(sidecars, r);
      tmp = sidecars;
    } else {
      tmp = add(r, sidecars);
    }
    initFloor = maxList(initFloor, tmp);
  }
  let out = maxList(sum, initFloor);
  if (withOverhead && spec?.overhead) {
    // Overhead counts only toward limits that are set (limits), and always toward requests.
    const oh = parseList(spec.overhead);
    out = field === 'requests' ? add(out, oh) : add(out, new Map([...oh].filter(([k]) => out.has(k))));
  }
  return out;
}

/** BestEffort: no container requests or limits any cpu or memory (pkg/apis/core/v1/helper/qos). */
export function isBestEffort(pod: Pod): boolean {
  const all: Container[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of all) {
    for (const list of [c.resources?.requests, c.resources?.limits]) {
      for (const [k, q] of parseList(list)) if ((k === 'cpu' || k === 'memory') && q.nanos > 0n) return false;
    }
  }
  return true;
}

function isTerminating(pod: Pod): boolean {
  const d = pod.spec?.activeDeadlineSeconds;
  return typeof d === 'number' && d >= 0;
}

/** Whether a pod still counts for compute quota: not finished, and not stuck past its deletion grace (QuotaV1Pod). */
export function podCountsForQuota(pod: Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const del = pod.metadata.deletionTimestamp;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (del && typeof grace === 'number' && now > Date.parse(del) + grace * 1000) return false;
  return true;
}

function selectorMatches(sel: ScopedResourceSelectorRequirement, value: string | undefined): boolean {
  switch (sel.operator) {
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'In': return value !== undefined && (sel.values ?? []).includes(value);
    case 'NotIn': return value === undefined || !(sel.values ?? []).includes(value);
    default: return false;
  }
}

function crossNamespaceAffinity(pod: Pod): boolean {
  const aff = pod.spec?.affinity as Record<string, any> | undefined;
  const crosses = (t: Record<string, any> | undefined): boolean => !!t && ((t.namespaces?.length ?? 0) > 0 || t.namespaceSelector != null);
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = aff?.[kind];
    if (!a) continue;
    if ((a.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(crosses)) return true;
    if ((a.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((w: Record<string, any>) => crosses(w.podAffinityTerm))) return true;
  }
  return false;
}

export const podEvaluator: QuotaEvaluator = {
  group: '', resource: 'pods',
  handles: (op, subresource) => subresource === '' && op === 'CREATE',
  matchingResources: (input) => input.filter((n) => POD_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || (!isNativeResource(n) && n.startsWith('requests.'))),
  matchesScope(sel, obj) {
    const pod = obj as Pod;
    switch (sel.scopeName) {
      case 'Terminating': return isTerminating(pod);
      case 'NotTerminating': return !isTerminating(pod);
      case 'BestEffort': return isBestEffort(pod);
      case 'NotBestEffort': return !isBestEffort(pod);
      case 'PriorityClass': return selectorMatches(sel, pod.spec?.priorityClassName || undefined);
      case 'CrossNamespacePodAffinity': return crossNamespaceAffinity(pod);
      default: return false;
    }
  },
  usage(obj, now) {
    const pod = obj as Pod;
    const out: Usage = new Map([['count/pods', quantity(1)]]);
    if (!podCountsForQuota(pod, now)) return out;
    return add(out, computeUsage(podResources(pod, 'requests'), podResources(pod, 'limits')));
  },
  constraints(required, obj) {
    const pod = obj as Pod;
    const req = required.filter((r) => VALIDATION_SET.has(r));
    if (req.length === 0) return undefined;
    const missing = new Map<string, Set<string>>();
    for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      const have = computeUsage(parseList(c.resources?.requests), parseList(c.resources?.limits));
      for (const r of req) {
        if (have.has(r)) continue;
        let names = missing.get(r);
        if (!names) missing.set(r, names = new Set());
        names.add(c.name);
      }
    }
    if (missing.size === 0) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
};

// ---- services ----

const SERVICE_RESOURCES = new Set(['count/services', 'services', 'services.nodeports', 'services.loadbalancers']);

export const serviceEvaluator: QuotaEvaluator = {
  group: '', resource: 'services',
  handles: (op, subresource) => subresource === '' && (op === 'CREATE' || op === 'UPDATE'),
  matchingResources: (input) => input.filter((n) => SERVICE_RESOURCES.has(n)),
  matchesScope: () => false,
  usage(obj) {
    const spec = (obj.spec ?? {}) as { type?: string; ports?: Array<{ nodePort?: number }>; allocateLoadBalancerNodePorts?: boolean };
    const ports = spec.ports?.length ?? 0;
    const out: Usage = new Map([['count/services', quantity(1)], ['services', quantity(1)], ['services.loadbalancers', quantity(0)], ['services.nodeports', quantity(0)]]);
    if (spec.type === 'NodePort') out.set('services.nodeports', quantity(ports));
    else if (spec.type === 'LoadBalancer') {
      const explicit = (spec.ports ?? []).filter((p) => p.nodePort).length;
      out.set('services.nodeports', quantity(spec.allocateLoadBalancerNodePorts === false ? explicit : ports));
      out.set('services.loadbalancers', quantity(1));
    }
    return out;
  },
  constraints: () => undefined,
};

/** NodePort or LoadBalancer counts; anything else does not (GetQuotaServiceType). */
export function quotaServiceType(svc: KubeObject): string {
  const t = (svc.spec as { type?: string } | undefined)?.type;
  return t === 'NodePort' || t === 'LoadBalancer' ? t : '';
}

// ---- persistent volume claims ----

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const PVC_RESOURCES = ['persistentvolumeclaims', 'requests.storage'];

function pvcClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc.spec?.storageClassName ?? '';
}

function pvcStorage(pvc: PersistentVolumeClaim): Quantity | undefined {
  const req = parseList(pvc.spec?.resources?.requests).get('storage');
  const allocated = parseList((pvc.status as { allocatedResources?: ResourceList } | undefined)?.allocatedResources).get('storage');
  let out = req ? roundUpToUnit(req) : undefined;
  if (out && allocated && cmp(allocated, out) > 0) out = roundUpToUnit(allocated);
  return out;
}

export const pvcEvaluator: QuotaEvaluator = {
  group: '', resource: 'persistentvolumeclaims',
  handles(op, subresource, obj, old) {
    if (subresource === '') return op === 'CREATE' || op === 'UPDATE';
    if (subresource !== 'status' || !obj || !old) return false;
    const a = parseList((obj.status as { allocatedResources?: ResourceList } | undefined)?.allocatedResources).get('storage');
    const b = parseList((old.status as { allocatedResources?: ResourceList } | undefined)?.allocatedResources).get('storage');
    return (a === undefined) !== (b === undefined) || (!!a && !!b && cmp(a, b) !== 0);
  },
  matchingResources: (input) => input.filter((n) => n === 'count/persistentvolumeclaims' || PVC_RESOURCES.includes(n) || PVC_RESOURCES.some((r) => n.endsWith(STORAGE_CLASS_SUFFIX + r))),
  matchesScope: () => false,
  usage(obj) {
    const pvc = obj as PersistentVolumeClaim;
    const out: Usage = new Map([['persistentvolumeclaims', quantity(1)], ['count/persistentvolumeclaims', quantity(1)]]);
    const cls = pvcClass(pvc);
    if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, quantity(1));
    const storage = pvcStorage(pvc);
    if (storage) {
      out.set('requests.storage', storage);
      if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
    }
    return out;
  },
  constraints: () => undefined,
};

// ---- registry ----

const LEGACY_ALIASES: Record<string, string> = {
  configmaps: 'configmaps', resourcequotas: 'resourcequotas', replicationcontrollers: 'replicationcontrollers', secrets: 'secrets',
};

const SPECIAL = new Map<string, QuotaEvaluator>([['/pods', podEvaluator], ['/services', serviceEvaluator], ['/persistentvolumeclaims', pvcEvaluator]]);
const generic = new Map<string, QuotaEvaluator>();

/** The evaluator of a group/resource: a special one, or object counting (with the legacy alias for four core kinds). */
export function evaluatorFor(group: string, resource: string): QuotaEvaluator {
  const key = `${group}/${resource}`;
  const special = SPECIAL.get(key);
  if (special) return special;
  let ev = generic.get(key);
  if (!ev) {
    ev = objectCountEvaluator(group, resource, group === '' ? LEGACY_ALIASES[resource] : undefined);
    generic.set(key, ev);
  }
  return ev;
}

/** The group/resource a quota resource name is about, for the names that are not the special kinds' own. */
export function countedResource(name: string): { group: string; resource: string } | undefined {
  if (name.startsWith('count/')) {
    const rest = name.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
  }
  return LEGACY_ALIASES[name] ? { group: '', resource: name } : undefined;
}

/** Every evaluator a quota's hard names involve, special ones included. */
export function evaluatorsForNames(names: readonly string[]): QuotaEvaluator[] {
  const out = new Map<string, QuotaEvaluator>();
  for (const ev of SPECIAL.values()) if (ev.matchingResources(names).length) out.set(`${ev.group}/${ev.resource}`, ev);
  for (const n of names) {
    const gr = countedResource(n);
    if (gr) {
      const ev = evaluatorFor(gr.group, gr.resource);
      out.set(`${ev.group}/${ev.resource}`, ev);
    }
  }
  return [...out.values()];
}

/**
 * Usage of a set of objects of one kind against a quota's hard names and scopes
 * (generic.CalculateUsageStats): every matched name starts at zero, then each object in every scope adds.
 */
export function calculateUsage(ev: QuotaEvaluator, q: ResourceQuota, hardNames: readonly string[], objects: Iterable<KubeObject>, now: number): Usage {
  const names = ev.matchingResources(hardNames);
  let used: Usage = new Map(names.map((n) => [n, quantity(0)]));
  if (names.length === 0) return used;
  const selectors = scopeSelectors(q);
  for (const o of objects) {
    if (!selectors.every((s) => ev.matchesScope(s, o))) continue;
    used = add(used, ev.usage(o, now));
  }
  const keep = new Set(names);
  for (const k of [...used.keys()]) if (!keep.has(k)) used.delete(k);
  return used;
}
