// Reconciling the bootstrap policy at every API server start (pkg/registry/rbac/rest/storage_rbac.go
// PostStartHook and pkg/registry/rbac/reconciliation): missing objects are created; existing ones
// annotated `rbac.authorization.kubernetes.io/autoupdate: "true"` get the rules, aggregation
// selectors, subjects, labels and annotations they lack. Nothing is ever removed, so what an
// administrator added stays; an administrator who wants a default role left alone sets the
// annotation to "false".
import type { KubeObject } from '../../../api/meta.ts';
import { aggregatedRules } from '../../../api/rbac/aggregation.ts';
import type { ClusterRole, PolicyRule, RoleBinding, Subject } from '../../../api/types/rbac-v1.ts';
import { AUTOUPDATE_ANNOTATION } from '../../../api/types/rbac-v1.ts';
import type { Registry, WriteContext } from '../../registry/registry.ts';
import { compactRules, covers } from '../rbac/escalation.ts';
import { clusterRoleBindings, clusterRoles, namespacedRoleBindings, namespacedRoles } from './policy.ts';

const systemContext = (): WriteContext => ({
  user: { name: 'system:apiserver', groups: ['system:masters'] }, manager: 'kube-apiserver', apiVersion: 'rbac.authorization.k8s.io/v1', dryRun: false, now: new Date(),
});

const autoUpdate = (o: KubeObject): boolean => o.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'true';

function mergeMeta(cur: KubeObject, want: KubeObject): boolean {
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    const have = { ...(cur.metadata[field] ?? {}) };
    for (const [k, v] of Object.entries(want.metadata[field] ?? {})) {
      if (!(k in have)) { have[k] = v; changed = true; }
    }
    if (changed) cur.metadata[field] = have;
  }
  return changed;
}

/** The role with the rules and aggregation selectors it lacks added, or undefined when it lacks none. */
export function reconcileRole(cur: ClusterRole, want: ClusterRole): ClusterRole | undefined {
  const next = structuredClone(cur);
  let changed = mergeMeta(next, want);
  if (want.aggregationRule) {
    const selectors = next.aggregationRule?.clusterRoleSelectors ?? [];
    const have = new Set(selectors.map((s) => JSON.stringify(s)));
    for (const s of want.aggregationRule.clusterRoleSelectors ?? []) {
      if (!have.has(JSON.stringify(s))) { selectors.push(s); changed = true; }
    }
    next.aggregationRule = { clusterRoleSelectors: selectors };
  } else {
    const { missing } = covers(next.rules ?? [], want.rules ?? []);
    if (missing.length) {
      next.rules = [...(next.rules ?? []), ...compactRules(missing)] as PolicyRule[];
      changed = true;
    }
  }
  return changed ? next : undefined;
}

const subjectId = (s: Subject): string => `${s.kind}\0${s.namespace ?? ''}\0${s.name}`;

export function reconcileBinding(cur: RoleBinding, want: RoleBinding): RoleBinding | undefined {
  const next = structuredClone(cur);
  let changed = mergeMeta(next, want);
  const subjects = next.subjects ?? [];
  const have = new Set(subjects.map(subjectId));
  for (const s of want.subjects ?? []) {
    if (!have.has(subjectId(s))) { subjects.push(s); changed = true; }
  }
  next.subjects = subjects;
  return changed ? next : undefined;
}

function sameRoleRef(a: RoleBinding, b: RoleBinding): boolean {
  return a.roleRef.kind === b.roleRef.kind && a.roleRef.name === b.roleRef.name && a.roleRef.apiGroup === b.roleRef.apiGroup;
}

async function ensure(registry: Registry, want: KubeObject, merge: (cur: KubeObject, want: KubeObject) => KubeObject | undefined): Promise<void> {
  const ns = want.metadata.namespace ?? '';
  const name = want.metadata.name ?? '';
  const ctx = systemContext();
  await registry.update(ns, name, (cur) => {
    if (!cur) return structuredClone(want);
    if (!autoUpdate(cur)) return cur;
    const next = merge(cur, want);
    if (!next) return cur;
    delete next.metadata.resourceVersion;
    return next;
  }, ctx, { allowCreate: true });
}

async function ensureBinding(registry: Registry, want: RoleBinding): Promise<void> {
  const ns = want.metadata.namespace ?? '';
  const name = want.metadata.name ?? '';
  // A binding whose roleRef no longer matches is replaced (roleRef is immutable), as upstream's reconciler does.
  try {
    const cur = (await registry.get(ns, name)).obj as RoleBinding;
    if (autoUpdate(cur) && !sameRoleRef(cur, want)) {
      await registry.delete(ns, name, {}, systemContext());
    }
  } catch { /* absent: created below */ }
  await ensure(registry, want, (cur, w) => reconcileBinding(cur as RoleBinding, w as RoleBinding));
}

/**
 * The bootstrap roles with admin, edit and view already holding what they aggregate from the other
 * bootstrap roles, so they grant it from the first request on; the clusterrole-aggregation
 * controller adds what other ClusterRoles bring (and is the only writer of their rules after creation).
 */
export function withAggregatedRules(roles: ClusterRole[]): ClusterRole[] {
  const out = roles.map((r) => ({ ...r }));
  // view feeds edit, edit feeds admin: each pass settles one level.
  for (let pass = 0; pass < 3; pass++) {
    for (const [i, r] of out.entries()) if (r.aggregationRule) out[i] = { ...r, rules: aggregatedRules(r, out) };
  }
  return out;
}

/** Create or complete every bootstrap role and binding. */
export async function reconcileBootstrapPolicy(registries: Map<string, Registry>): Promise<void> {
  const reg = (resource: string): Registry => registries.get(`rbac.authorization.k8s.io/${resource}`)!;
  for (const r of withAggregatedRules(clusterRoles())) await ensure(reg('clusterroles'), r, (cur, w) => reconcileRole(cur, w));
  for (const r of namespacedRoles()) await ensure(reg('roles'), r, (cur, w) => reconcileRole(cur, w));
  for (const b of clusterRoleBindings()) await ensureBinding(reg('clusterrolebindings'), b);
  for (const b of namespacedRoleBindings()) await ensureBinding(reg('rolebindings'), b);
}
