// DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds/admission.go): a pod
// created without a toleration for the not-ready or unreachable NoExecute taints gets one for
// 300 s, so a pod outlives a short node outage but is evicted from a node that stays down.
import type { Pod, Toleration } from '../../api/types/core-v1.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface DefaultTolerationSecondsOptions {
  /** --default-not-ready-toleration-seconds (300). */
  notReadySeconds?: number;
  /** --default-unreachable-toleration-seconds (300). */
  unreachableSeconds?: number;
}

/** Whether some toleration already speaks for NoExecute taints with `key` (an empty key or effect matches all). */
function covers(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
}

/** The tolerations with the defaults added where missing, or undefined when none are. */
export function withDefaultTolerations(tolerations: readonly Toleration[] | undefined, o: DefaultTolerationSecondsOptions = {}): Toleration[] | undefined {
  const current = tolerations ?? [];
  const added: Toleration[] = [];
  if (!covers(current, NOT_READY)) added.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: o.notReadySeconds ?? DEFAULT_TOLERATION_SECONDS });
  if (!covers(current, UNREACHABLE)) added.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: o.unreachableSeconds ?? DEFAULT_TOLERATION_SECONDS });
  return added.length ? [...current, ...added] : undefined;
}

export function defaultTolerationSeconds(o: DefaultTolerationSecondsOptions = {}): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    mutate(a: AdmissionAttributes): void {
      // Upstream admits only pod creations: updates may not change tolerations this way.
      if (a.operation !== 'CREATE' || a.subresource !== '' || a.info.group !== '' || a.info.resource !== 'pods') return;
      const pod = a.object as Pod | undefined;
      if (!pod?.spec) return;
      const next = withDefaultTolerations(pod.spec.tolerations, o);
      if (next) pod.spec.tolerations = next;
    },
  };
}
