import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/meta.ts';
import { CONTROLLER_ACCOUNTS, controllerUser } from '../../../api/rbac/controller-accounts.ts';
import type { ClusterRole } from '../../../api/types/rbac-v1.ts';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from '../../../api/validation/rbac.ts';
import { NODE_CERTIFICATE_PATH } from '../../auth/bootstrap-access.ts';
import type { UserInfo } from '../../admission/types.ts';
import { parseRequestInfo } from '../../request-info.ts';
import { AuthorizerChain } from '../chain.ts';
import { RbacAuthorizer } from '../rbac/authorizer.ts';
import { PolicyIndex } from '../rbac/policy-index.ts';
import { requestAttributes } from '../types.ts';
import { clusterRoleBindings, clusterRoles, namespacedRoleBindings, namespacedRoles } from './policy.ts';
import { reconcileBinding, reconcileRole, withAggregatedRules } from './reconcile.ts';

/** The bootstrap policy as the cluster holds it once the aggregation controller has run, plus extra objects. */
function cluster(extra: Array<['Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding', KubeObject]> = []): AuthorizerChain {
  const idx = new PolicyIndex();
  const roles = clusterRoles();
  for (const [k, o] of extra) if (k === 'ClusterRole') roles.push(o);
  // As the aggregation controller converges: view feeds edit, edit feeds admin.
  for (const r of withAggregatedRules(roles)) idx.apply('ClusterRole', 'SET', r);
  for (const r of namespacedRoles()) idx.apply('Role', 'SET', r);
  for (const b of clusterRoleBindings()) idx.apply('ClusterRoleBinding', 'SET', b);
  for (const b of namespacedRoleBindings()) idx.apply('RoleBinding', 'SET', b);
  for (const [k, o] of extra) if (k !== 'ClusterRole') idx.apply(k, 'SET', o);
  return new AuthorizerChain([new RbacAuthorizer(idx)]);
}

async function allowed(chain: AuthorizerChain, user: UserInfo, method: string, path: string): Promise<boolean> {
  const r = await chain.authorize(requestAttributes(user, parseRequestInfo(method, path, new URLSearchParams())));
  return r.decision === 'allow';
}

test('every bootstrap object is valid', () => {
  for (const r of clusterRoles()) assert.deepEqual(validateClusterRole(r), [], r.metadata.name);
  for (const r of namespacedRoles()) assert.deepEqual(validateRole(r), [], r.metadata.name);
  for (const b of clusterRoleBindings()) assert.deepEqual(validateClusterRoleBinding(b), [], b.metadata.name);
  for (const b of namespacedRoleBindings()) assert.deepEqual(validateRoleBinding(b), [], b.metadata.name);
});

