// What a DaemonSet's pods must look like and where they may run (pkg/controller/daemon/util/
// daemonset_util.go, and the NodeShouldRunDaemonPod/predicates part of daemon_controller.go).
// A daemon pod carries the tolerations upstream adds to every daemon pod, the labels
// controller-revision-hash and pod-template-generation, and a required node affinity
// `metadata.name In [node]` (matchFields) so the scheduler binds it to its node.
import type { ControllerRevision, DaemonSet, IntOrString, PodTemplateSpec } from '../../api/types/apps-v1.ts';
import type { Affinity, Node, Pod, PodSpec, Taint, Toleration } from '../../api/types/core-v1.ts';
import { podMatchesNodeSelectorAndAffinity } from '../../scheduler/plugins/node-affinity.ts';
import { tolerated } from '../../scheduler/plugins/tolerations.ts';
import { computeHash } from '../deployment/pod-template-hash.ts';
import { goJson } from '../history/controller-history.ts';

export const DAEMON_SET_API_VERSION = 'apps/v1';
export const DAEMON_SET_KIND = 'DaemonSet';
/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey), on pods and revisions. */
export const DAEMON_REVISION_LABEL = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** The apps/v1 home of the deprecated spec.templateGeneration. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
const MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
const PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/**
 * AddOrUpdateDaemonPodTolerations: daemon pods stay through not-ready and unreachable (NoExecute,
 * no tolerationSeconds), node pressure and cordoning; host-network pods also through an
 * unavailable pod network. A toleration of the same key and effect is replaced, not duplicated.
 */
export function addDaemonPodTolerations(spec: PodSpec): void {
  const wanted: Toleration[] = [
    { key: NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) wanted.push({ key: NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  const list = [...(spec.tolerations ?? [])];
  for (const t of wanted) {
    const i = list.findIndex((x) => x.key === t.key && (x.effect ?? '') === t.effect);
    if (i >= 0) list[i] = t;
    else list.push(t);
  }
  spec.tolerations = list;
}

/** GetTemplateGeneration: the deprecated annotation, else the object's generation. */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const a = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (a !== undefined && /^\d+$/.test(a)) return Number(a);
  return ds.metadata.generation;
}

/** CreatePodTemplate: the template with daemon tolerations and the generation and hash labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec.template);
  t.spec ??= { containers: [] };
  addDaemonPodTolerations(t.spec);
  const labels = { ...t.metadata?.labels };
  const gen = templateGeneration(ds);
  if (gen !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(gen);
  if (hash) labels[DAEMON_REVISION_LABEL] = hash;
  t.metadata = { ...t.metadata, labels };
  return t;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the single term
 * `metadata.name In [node]` (the controller already checked the template's own affinity).
 */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const out: Affinity = structuredClone(affinity ?? {});
  out.nodeAffinity = {
    ...out.nodeAffinity,
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
    },
  };
  return out;
}

/** GetTargetNodeName: the bound node, else the single node a matchFields term pins it to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length !== 1) return undefined;
  const f = terms[0]!.matchFields?.find((r) => r.key === 'metadata.name' && r.operator === 'In');
  return f?.values?.length === 1 ? f.values[0] : undefined;
}

/**
 * A pod as the set would make it for `nodeName` (upstream's NewPod), for the predicates only: a
 * shallow copy (it is asked once per node per sync; the predicates only read it).
 */
export function newDaemonPod(ds: DaemonSet, nodeName: string): Pod {
  const spec: PodSpec = { ...(ds.spec.template.spec ?? { containers: [] }) };
  addDaemonPodTolerations(spec);
  spec.nodeName = nodeName;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...ds.spec.template.metadata }, spec };
}

function untolerated(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined, effects: readonly string[]): Taint | undefined {
  return taints.find((t) => effects.includes(t.effect) && !tolerated(tolerations, t));
}

export interface NodeDecision {
  /** A daemon pod should be created here if there is none. */
  shouldRun: boolean;
  /** A daemon pod already here may stay. */
  shouldContinueRunning: boolean;
}

/**
 * NodeShouldRunDaemonPod: the template's nodeName, nodeSelector and required node affinity must
 * match; NoSchedule and NoExecute taints must be tolerated to start a pod, while a running pod is
 * only pushed out by an untolerated NoExecute taint.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeDecision {
  const name = node.metadata.name ?? '';
  const pod = newDaemonPod(ds, name);
  const wantedName = ds.spec.template.spec?.nodeName;
  if (wantedName && wantedName !== name) return { shouldRun: false, shouldContinueRunning: false };
  if (!podMatchesNodeSelectorAndAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  if (untolerated(taints, pod.spec?.tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !untolerated(taints, pod.spec?.tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** IsPodUpdated: the pod carries the set's current hash or template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[DAEMON_REVISION_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** GetValueFromIntOrPercent with rounding up, as the daemon controller uses it. */
export function scaledValue(v: IntOrString | undefined, total: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  if (/^\d+$/.test(v)) return Number(v);
  throw new Error(`invalid value for IntOrString: ${v}`);
}

/** Upstream's defaults when a field is unset (the API server normally fills them). */
export function isRollingUpdate(ds: DaemonSet): boolean {
  return (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** The surge allowed by the strategy, as a count of nodes out of `desired`. */
export function surgeCount(ds: DaemonSet, desired: number): number {
  if (!isRollingUpdate(ds)) return 0;
  return scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxSurge, desired, 0);
}

/**
 * updatedDesiredNodeCounts' limits: maxUnavailable and maxSurge of `desired` nodes, rounded up;
 * both zero would stall the update, so maxUnavailable is then 1.
 */
export function rollingLimits(ds: DaemonSet, desired: number): { maxUnavailable: number; maxSurge: number } {
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired, 1);
  const maxSurge = scaledValue(ru?.maxSurge, desired, 0);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxUnavailable, maxSurge };
}

/**
 * getPatch: the revision snapshot, the template as a strategic merge patch that replaces it whole.
 * Encoding the typed template writes its zero creationTimestamp as null; kept for the same bytes.
 */
export function daemonRevisionPatch(ds: DaemonSet): { spec: { template: Record<string, unknown> } } {
  const template = structuredClone(ds.spec.template) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  template.metadata = { creationTimestamp: null, ...template.metadata };
  template.$patch = 'replace';
  return { spec: { template } };
}

/** Match: the revision stores exactly the set's current template. */
export function revisionMatches(ds: DaemonSet, rev: ControllerRevision): boolean {
  return rev.data !== undefined && goJson(rev.data) === goJson(daemonRevisionPatch(ds));
}

/** The name-hash of a revision for the set (controller.ComputeHash of the template, as upstream). */
export function daemonTemplateHash(ds: DaemonSet, collisionCount: number | undefined): string {
  return computeHash(ds.spec.template, collisionCount);
}

/** podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
export function byCreationThenPhase(a: Pod, b: Pod): number {
  const sa = a.spec?.nodeName ? 0 : 1;
  const sb = b.spec?.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
