// The taints a node's conditions call for (pkg/controller/nodelifecycle/
// node_lifecycle_controller.go doNoScheduleTaintingPass and doNoExecuteTaintingPass):
// NoSchedule ones for Ready False/Unknown, the pressure conditions, NetworkUnavailable and
// spec.unschedulable; NoExecute not-ready/unreachable for Ready False/Unknown, unless the whole
// zone is down (upstream's full disruption: evicting everything would help no one).
import type { Node, Taint } from '../../api/types/core-v1.ts';
import { readyCondition, readyStatus } from './node-health.ts';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Condition type → status → taint key (upstream's nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Record<string, Partial<Record<string, string>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};

/** Every taint key this controller owns, with the effect it manages. */
function owned(t: Taint): boolean {
  if (t.effect === 'NoSchedule') return t.key === TAINT_UNSCHEDULABLE || Object.values(CONDITION_TAINTS).some((m) => Object.values(m).includes(t.key));
  return t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE);
}

/** The controller-managed taints the node should carry (without timeAdded). */
export function desiredTaints(node: Node, zoneFullyDisrupted: boolean): Taint[] {
  const out: Taint[] = [];
  // Only conditions the node has: until the kubelet posts Ready (or the startup grace runs out
  // and this controller writes Unknown) the kubelet's own registration taint speaks for it.
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = readyCondition(node)?.status ?? 'True';
  if (ready !== 'True' && !zoneFullyDisrupted) out.push({ key: ready === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE, effect: 'NoExecute' });
  return out;
}

/**
 * The node's taints with the managed ones brought to `desired`: others' taints and the
 * timeAdded of taints that stay are kept, new ones get `now`. Undefined when nothing changes.
 */
export function reconcileTaints(current: readonly Taint[] | undefined, desired: readonly Taint[], now: string): Taint[] | undefined {
  const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;
  const kept = (current ?? []).filter((t) => !owned(t) || desired.some((d) => same(d, t)));
  const added = desired.filter((d) => !kept.some((t) => same(d, t))).map((d) => ({ ...d, timeAdded: now }));
  if (added.length === 0 && kept.length === (current ?? []).length) return undefined;
  return [...kept, ...added];
}

/** Zone of a node, for disruption accounting (upstream's utilnode.GetZoneKey). */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels ?? {};
  return `${l['topology.kubernetes.io/region'] ?? ''}\x00${l['topology.kubernetes.io/zone'] ?? ''}`;
}

/** Zones where no node is Ready (upstream's FullDisruption state). */
export function fullyDisruptedZones(nodes: Iterable<Node>): Set<string> {
  const ready = new Set<string>();
  const seen = new Set<string>();
  for (const n of nodes) {
    const z = zoneKey(n);
    seen.add(z);
    if (readyStatus(n) === 'True') ready.add(z);
  }
  return new Set([...seen].filter((z) => !ready.has(z)));
}
