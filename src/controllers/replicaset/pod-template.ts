// A pod from a controller's template (pkg/controller/controller_utils.go: GetPodFromTemplate):
// the template's labels, annotations, finalizers and spec, a generated name `<owner>-`, and the
// controller reference that ties it to its owner.
import type { OwnerReference } from '../../api/meta.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import type { PodTemplateSpec } from '../util/workload-types.ts';

export class PodTemplateError extends Error {
  readonly code = 'PodTemplateError';
}

export function podFromTemplate(template: PodTemplateSpec | undefined, namespace: string, ownerName: string, ref: OwnerReference): Pod {
  const meta = template?.metadata ?? {};
  const labels = { ...meta.labels };
  // A pod without labels could never be matched back to its owner (upstream refuses it the same way).
  if (Object.keys(labels).length === 0) throw new PodTemplateError('unable to create pods, no labels');
  if (!template?.spec) throw new PodTemplateError('unable to create pods, the template has no spec');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ownerName}-`,
      namespace,
      labels,
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: structuredClone(template.spec),
  };
}
