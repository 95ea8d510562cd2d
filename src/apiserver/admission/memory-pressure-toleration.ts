// The memory-pressure toleration upstream's PodTolerationRestriction admission adds
// (plugin/pkg/admission/podtolerationrestriction/admission.go): a pod that is not BestEffort
// tolerates node.kubernetes.io/memory-pressure:NoSchedule, so the node lifecycle controller's
// taint keeps only BestEffort pods off a node short of memory (the kubelet evicts by usage).
import type { Pod, Toleration } from '../../api/types/core-v1.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

export const MEMORY_PRESSURE_TAINT = 'node.kubernetes.io/memory-pressure';

/** BestEffort: no container, init containers included, requests or limits anything. */
export function isBestEffort(spec: NonNullable<Pod['spec']>): boolean {
  return [...(spec.initContainers ?? []), ...spec.containers].every((c) =>
    Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0);
}

/** The tolerations with the memory-pressure one added, or undefined when the pod needs none. */
export function withMemoryPressureToleration(spec: NonNullable<Pod['spec']>): Toleration[] | undefined {
  if (isBestEffort(spec)) return undefined;
  const current = spec.tolerations ?? [];
  const covered = current.some((t) => (!t.key || t.key === MEMORY_PRESSURE_TAINT) && (!t.effect || t.effect === 'NoSchedule') && (t.operator === 'Exists' || !t.key));
  return covered ? undefined : [...current, { key: MEMORY_PRESSURE_TAINT, operator: 'Exists', effect: 'NoSchedule' }];
}

export function memoryPressureToleration(): AdmissionPlugin {
  return {
    name: 'PodTolerationRestriction',
    mutate(a: AdmissionAttributes): void {
      if (a.operation !== 'CREATE' || a.subresource !== '' || a.info.group !== '' || a.info.resource !== 'pods') return;
      const pod = a.object as Pod | undefined;
      if (!pod?.spec?.containers) return;
      const next = withMemoryPressureToleration(pod.spec);
      if (next) pod.spec.tolerations = next;
    },
  };
}
