// What a quota's status should say (syncResourceQuota in
// pkg/controller/resourcequota/resource_quota_controller.go and quota.CalculateUsage):
// status.hard is spec.hard in canonical form; status.used is recounted for every name an evaluator
// counts, keeps its last value for names none counts, and holds only names that are hard.
import type { KubeObject } from '../../api/meta.ts';
import { calculateUsage, evaluatorsForNames, type QuotaEvaluator } from '../../api/quota/evaluators.ts';
import { equals, formatList, mask, parseList } from '../../api/quota/resource-list.ts';
import type { ResourceQuota, ResourceQuotaStatus } from '../../api/types/core-v1-policy.ts';

/**
 * The status the quota should have, or undefined when it already has it. `objectsOf` gives the
 * namespace's objects of an evaluator's kind, or undefined for a kind that cannot be listed.
 */
export function desiredStatus(q: ResourceQuota, objectsOf: (ev: QuotaEvaluator) => Iterable<KubeObject> | undefined, now: number): ResourceQuotaStatus | undefined {
  const hard = parseList(q.spec?.hard);
  const hardNames = [...hard.keys()];
  let used = parseList(q.status?.used);
  for (const ev of evaluatorsForNames(hardNames)) {
    const objects = objectsOf(ev);
    if (!objects) continue;
    used = new Map([...used, ...calculateUsage(ev, q, hardNames, objects, now)]);
  }
  used = mask(used, hardNames);
  const dirty = q.status?.hard === undefined || !equals(hard, parseList(q.status.hard)) || !equals(used, parseList(q.status?.used));
  return dirty ? { hard: formatList(hard), used: formatList(used) } : undefined;
}
