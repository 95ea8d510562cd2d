// The slice reconciler, as a pure function: given the slices a service has and the endpoints it
// should have (grouped by port set), decide which slices to create, update and delete with the
// least churn (staging/src/k8s.io/endpointslice/reconciler.go reconcileByAddressType and
// reconcileByPortMapping): endpoints stay in the slice that holds them, slices that change anyway
// are filled first, leftovers go to the fullest untouched slice they fit in, and only then to new
// slices; a slice that would be deleted while another is created is reused instead; a service
// without endpoints keeps one empty placeholder slice.
import type { EndpointPort, Endpoint, EndpointSlice, Service } from './types.ts';
import { portsKey } from './endpoint-ports.ts';
import { desiredSliceLabels, labelsEqual, newSlice, ownedBy, setTriggerTime } from './slice-meta.ts';

/** Upstream's --max-endpoints-per-slice default. */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface DesiredGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface ReconcileOptions {
  maxEndpointsPerSlice?: number;
  /** ms since the epoch of the change that led here (endpoints.kubernetes.io/last-change-trigger-time). */
  triggerTime?: number | undefined;
}

/** Identity of an endpoint across syncs: the object behind it and its addresses. */
export function endpointKey(ep: Endpoint): string {
  const t = ep.targetRef;
  return `${t?.kind ?? ''}/${t?.namespace ?? ''}/${t?.name ?? ''}/${ep.addresses.join(',')}`;
}

function canonical(ep: Endpoint): string {
  const c = ep.conditions ?? {};
  const t = ep.targetRef;
  return JSON.stringify([
    ep.addresses, c.ready ?? null, c.serving ?? null, c.terminating ?? null, ep.hostname ?? null, ep.nodeName ?? null, ep.zone ?? null,
    t ? [t.kind ?? null, t.namespace ?? null, t.name ?? null, t.uid ?? null] : null,
  ]);
}

/** Equal in every field the controller sets (fields it does not set, like hints, are ignored). */
export function endpointsEqual(a: Endpoint, b: Endpoint): boolean {
  return canonical(a) === canonical(b);
}

/** Group desired endpoints by port set, keyed by portsKey. */
export function groupByPorts(items: Iterable<{ ports: EndpointPort[]; endpoint: Endpoint }>): Map<string, DesiredGroup> {
  const groups = new Map<string, DesiredGroup>();
  for (const { ports, endpoint } of items) {
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(endpoint);
  }
  return groups;
}

function clone<T>(o: T): T { return structuredClone(o); }

export function reconcileSlices(svc: Service, existing: readonly EndpointSlice[], desired: ReadonlyMap<string, DesiredGroup>, opts: ReconcileOptions = {}): SliceChanges {
  const max = opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
  const changes: SliceChanges = { create: [], update: [], delete: [] };
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    // Slices of another owner (a service deleted and recreated under the same name) or family go.
    if (!ownedBy(s, svc) || s.addressType !== 'IPv4') { changes.delete.push(s); continue; }
    const key = portsKey(s.ports);
    byPorts.set(key, [...(byPorts.get(key) ?? []), s]);
  }
  const labels = desiredSliceLabels(svc);
  for (const key of new Set([...desired.keys(), ...byPorts.keys()])) {
    const group = desired.get(key) ?? { ports: [], endpoints: [] };
    reconcilePortGroup(svc, byPorts.get(key) ?? [], group, labels, max, changes);
  }

  // A service without endpoints still gets one (empty) slice, so consumers can tell "no endpoints"
  // from "not processed yet"; an existing placeholder is kept rather than deleted and recreated.
  if (existing.length === changes.delete.length && changes.create.length === 0) {
    const [only] = changes.delete;
    if (changes.delete.length === 1 && only && isPlaceholder(only, svc, labels)) changes.delete = [];
    else changes.create.push(newSlice(svc, []));
  }

  // Reuse a slice about to be deleted for one about to be created: one update instead of two writes.
  for (let i = 0; i < changes.delete.length && changes.create.length > 0;) {
    const old = changes.delete[i]!;
    if (!ownedBy(old, svc) || old.addressType !== 'IPv4') { i += 1; continue; }
    const fresh = changes.create.shift()!;
    const { generateName: _unused, ...freshMeta } = fresh.metadata;
    changes.update.push({ ...fresh, metadata: { ...old.metadata, ...freshMeta, name: old.metadata.name! } });
    changes.delete.splice(i, 1);
  }

  for (const s of [...changes.create, ...changes.update]) setTriggerTime(s, opts.triggerTime);
  return changes;
}

function isPlaceholder(s: EndpointSlice, svc: Service, labels: Record<string, string>): boolean {
  return ownedBy(s, svc) && s.addressType === 'IPv4' && (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0 && labelsEqual(s.metadata.labels, labels);
}

function reconcilePortGroup(svc: Service, slices: EndpointSlice[], group: DesiredGroup, labels: Record<string, string>, max: number, changes: SliceChanges): void {
  const want = new Map<string, Endpoint>();
  for (const ep of [...group.endpoints].sort((a, b) => (endpointKey(a) < endpointKey(b) ? -1 : 1))) want.set(endpointKey(ep), ep);
  const toUpdate: EndpointSlice[] = [];
  let unchanged: EndpointSlice[] = [];

  // 1. Keep every wanted endpoint where it is; drop the rest; note which slices changed.
  for (const s of slices) {
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of s.endpoints ?? []) {
      const k = endpointKey(ep);
      const got = want.get(k);
      if (!got) { changed = true; continue; }
      kept.push(got);
      if (!endpointsEqual(got, ep)) changed = true;
      want.delete(k);
    }
    if (kept.length === 0) changes.delete.push(s);
    else if (changed || !labelsEqual(s.metadata.labels, labels)) toUpdate.push({ ...clone(s), endpoints: kept, metadata: { ...clone(s.metadata), labels: { ...labels } } });
    else unchanged.push(s);
  }

  const take = (s: EndpointSlice): void => {
    for (const [k, ep] of want) {
      if (s.endpoints.length >= max) return;
      s.endpoints.push(ep);
      want.delete(k);
    }
  };

  // 2. Slices that are written anyway take new endpoints first, the fullest first.
  for (const s of [...toUpdate].sort((a, b) => b.endpoints.length - a.endpoints.length)) take(s);

  // 3. The rest: into the fullest unchanged slice they all fit in, else into new slices.
  while (want.size > 0) {
    let fill: EndpointSlice | undefined;
    if (want.size < max && unchanged.length > 0) {
      const fits = unchanged.filter((s) => s.endpoints.length + want.size <= max).sort((a, b) => b.endpoints.length - a.endpoints.length);
      if (fits[0]) {
        const chosen = fits[0];
        unchanged = unchanged.filter((s) => s !== chosen);
        fill = { ...clone(chosen), metadata: { ...clone(chosen.metadata), labels: { ...labels } } };
        toUpdate.push(fill);
      }
    }
    if (!fill) {
      fill = newSlice(svc, clone(group.ports));
      changes.create.push(fill);
    }
    take(fill);
  }
  changes.update.push(...toUpdate);
}
