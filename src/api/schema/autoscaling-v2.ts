// autoscaling/v2: HorizontalPodAutoscaler with arbitrary metrics and scaling behaviour. Mirrors
// staging/src/k8s.io/api/autoscaling/v2/types.go.
import type { Definitions, GVK, Schema } from './dsl.ts';
import {
  arr, enumStr, int, int64, kind, LABEL_SELECTOR, listKind, obj, quantity, ref, str, time,
} from './dsl.ts';

const P = 'io.k8s.api.autoscaling.v2';
const gvk = (k: string): GVK[] => [{ group: 'autoscaling', version: 'v2', kind: k }];
const METRIC_TYPES = ['Object', 'Pods', 'Resource', 'ContainerResource', 'External'];

const metricId = (): Schema => ref(`${P}.MetricIdentifier`, 'The metric.');
const target = (): Schema => ref(`${P}.MetricTarget`, 'Target value of the metric.');
const current = (): Schema => ref(`${P}.MetricValueStatus`, 'Current value of the metric.');

export const definitions: Definitions = {
  [`${P}.HorizontalPodAutoscaler`]: kind(gvk('HorizontalPodAutoscaler'), {
    spec: ref(`${P}.HorizontalPodAutoscalerSpec`, 'Desired scaling behaviour.'),
    status: ref(`${P}.HorizontalPodAutoscalerStatus`, 'Observed state.'),
  }, { d: 'Scales a workload between bounds to hold one or more metric targets.' }),
  [`${P}.HorizontalPodAutoscalerList`]: listKind(gvk('HorizontalPodAutoscalerList'), `${P}.HorizontalPodAutoscaler`),
  [`${P}.HorizontalPodAutoscalerSpec`]: obj({
    scaleTargetRef: ref(`${P}.CrossVersionObjectReference`, 'The workload to scale.'),
    minReplicas: int('Lowest replica count; defaults to 1.'),
    maxReplicas: int('Highest replica count.'),
    metrics: arr(ref(`${P}.MetricSpec`), { d: 'Metrics to hold; the largest replica count any of them asks for wins.', listType: 'atomic' }),
    behavior: ref(`${P}.HorizontalPodAutoscalerBehavior`, 'Scale-up and scale-down tuning.'),
  }, { d: 'Desired behaviour of a HorizontalPodAutoscaler.', required: ['scaleTargetRef', 'maxReplicas'] }),
  [`${P}.CrossVersionObjectReference`]: obj({
    kind: str('Kind of the target.'),
    name: str('Name of the target.'),
    apiVersion: str('API version of the target.'),
  }, { d: 'Points at an object in the same namespace, in any API version.', required: ['kind', 'name'] }),

  [`${P}.MetricSpec`]: obj({
    type: enumStr(METRIC_TYPES, 'Which of the source fields is set.'),
    object: ref(`${P}.ObjectMetricSource`, 'A metric describing one Kubernetes object.'),
    pods: ref(`${P}.PodsMetricSource`, 'A metric averaged over the target\'s pods.'),
    resource: ref(`${P}.ResourceMetricSource`, 'A resource (cpu, memory) of the target\'s pods.'),
    containerResource: ref(`${P}.ContainerResourceMetricSource`, 'A resource of one container in each pod.'),
    external: ref(`${P}.ExternalMetricSource`, 'A metric from outside the cluster.'),
  }, { d: 'One metric to scale on.', required: ['type'] }),
  [`${P}.ObjectMetricSource`]: obj({
    describedObject: ref(`${P}.CrossVersionObjectReference`, 'Object the metric describes.'),
    target: target(),
    metric: metricId(),
  }, { d: 'A metric of a single object.', required: ['describedObject', 'target', 'metric'] }),
  [`${P}.PodsMetricSource`]: obj({
    metric: metricId(),
    target: target(),
  }, { d: 'A per-pod metric averaged across pods.', required: ['metric', 'target'] }),
  [`${P}.ResourceMetricSource`]: obj({
    name: str('Resource name.'),
    target: target(),
  }, { d: 'A resource metric of the target\'s pods.', required: ['name', 'target'] }),
  [`${P}.ContainerResourceMetricSource`]: obj({
    name: str('Resource name.'),
    target: target(),
    container: str('Container whose usage counts.'),
  }, { d: 'A resource metric of one container in the target\'s pods.', required: ['name', 'target', 'container'] }),
  [`${P}.ExternalMetricSource`]: obj({
    metric: metricId(),
    target: target(),
  }, { d: 'A metric not tied to any Kubernetes object.', required: ['metric', 'target'] }),
  [`${P}.MetricIdentifier`]: obj({
    name: str('Metric name.'),
    selector: ref(LABEL_SELECTOR, 'Narrows the metric by its labels.'),
  }, { d: 'Identifies a metric.', required: ['name'] }),
  [`${P}.MetricTarget`]: obj({
    type: enumStr(['Utilization', 'Value', 'AverageValue'], 'Which of the value fields is used.'),
    value: quantity('Target total value.'),
    averageValue: quantity('Target value averaged over pods.'),
    averageUtilization: int('Target average use as a percentage of requests.'),
  }, { d: 'Target value of a metric.', required: ['type'] }),

  [`${P}.HorizontalPodAutoscalerBehavior`]: obj({
    scaleUp: ref(`${P}.HPAScalingRules`, 'Rules for scaling up.'),
    scaleDown: ref(`${P}.HPAScalingRules`, 'Rules for scaling down.'),
  }, { d: 'Tuning for scaling in each direction.' }),
  [`${P}.HPAScalingRules`]: obj({
    stabilizationWindowSeconds: int('Look-back window of past recommendations used to avoid flapping.'),
    selectPolicy: enumStr(['Max', 'Min', 'Disabled'], 'How to pick among the policies.'),
    policies: arr(ref(`${P}.HPAScalingPolicy`), { d: 'Allowed changes per period.', listType: 'atomic' }),
    tolerance: quantity('Relative difference from the target that is ignored.'),
  }, { d: 'Scaling rules for one direction.' }),
  [`${P}.HPAScalingPolicy`]: obj({
    type: enumStr(['Pods', 'Percent'], 'Unit of value.'),
    value: int('Largest change allowed per period.'),
    periodSeconds: int('Length of the period.'),
  }, { d: 'A limit on how fast the replica count may change.', required: ['type', 'value', 'periodSeconds'] }),

  [`${P}.HorizontalPodAutoscalerStatus`]: obj({
    observedGeneration: int64('Most recent generation the autoscaler has acted on.'),
    lastScaleTime: time('When the replica count was last changed.'),
    currentReplicas: int('Current replica count of the target.'),
    desiredReplicas: int('Replica count the autoscaler wants.'),
    currentMetrics: arr(ref(`${P}.MetricStatus`), { d: 'Last read values of the metrics.', listType: 'atomic' }),
    conditions: arr(ref(`${P}.HorizontalPodAutoscalerCondition`), {
      d: 'Latest observations of the autoscaler\'s state.',
      mergeKey: 'type',
    }),
  }, { d: 'Observed state of a HorizontalPodAutoscaler.', required: ['desiredReplicas'] }),
  [`${P}.HorizontalPodAutoscalerCondition`]: obj({
    type: str('Condition type, e.g. AbleToScale.'),
    status: enumStr(['True', 'False', 'Unknown'], 'Whether the condition holds.'),
    lastTransitionTime: time('When status last changed.'),
    reason: str('CamelCase reason for the last transition.'),
    message: str('Human-readable detail about the last transition.'),
  }, { d: 'One observed aspect of an autoscaler.', required: ['type', 'status'] }),
  [`${P}.MetricStatus`]: obj({
    type: enumStr(METRIC_TYPES, 'Which of the source fields is set.'),
    object: ref(`${P}.ObjectMetricStatus`, 'Status of an object metric.'),
    pods: ref(`${P}.PodsMetricStatus`, 'Status of a pods metric.'),
    resource: ref(`${P}.ResourceMetricStatus`, 'Status of a resource metric.'),
    containerResource: ref(`${P}.ContainerResourceMetricStatus`, 'Status of a container resource metric.'),
    external: ref(`${P}.ExternalMetricStatus`, 'Status of an external metric.'),
  }, { d: 'Last read value of one metric.', required: ['type'] }),
  [`${P}.ObjectMetricStatus`]: obj({
    metric: metricId(),
    current: current(),
    describedObject: ref(`${P}.CrossVersionObjectReference`, 'Object the metric describes.'),
  }, { d: 'Current value of an object metric.', required: ['metric', 'current', 'describedObject'] }),
  [`${P}.PodsMetricStatus`]: obj({
    metric: metricId(),
    current: current(),
  }, { d: 'Current value of a pods metric.', required: ['metric', 'current'] }),
  [`${P}.ResourceMetricStatus`]: obj({
    name: str('Resource name.'),
    current: current(),
  }, { d: 'Current value of a resource metric.', required: ['name', 'current'] }),
  [`${P}.ContainerResourceMetricStatus`]: obj({
    name: str('Resource name.'),
    current: current(),
    container: str('Container whose usage counts.'),
  }, { d: 'Current value of a container resource metric.', required: ['name', 'current', 'container'] }),
  [`${P}.ExternalMetricStatus`]: obj({
    metric: metricId(),
    current: current(),
  }, { d: 'Current value of an external metric.', required: ['metric', 'current'] }),
  [`${P}.MetricValueStatus`]: obj({
    value: quantity('Current total value.'),
    averageValue: quantity('Current value averaged over pods.'),
    averageUtilization: int('Current average use as a percentage of requests.'),
  }, { d: 'A metric\'s current value.' }),
};
