// RuntimeClass admission (plugin/pkg/admission/runtimeclass/admission.go), on pod creation only:
// a pod naming a RuntimeClass that does not exist is refused; the class's overhead.podFixed
// becomes spec.overhead (a client-set overhead that differs is refused, and so is an overhead
// without a class that defines one); scheduling.nodeSelector is merged into the pod's (a key set
// to another value is refused) and scheduling.tolerations are added.
import { forbidden } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Pod, ResourceList, Toleration } from '../../api/types/core-v1.ts';
import type { RuntimeClass } from '../../api/types/node-v1.ts';
import { tryParseQuantity } from '../../api/validation/quantity.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

/**
 * The RuntimeClass of that name, or undefined when there is none: as the watch cache has it now,
 * or, with `fresh`, once the cache has caught up with the store.
 */
export type RuntimeClassGetter = (name: string, fresh: boolean) => Promise<KubeObject | undefined>;

function applies(a: AdmissionAttributes): boolean {
  return a.operation === 'CREATE' && a.subresource === '' && a.info.group === '' && a.info.resource === 'pods';
}

/** admission.NewForbidden: the pod's name, else its generateName, else "Unknown". */
function refuse(a: AdmissionAttributes, pod: Pod, reason: string): Error {
  const name = pod.metadata.name || pod.metadata.generateName || a.name || 'Unknown';
  return forbidden(`pods "${name}" is forbidden: ${reason}`);
}

/** Semantic equality of resource lists: same names, quantities equal by value (1Gi = 1024Mi). */
export function sameResources(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => {
    const x = a?.[k];
    const y = b?.[k];
    if (x === undefined || y === undefined) return false;
    const nx = tryParseQuantity(x);
    const ny = tryParseQuantity(y);
    return nx !== undefined && ny !== undefined ? nx === ny : x === y;
  });
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator || 'Equal') === (b.operator || 'Equal') && (a.value ?? '') === (b.value ?? '')
    && (a.effect ?? '') === (b.effect ?? '') && a.tolerationSeconds === b.tolerationSeconds;
}

/** Does `ss` tolerate everything `t` does (pkg/util/tolerations isSuperset)? */
function isSuperset(ss: Toleration, t: Toleration): boolean {
  if (sameToleration(ss, t)) return true;
  // An empty key with Exists matches every key.
  if ((t.key ?? '') !== (ss.key ?? '') && ((ss.key ?? '') !== '' || ss.operator !== 'Exists')) return false;
  // An empty effect matches every effect.
  if ((t.effect ?? '') !== (ss.effect ?? '') && (ss.effect ?? '') !== '') return false;
  if (ss.effect === 'NoExecute' && ss.tolerationSeconds !== undefined) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds > ss.tolerationSeconds) return false;
  }
  if (ss.operator === 'Exists') return true;
  return (t.operator || 'Equal') === 'Equal' && (t.value ?? '') === (ss.value ?? '');
}

/**
 * The pod's tolerations plus the class's; of two where one tolerates all the other does, only the
 * broader is kept, and of equal ones the first (pkg/util/tolerations MergeTolerations).
 */
export function mergeTolerations(first: readonly Toleration[], second: readonly Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => isSuperset(m, t))) return;
    if (all.slice(i + 1).some((later) => !sameToleration(t, later) && isSuperset(later, t))) return;
    merged.push(t);
  });
  return merged;
}

export function runtimeClassAdmission(getRuntimeClass: RuntimeClassGetter): AdmissionPlugin {
  const lookup = async (a: AdmissionAttributes, pod: Pod): Promise<RuntimeClass | undefined> => {
    const name = pod.spec?.runtimeClassName;
    if (!name) return undefined;
    // A miss may be a cache that lags a class just created: look again once it caught up, as
    // upstream's plugin falls back from its lister to a live GET.
    const rc = ((await getRuntimeClass(name, false)) ?? (await getRuntimeClass(name, true))) as RuntimeClass | undefined;
    if (!rc) throw refuse(a, pod, `pod rejected: RuntimeClass "${name}" not found`);
    return rc;
  };
  return {
    name: 'RuntimeClass',
    async mutate(a: AdmissionAttributes): Promise<void> {
      if (!applies(a)) return;
      const pod = a.object as Pod | undefined;
      if (!pod?.spec) return;
      const rc = await lookup(a, pod);
      if (!rc) return;
      const podFixed = rc.overhead?.podFixed;
      if (podFixed) {
        const current = pod.spec.overhead;
        if (current && Object.keys(current).length > 0 && !sameResources(podFixed, current)) {
          throw refuse(a, pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
        }
        pod.spec.overhead = { ...podFixed };
      }
      const scheduling = rc.scheduling;
      if (!scheduling) return;
      const selector = scheduling.nodeSelector ?? {};
      if (Object.keys(selector).length > 0) {
        const merged = { ...(pod.spec.nodeSelector ?? {}) };
        for (const [key, value] of Object.entries(selector)) {
          const podValue = merged[key];
          if (podValue !== undefined && podValue !== value) {
            throw refuse(a, pod, `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${value}; pod.spec.nodeSelector[${key}] = ${podValue}`);
          }
          merged[key] = value;
        }
        pod.spec.nodeSelector = merged;
      }
      if (scheduling.tolerations && scheduling.tolerations.length > 0) {
        pod.spec.tolerations = mergeTolerations(pod.spec.tolerations ?? [], scheduling.tolerations);
      }
    },
    async validate(a: AdmissionAttributes): Promise<void> {
      if (!applies(a)) return;
      const pod = a.object as Pod | undefined;
      if (!pod?.spec) return;
      const rc = await lookup(a, pod);
      const podFixed = rc?.overhead?.podFixed;
      if (podFixed) {
        if (!sameResources(podFixed, pod.spec.overhead)) {
          throw refuse(a, pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
        }
      } else if (pod.spec.overhead !== undefined) {
        throw refuse(a, pod, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
      }
    },
  };
}
