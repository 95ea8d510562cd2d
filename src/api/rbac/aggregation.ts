// The rules an aggregated ClusterRole should hold (pkg/controller/clusterroleaggregation
// clusterroleaggregation_controller.go): the rules of every other ClusterRole whose labels match
// one of its selectors, in selector order and then name order, each rule once.
import { labelSelectorFromMeta, matchesLabels } from '../selectors/labels.ts';
import type { ClusterRole, PolicyRule } from '../types/rbac-v1.ts';

export function aggregatedRules(role: ClusterRole, all: Iterable<ClusterRole>): PolicyRule[] {
  const candidates = [...all].filter((r) => r.metadata.name !== role.metadata.name)
    .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const selector of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const expr = labelSelectorFromMeta(selector);
    for (const r of candidates) {
      if (!matchesLabels(expr, r.metadata.labels)) continue;
      for (const rule of r.rules ?? []) {
        const key = canonical(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        rules.push(rule);
      }
    }
  }
  return rules;
}

function canonical(r: PolicyRule): string {
  return JSON.stringify([r.verbs, r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);
}

export function sameRules(a: readonly PolicyRule[] | null | undefined, b: readonly PolicyRule[]): boolean {
  const x = a ?? [];
  return x.length === b.length && x.every((r, i) => canonical(r) === canonical(b[i]!));
}
