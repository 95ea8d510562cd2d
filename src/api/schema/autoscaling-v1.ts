// autoscaling/v1: the CPU-only HorizontalPodAutoscaler and the Scale subresource body. Mirrors
// staging/src/k8s.io/api/autoscaling/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { int, int64, kind, listKind, obj, ref, str, time } from './dsl.ts';

const P = 'io.k8s.api.autoscaling.v1';
const gvk = (k: string): GVK[] => [{ group: 'autoscaling', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.HorizontalPodAutoscaler`]: kind(gvk('HorizontalPodAutoscaler'), {
    spec: ref(`${P}.HorizontalPodAutoscalerSpec`, 'Desired scaling behaviour.'),
    status: ref(`${P}.HorizontalPodAutoscalerStatus`, 'Observed state.'),
  }, { d: 'Scales a workload between bounds to hold a CPU utilisation target.' }),
  [`${P}.HorizontalPodAutoscalerList`]: listKind(gvk('HorizontalPodAutoscalerList'), `${P}.HorizontalPodAutoscaler`),
  [`${P}.HorizontalPodAutoscalerSpec`]: obj({
    scaleTargetRef: ref(`${P}.CrossVersionObjectReference`, 'The workload to scale.'),
    minReplicas: int('Lowest replica count; defaults to 1.'),
    maxReplicas: int('Highest replica count.'),
    targetCPUUtilizationPercentage: int('Target average CPU use, as a percentage of requested CPU.'),
  }, { d: 'Desired behaviour of a v1 HorizontalPodAutoscaler.', required: ['scaleTargetRef', 'maxReplicas'] }),
  [`${P}.HorizontalPodAutoscalerStatus`]: obj({
    observedGeneration: int64('Most recent generation the autoscaler has acted on.'),
    lastScaleTime: time('When the replica count was last changed.'),
    currentReplicas: int('Current replica count of the target.'),
    desiredReplicas: int('Replica count the autoscaler wants.'),
    currentCPUUtilizationPercentage: int('Current average CPU use, as a percentage of requested CPU.'),
  }, { d: 'Observed state of a v1 HorizontalPodAutoscaler.', required: ['currentReplicas', 'desiredReplicas'] }),
  [`${P}.CrossVersionObjectReference`]: obj({
    kind: str('Kind of the target.'),
    name: str('Name of the target.'),
    apiVersion: str('API version of the target.'),
  }, {
    d: 'Points at an object in the same namespace, in any API version.',
    required: ['kind', 'name'],
    extra: { 'x-kubernetes-map-type': 'atomic' },
  }),

  [`${P}.Scale`]: kind(gvk('Scale'), {
    spec: ref(`${P}.ScaleSpec`, 'Desired scale.'),
    status: ref(`${P}.ScaleStatus`, 'Observed scale.'),
  }, { d: 'The body of a scale subresource.' }),
  [`${P}.ScaleSpec`]: obj({
    replicas: int('Desired number of instances.'),
  }, { d: 'Desired scale.' }),
  [`${P}.ScaleStatus`]: obj({
    replicas: int('Observed number of instances.'),
    selector: str('Label selector of the instances, in query-string form.'),
  }, { d: 'Observed scale.', required: ['replicas'] }),
};
