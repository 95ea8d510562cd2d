import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterRole } from '../types/rbac-v1.ts';
import { aggregatedRules, sameRules } from './aggregation.ts';

const role = (name: string, labels: Record<string, string>, verbs: string[]): ClusterRole =>
  ({ metadata: { name, labels }, rules: [{ verbs, apiGroups: [''], resources: ['pods'] }] });

test('aggregation: matching roles by selector then name, each rule once, never the role itself', () => {
  const target: ClusterRole = {
    metadata: { name: 'agg', labels: { x: 'true' } },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'true' } }, { matchExpressions: [{ key: 'y', operator: 'Exists' }] }] },
    rules: [],
  };
  const all = [target, role('b', { x: 'true' }, ['list']), role('a', { x: 'true' }, ['get']), role('c', { y: '1' }, ['get']), role('d', {}, ['delete'])];
  const rules = aggregatedRules(target, all);
  assert.deepEqual(rules.map((r) => r.verbs), [['get'], ['list']]);
  assert.equal(sameRules(target.rules, rules), false);
  assert.equal(sameRules(rules, aggregatedRules({ ...target, rules }, all)), true);
});