test('anonymous users reach health, version and cluster-info; bootstrappers also their certificate', async () => {
  const c = cluster();
  const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  for (const p of ['/healthz', '/livez', '/readyz', '/version']) assert.equal(await allowed(c, anonymous, 'GET', p), true, p);
  assert.equal(await allowed(c, anonymous, 'GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info'), true);
  assert.equal(await allowed(c, anonymous, 'GET', '/api/v1/namespaces/kube-public/configmaps/other'), false);
  assert.equal(await allowed(c, anonymous, 'GET', '/apis'), false);
  assert.equal(await allowed(c, anonymous, 'POST', NODE_CERTIFICATE_PATH), false);
  const bootstrapper = { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] };
  assert.equal(await allowed(c, bootstrapper, 'GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info'), true);
  assert.equal(await allowed(c, bootstrapper, 'POST', NODE_CERTIFICATE_PATH), true);
  assert.equal(await allowed(c, bootstrapper, 'GET', '/version'), true);
  assert.equal(await allowed(c, bootstrapper, 'GET', '/apis/apps/v1'), true);
  assert.equal(await allowed(c, bootstrapper, 'GET', '/api/v1/namespaces/kube-system/secrets'), false);
  assert.equal(await allowed(c, bootstrapper, 'GET', '/api/v1/nodes'), false);
  assert.equal(await allowed(c, bootstrapper, 'POST', '/api/v1/namespaces/default/pods'), false);
  assert.equal(await allowed(c, bootstrapper, 'GET', '/metrics'), false);
  assert.equal(await allowed(c, bootstrapper, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests'), true);
});

test('components: scheduler, controller manager, node network, controllers', async () => {
  const c = cluster();
  const sched = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
  assert.equal(await allowed(c, sched, 'POST', '/api/v1/namespaces/a/pods/p/binding'), true);
  assert.equal(await allowed(c, sched, 'GET', '/api/v1/namespaces/a/secrets'), false);
  const kcm = { name: 'system:kube-controller-manager', groups: ['system:authenticated'] };
  assert.equal(await allowed(c, kcm, 'GET', '/apis/apps/v1/deployments?watch=1'), true);
  const proxy = { name: 'system:kube-proxy', groups: ['system:authenticated'] };
  assert.equal(await allowed(c, proxy, 'GET', '/apis/discovery.k8s.io/v1/endpointslices'), true);
  assert.equal(await allowed(c, proxy, 'PATCH', '/apis/networking.k8s.io/v1/namespaces/a/ingresses/i/status'), true);
  assert.equal(await allowed(c, proxy, 'DELETE', '/api/v1/namespaces/a/pods/p'), false);
  for (const controller of Object.keys(CONTROLLER_ACCOUNTS)) {
    const u = controllerUser(controller)!;
    const sa = { name: u.name, groups: [...u.groups, 'system:authenticated'] };
    // Every controller may at least record events (the garbage collector and namespace
    // controllers, which do not, hold broader rights); none may read every secret.
    assert.equal(await allowed(c, sa, 'DELETE', '/api/v1/namespaces/kube-system/secrets/x') && controller !== 'token-cleaner' && controller !== 'garbage-collector' && controller !== 'namespace', false, controller);
  }
  const rs = controllerUser('replicaset')!;
  assert.equal(await allowed(c, { name: rs.name, groups: rs.groups }, 'POST', '/api/v1/namespaces/a/pods'), true);
  const agg = controllerUser('clusterrole-aggregation')!;
  assert.equal(await allowed(c, { name: agg.name, groups: agg.groups }, 'PUT', '/apis/rbac.authorization.k8s.io/v1/clusterroles/view'), true);
});

test('admin, edit and view are aggregated; a role labelled aggregate-to-view extends view', async () => {
  const crontabs: ClusterRole = {
    metadata: { name: 'crontab-reader', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
    rules: [{ verbs: ['get', 'list'], apiGroups: ['stable.example.com'], resources: ['crontabs'] }],
  };
  const bind = (name: string, role: string): KubeObject => ({
    metadata: { name, namespace: 'prod' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name }],
  });
  const c = cluster([['ClusterRole', crontabs], ['RoleBinding', bind('viewer', 'view')], ['RoleBinding', bind('editor', 'edit')], ['RoleBinding', bind('boss', 'admin')]]);
  const u = (name: string): UserInfo => ({ name, groups: ['system:authenticated'] });
  assert.equal(await allowed(c, u('viewer'), 'GET', '/api/v1/namespaces/prod/pods'), true);
  assert.equal(await allowed(c, u('viewer'), 'GET', '/apis/stable.example.com/v1/namespaces/prod/crontabs'), true);
  assert.equal(await allowed(c, u('viewer'), 'GET', '/api/v1/namespaces/prod/secrets'), false);
  assert.equal(await allowed(c, u('viewer'), 'POST', '/api/v1/namespaces/prod/configmaps'), false);
  assert.equal(await allowed(c, u('editor'), 'POST', '/api/v1/namespaces/prod/configmaps'), true);
  assert.equal(await allowed(c, u('editor'), 'GET', '/apis/stable.example.com/v1/namespaces/prod/crontabs'), true);
  assert.equal(await allowed(c, u('editor'), 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/prod/roles'), false);
  assert.equal(await allowed(c, u('boss'), 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/prod/roles'), true);
  assert.equal(await allowed(c, u('boss'), 'GET', '/api/v1/namespaces/other/pods'), false);
});

test('reconciliation adds what is missing and removes nothing', () => {
  const want = clusterRoles().find((r) => r.metadata.name === 'system:node-proxier')!;
  const cur: ClusterRole = { ...structuredClone(want), rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }, { verbs: ['get'], apiGroups: ['x'], resources: ['y'] }] };
  const next = reconcileRole(cur, want)!;
  assert.ok(next);
  assert.deepEqual(next.rules![1], { verbs: ['get'], apiGroups: ['x'], resources: ['y'] });
  assert.equal(reconcileRole(next, want), undefined);
  const b = clusterRoleBindings().find((x) => x.metadata.name === 'system:public-info-viewer')!;
  const trimmed = { ...structuredClone(b), subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'extra' }] };
  assert.equal(reconcileBinding(trimmed, b)!.subjects!.length, 3);
});
