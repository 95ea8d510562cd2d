// A pod's QoS class (pkg/apis/core/helper/qos/qos.go): Guaranteed when every container sets cpu
// and memory limits equal to its requests, BestEffort when none sets any, Burstable otherwise.
import type { PodSpec } from '../../api/types/core-v1.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';

export function qosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...spec.containers, ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      const rq = req[r];
      const lm = lim[r];
      if (rq !== undefined || lm !== undefined) any = true;
      // A request defaults to the limit when only the limit is set.
      if (lm === undefined || (rq !== undefined && parseQuantity(rq) !== parseQuantity(lm))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
