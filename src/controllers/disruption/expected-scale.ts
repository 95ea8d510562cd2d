// The expected number of pods behind a budget: the sum of the scale of the pods' controllers,
// each counted once (pkg/controller/disruption/disruption.go getExpectedScale and its finders).
// ReplicaSets (and the Deployment owning one) come from informers; any other controller
// (StatefulSet, ReplicationController, a custom resource) through its scale subresource.
import { isNotFound } from '../../api/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/meta.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import { controllerRefOf } from '../util/controller-ref.ts';

export interface ScaleSources {
  /** A ReplicaSet from the cache, by ns/name. */
  replicaSet(key: string): (KubeObject & { spec?: { replicas?: number } }) | undefined;
  /** A Deployment from the cache, by ns/name. */
  deployment(key: string): (KubeObject & { spec?: { replicas?: number } }) | undefined;
  /** GET …/scale of the controller a reference names. */
  scale(ref: OwnerReference, namespace: string): Promise<{ metadata: { uid?: string }; spec?: { replicas?: number } }>;
}

export class ExpectedScaleError extends Error {
  readonly code = 'ExpectedScaleError';
  /** Upstream's event reason: NoControllerRef or NoControllers. */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** [uid, scale] of the controller a pod's controllerRef names, or undefined if there is none. */
async function controllerScale(ref: OwnerReference, namespace: string, src: ScaleSources): Promise<[string, number] | undefined> {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  if (ref.kind === 'ReplicaSet' && group === 'apps') {
    const rs = src.replicaSet(`${namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const owner = controllerRefOf(rs);
    if (owner?.kind === 'Deployment') {
      const d = src.deployment(`${namespace}/${owner.name}`);
      if (!d || d.metadata.uid !== owner.uid) return undefined;
      return [owner.uid, d.spec?.replicas ?? 1];
    }
    return [ref.uid, rs.spec?.replicas ?? 1];
  }
  try {
    const scale = await src.scale(ref, namespace);
    if (scale.metadata.uid !== ref.uid) return undefined;
    return [ref.uid, scale.spec?.replicas ?? 0];
  } catch (err) {
    // Kinds without a scale subresource, or gone: no controller found (as upstream's finders).
    if (isNotFound(err) || /unknown kind/.test((err as Error).message)) return undefined;
    throw err;
  }
}

export async function expectedScale(pods: readonly Pod[], src: ScaleSources): Promise<number> {
  const scales = new Map<string, number>();
  const seenRefs = new Set<string>();
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref) throw new ExpectedScaleError('NoControllerRef', `found no controller ref for pod "${pod.metadata.name}"`);
    if (seenRefs.has(ref.uid)) continue;
    const found = await controllerScale(ref, pod.metadata.namespace ?? '', src);
    if (!found) throw new ExpectedScaleError('NoControllers', `found no controllers for pod "${pod.metadata.name}"`);
    seenRefs.add(ref.uid);
    scales.set(found[0], found[1]);
  }
  let n = 0;
  for (const v of scales.values()) n += v;
  return n;
}
