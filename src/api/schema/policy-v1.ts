// policy/v1: PodDisruptionBudget and the Eviction subresource body. Mirrors
// staging/src/k8s.io/api/policy/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import {
  arr, CONDITION, enumStr, int, int64, intOrString, kind, LABEL_SELECTOR, listKind, mapOf, obj, ref, time,
} from './dsl.ts';
import { DELETE_OPTIONS } from './meta.ts';

const P = 'io.k8s.api.policy.v1';
const gvk = (k: string): GVK[] => [{ group: 'policy', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.PodDisruptionBudget`]: kind(gvk('PodDisruptionBudget'), {
    spec: ref(`${P}.PodDisruptionBudgetSpec`, 'Desired disruption limits.'),
    status: ref(`${P}.PodDisruptionBudgetStatus`, 'Observed state.'),
  }, { d: 'Limits how many pods of a set voluntary disruptions may take down at once.' }),
  [`${P}.PodDisruptionBudgetList`]: listKind(gvk('PodDisruptionBudgetList'), `${P}.PodDisruptionBudget`),
  [`${P}.PodDisruptionBudgetSpec`]: obj({
    minAvailable: intOrString('Pods (count or percentage) that must stay available after an eviction.'),
    selector: {
      ...ref(LABEL_SELECTOR, 'Pods the budget covers; empty selects every pod in the namespace.'),
      'x-kubernetes-patch-strategy': 'replace',
    },
    maxUnavailable: intOrString('Pods (count or percentage) that may be unavailable after an eviction; excludes minAvailable.'),
    unhealthyPodEvictionPolicy: enumStr(['IfHealthyBudget', 'AlwaysAllow'], 'When pods that are running but not ready may be evicted.'),
  }, { d: 'Desired behaviour of a PodDisruptionBudget.' }),
  [`${P}.PodDisruptionBudgetStatus`]: obj({
    observedGeneration: int64('Most recent generation the controller has acted on.'),
    disruptedPods: mapOf(time(), 'Pods being evicted that the controller has not yet seen go, with the eviction time.'),
    disruptionsAllowed: int('Evictions currently allowed.'),
    currentHealthy: int('Healthy pods right now.'),
    desiredHealthy: int('Fewest healthy pods the budget requires.'),
    expectedPods: int('Pods the budget counts.'),
    conditions: arr(ref(CONDITION), { d: 'Latest observations, e.g. DisruptionAllowed.', mergeKey: 'type' }),
  }, {
    d: 'Observed state of a PodDisruptionBudget.',
    required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'],
  }),

  [`${P}.Eviction`]: kind(gvk('Eviction'), {
    deleteOptions: ref(DELETE_OPTIONS, 'Options for the pod deletion the eviction triggers.'),
  }, { d: 'Asks for a pod to be deleted while honouring disruption budgets; metadata names the pod.' }),
};
