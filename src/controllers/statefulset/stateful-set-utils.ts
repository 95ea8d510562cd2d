// What a StatefulSet's pods, claims and revisions must look like (pkg/controller/statefulset/
// stateful_set_utils.go): stable names NAME-ORDINAL from spec.ordinals.start, the pod-name and
// pod-index labels, hostname and subdomain for the headless Service's DNS, one claim per volume
// claim template named TEMPLATE-NAME-ORDINAL, the claims' owner references that carry the
// persistentVolumeClaimRetentionPolicy, and the revision snapshot (a strategic merge patch that
// replaces the pod template).
import type { OwnerReference } from '../../api/meta.ts';
import type { ControllerRevision, PersistentVolumeClaimRetentionPolicyType, StatefulSet, StatefulSetStatus } from '../../api/types/apps-v1.ts';
import type { PersistentVolumeClaim, Pod, Volume } from '../../api/types/core-v1.ts';
import { scaledValue } from '../deployment/rollout-math.ts';
import { newControllerRevision } from '../history/controller-history.ts';
import { podFromTemplate } from '../replicaset/pod-template.ts';
import { newControllerRef } from '../util/controller-ref.ts';
import { isPodAvailable, isPodReady } from '../util/pod-status.ts';

export const STATEFUL_SET_API_VERSION = 'apps/v1';
export const STATEFUL_SET_KIND = 'StatefulSet';
/** apps.StatefulSetPodNameLabel */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** apps.StatefulSetRevisionLabel (also the DaemonSet's ControllerRevisionHashLabelKey). */
export const REVISION_LABEL = 'controller-revision-hash';

const ORDINAL_RE = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: ['', -1] for a name that is not PARENT-ORDINAL (or an ordinal past int32). */
export function parentAndOrdinal(pod: Pod): [string, number] {
  const m = ORDINAL_RE.exec(pod.metadata.name ?? '');
  if (!m) return ['', -1];
  const n = Number(m[2]);
  return [m[1]!, Number.isSafeInteger(n) && n <= 0x7fffffff ? n : -1];
}

export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod)[1];
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec.replicas ?? 1;
}

/** The last ordinal (inclusive) the set keeps. */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

export function inOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function claimName(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
}

export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod)[0] === set.metadata.name;
}

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const [parent, ordinal] = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === podName(set, ordinal)
    && pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name;
}

/** The pod's volumes cover every claim template with the right claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const v = volumes.get(t.metadata.name ?? '');
    if (v?.persistentVolumeClaim?.claimName !== claimName(set, t, ordinal)) return false;
  }
  return true;
}

/** getPersistentVolumeClaims: template name → the claim the pod of `ordinal` uses. */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const meta = t.metadata;
    const claim: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(set, t, ordinal),
        namespace: set.metadata.namespace ?? 'default',
        // The selector's labels go on the claims too, so they can be found by the set's selector.
        labels: { ...meta.labels, ...set.spec.selector.matchLabels },
        ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      },
      ...(t.spec ? { spec: structuredClone(t.spec) } : {}),
    };
    out.set(meta.name ?? '', claim);
  }
  return out;
}

/** updateStorage: the templates' claims as volumes, replacing same-named volumes of the pod. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = claimsFor(set, ordinalOf(pod));
  const volumes: Volume[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata.name ?? '' } });
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...pod.spec!, volumes };
}

/** updateIdentity: name, namespace, the pod-name and pod-index labels. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace ?? 'default';
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** initIdentity: hostname and subdomain as well, which a pod can only get at creation. */
function initIdentity(set: StatefulSet, pod: Pod): void {
  updateIdentity(set, pod);
  pod.spec = { ...pod.spec!, hostname: pod.metadata.name ?? '' };
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  else delete pod.spec.subdomain;
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return isPodAvailable(pod, minReadySeconds, now);
}

/** Known to the API server (a pod this sync only means to create has no phase). */
export function isCreated(pod: Pod): boolean {
  return Boolean(pod.status?.phase);
}

export function isPending(pod: Pod): boolean {
  return pod.status?.phase === 'Pending';
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

export function isTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata.deletionTimestamp);
}

export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/** Not available for minReadySeconds, or going away. */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, now) || isTerminating(pod);
}

/** Parallel pod management lets creates and deletes go at once, in any order. */
export function allowsBurst(set: StatefulSet): boolean {
  return set.spec.podManagementPolicy === 'Parallel';
}

