// PriorityClass defaults (pkg/apis/scheduling/v1/defaults.go SetDefaults_PriorityClass).
import type { Obj } from './obj.ts';

export function defaultPriorityClass(o: Obj): void {
  o.preemptionPolicy ??= 'PreemptLowerPriority';
  // `value` has no omitempty upstream: a class written without one has value 0.
  o.value ??= 0;
}
