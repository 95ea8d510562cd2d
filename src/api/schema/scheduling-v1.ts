// scheduling.k8s.io/v1: PriorityClass. Mirrors staging/src/k8s.io/api/scheduling/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { bool, enumStr, int, kind, listKind, str } from './dsl.ts';

const P = 'io.k8s.api.scheduling.v1';
const gvk = (k: string): GVK[] => [{ group: 'scheduling.k8s.io', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.PriorityClass`]: kind(gvk('PriorityClass'), {
    value: int('The priority pods of this class get; higher is more important.'),
    globalDefault: bool('Whether pods without a priorityClassName get this class; only one class may be the default.'),
    description: str('When this class should be used.'),
    preemptionPolicy: enumStr(['PreemptLowerPriority', 'Never'], 'Whether pods of this class may preempt lower-priority pods; defaults to PreemptLowerPriority.'),
  }, { d: 'A mapping from a priority class name to the integer priority of its pods.', required: ['value'] }),
  [`${P}.PriorityClassList`]: listKind(gvk('PriorityClassList'), `${P}.PriorityClass`),
};