export function podRevision(pod: Pod): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? '';
}

function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels = { ...pod.metadata.labels, [REVISION_LABEL]: revision };
}

/** newStatefulSetPod: the template's pod with the identity and storage of `ordinal`. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const ref = newControllerRef(set, STATEFUL_SET_API_VERSION, STATEFUL_SET_KIND);
  const pod = podFromTemplate(set.spec.template, set.metadata.namespace ?? 'default', set.metadata.name ?? '', ref);
  pod.metadata.name = podName(set, ordinal);
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: below the partition (or, with no rollingUpdate, below the current
 * replicas) a new pod gets the current revision, otherwise the update revision. The condition keeps
 * upstream's operator precedence: the partition clause holds whatever the strategy type.
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec.updateStrategy;
  const ru = strategy?.rollingUpdate;
  const start = startOrdinal(currentSet);
  const useCurrent = ((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && ru === undefined && ordinal < start + (currentSet.status?.currentReplicas ?? 0))
    || (ru !== undefined && ordinal < start + (ru.partition ?? 0));
  const pod = newStatefulSetPod(useCurrent ? currentSet : updateSet, ordinal);
  setPodRevision(pod, useCurrent ? currentRevision : updateRevision);
  return pod;
}

/**
 * getPatch: the snapshot a revision stores, a strategic merge patch replacing the pod template.
 * Upstream encodes the typed object, which writes the template's zero creationTimestamp as null;
 * it is written the same way here so the bytes (and the hash) follow the same shape.
 */
export function revisionPatch(set: StatefulSet): { spec: { template: Record<string, unknown> } } {
  const template = structuredClone(set.spec.template) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  template.metadata = { creationTimestamp: null, ...template.metadata };
  template.$patch = 'replace';
  return { spec: { template } };
}

/** newRevision: the snapshot of `set` as revision number `revision`, with the set's annotations. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision({ object: set, apiVersion: STATEFUL_SET_API_VERSION, kind: STATEFUL_SET_KIND }, set.spec.template.metadata?.labels, revisionPatch(set), revision, collisionCount);
  if (set.metadata.annotations) cr.metadata.annotations = { ...set.metadata.annotations };
  return cr;
}

/** Null members dropped, as a strategic merge patch deletes the keys it sets to null. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
    return out;
  }
  return v;
}

/**
 * ApplyRevision: the set with the revision's template. The snapshot replaces the whole template
 * ($patch: replace), so applying it is taking its template in place of the set's.
 */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const clone = structuredClone(set);
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = data?.spec?.template;
  if (template) {
    const t = dropNulls(template) as Record<string, unknown>;
    delete t.$patch;
    clone.spec.template = t;
  }
  return clone;
}

export function retentionPolicy(set: StatefulSet): { whenDeleted: PersistentVolumeClaimRetentionPolicyType; whenScaled: PersistentVolumeClaimRetentionPolicyType } {
  const p = set.spec.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? 'Retain', whenScaled: p?.whenScaled ?? 'Retain' };
}

interface Named { metadata: { name?: string; uid?: string } }
const SET_GVK = { apiVersion: STATEFUL_SET_API_VERSION, kind: STATEFUL_SET_KIND };
const POD_GVK = { apiVersion: 'v1', kind: 'Pod' };

/** matchesRef: same apiVersion, kind and name (the uid may differ: a stale reference). */
function matchesRef(ref: OwnerReference, obj: Named, gvk: { apiVersion: string; kind: string }): boolean {
  return ref.apiVersion === gvk.apiVersion && ref.kind === gvk.kind && ref.name === obj.metadata.name;
}

