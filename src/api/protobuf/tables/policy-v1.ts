// Wire tables for k8s.io/api policy/v1 (release-1.36 field numbers): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const policyV1: PackageTable = {
  proto: 'k8s.io.api.policy.v1',
  alias: 'policy',
  messages: {
    Eviction: ['1 metadata meta.ObjectMeta', '2 deleteOptions *meta.DeleteOptions'],
    PodDisruptionBudget: ['1 metadata meta.ObjectMeta', '2 spec PodDisruptionBudgetSpec', '3 status PodDisruptionBudgetStatus'],
    PodDisruptionBudgetSpec: [
      '1 minAvailable *IntOrString', '2 selector *meta.LabelSelector', '3 maxUnavailable *IntOrString',
      '4 unhealthyPodEvictionPolicy *string',
    ],
    PodDisruptionBudgetStatus: [
      '1 observedGeneration int64', '2 disruptedPods {Time}', '3 disruptionsAllowed *int32', '4 currentHealthy *int32',
      '5 desiredHealthy *int32', '6 expectedPods *int32', '7 conditions meta.Condition[]',
    ],
  },
};