function hasOwnerRef(target: PersistentVolumeClaim, owner: Named): boolean {
  return owner.metadata.uid !== undefined && (target.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
}

/** A reference naming the object whose uid is another: left by an earlier object of that name. */
export function hasStaleOwnerRef(target: PersistentVolumeClaim, obj: Named, gvk: { apiVersion: string; kind: string }): boolean {
  const ref = (target.metadata.ownerReferences ?? []).find((r) => matchesRef(r, obj, gvk));
  return ref !== undefined && ref.uid !== obj.metadata.uid;
}

export function hasStalePodRef(claim: PersistentVolumeClaim, pod: Pod): boolean {
  return hasStaleOwnerRef(claim, pod, POD_GVK);
}

/** With a Delete policy, another controller of the claim (or a stale reference to us) means hands off. */
export function hasUnexpectedController(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const policy = retentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const ref of claim.metadata.ownerReferences ?? []) {
    if (matchesRef(ref, set, SET_GVK)) {
      if (ref.uid !== set.metadata.uid) return true;
      continue;
    }
    if (matchesRef(ref, pod, POD_GVK)) {
      if (ref.uid !== pod.metadata.uid) return true;
      continue;
    }
    if (ref.controller === true) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => (r.uid === set.metadata.uid || (pod.metadata.uid !== undefined && r.uid === pod.metadata.uid)) && r.controller !== true);
}

/**
 * isClaimOwnerUpToDate: Retain/Retain no reference; Delete on set deletion a reference to the set;
 * Delete on scale-down a reference to the pod once it is condemned (both: the set while the pod is
 * in range, the pod after). Claims in a state this controller did not make are left alone.
 */
export function isClaimOwnerUpToDate(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  if (hasStaleOwnerRef(claim, set, SET_GVK) || hasStaleOwnerRef(claim, pod, POD_GVK)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  const onSet = hasOwnerRef(claim, set);
  const onPod = hasOwnerRef(claim, pod);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Delete') return onSet && !onPod;
  if (policy.whenScaled === 'Delete' && policy.whenDeleted === 'Retain') return !onSet && scaledDown === onPod;
  if (policy.whenScaled === 'Delete' && policy.whenDeleted === 'Delete') return scaledDown !== onSet && scaledDown === onPod;
  return !onSet && !onPod;
}

/** updateClaimOwnerRefForSetAndPod: the claim's references rewritten for the policy (a copy). */
export function claimWithPolicyRefs(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): PersistentVolumeClaim {
  const out = structuredClone(claim);
  const unexpected = hasUnexpectedController(claim, set, pod);
  let refs = (claim.metadata.ownerReferences ?? []).filter((r) => !matchesRef(r, set, SET_GVK) && !matchesRef(r, pod, POD_GVK));
  if (!unexpected) {
    const policy = retentionPolicy(set);
    const scaledDown = !inOrdinalRange(pod, set);
    const add = (owner: Named, gvk: { apiVersion: string; kind: string }): void => {
      if (!owner.metadata.uid || refs.some((r) => r.uid === owner.metadata.uid)) return;
      refs = [...refs, newControllerRef(owner as Pod, gvk.apiVersion, gvk.kind)];
    };
    if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Delete') add(set, SET_GVK);
    else if (policy.whenScaled === 'Delete' && policy.whenDeleted === 'Retain') {
      if (scaledDown) add(pod, POD_GVK);
    } else if (policy.whenScaled === 'Delete' && policy.whenDeleted === 'Delete') {
      if (scaledDown) add(pod, POD_GVK);
      else add(set, SET_GVK);
    }
  }
  if (refs.length > 0) out.metadata.ownerReferences = refs;
  else delete out.metadata.ownerReferences;
  return out;
}

/** getStatefulSetMaxUnavailable: int or percent of the replicas rounded down, at least 1. */
export function maxUnavailableOf(set: StatefulSet): number {
  const n = scaledValue(set.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, replicasOf(set), false);
  return Math.max(1, n);
}

/** inconsistentStatus: whether the computed status says anything the stored one does not. */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const s = set.status;
  return (status.observedGeneration ?? 0) > (s?.observedGeneration ?? 0)
    || status.replicas !== (s?.replicas ?? 0)
    || (status.currentReplicas ?? 0) !== (s?.currentReplicas ?? 0)
    || (status.readyReplicas ?? 0) !== (s?.readyReplicas ?? 0)
    || (status.updatedReplicas ?? 0) !== (s?.updatedReplicas ?? 0)
    || (status.currentRevision ?? '') !== (s?.currentRevision ?? '')
    || (status.availableReplicas ?? 0) !== (s?.availableReplicas ?? 0)
    || (status.updateRevision ?? '') !== (s?.updateRevision ?? '')
    || (status.collisionCount ?? 0) !== (s?.collisionCount ?? 0);
}

/** completeRollingUpdate: every replica updated and ready makes the update revision current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  const replicas = replicasOf(set);
  if ((set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
    && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision ?? '';
  }
}
