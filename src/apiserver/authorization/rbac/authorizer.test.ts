import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/meta.ts';
import { parseRequestInfo } from '../../request-info.ts';
import { AuthorizerChain, forbiddenFor } from '../chain.ts';
import { requestAttributes, type AuthorizationAttributes } from '../types.ts';
import { RbacAuthorizer } from './authorizer.ts';
import { PolicyIndex } from './policy-index.ts';
import { ruleAllows } from './rule-match.ts';

const jane = { name: 'jane', groups: ['devs', 'system:authenticated'] };
const attrs = (method: string, path: string, user = jane): AuthorizationAttributes =>
  requestAttributes(user, parseRequestInfo(method, path, new URLSearchParams()));

test('rule matching: verbs, groups, resources with subresources, names and URLs as upstream', () => {
  const get = (path: string): AuthorizationAttributes => attrs('GET', path);
  const pods = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
  assert.equal(ruleAllows(get('/api/v1/namespaces/a/pods/x'), pods), true);
  assert.equal(ruleAllows(get('/api/v1/namespaces/a/pods/x/log'), pods), false);
  assert.equal(ruleAllows(get('/api/v1/namespaces/a/pods/x/log'), { ...pods, resources: ['pods/log'] }), true);
  assert.equal(ruleAllows(get('/apis/apps/v1/namespaces/a/deployments/d/scale'), { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }), true);
  assert.equal(ruleAllows(get('/apis/apps/v1/namespaces/a/deployments/d'), { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }), false);
  assert.equal(ruleAllows(get('/apis/apps/v1/namespaces/a/deployments/d/status'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), true);
  assert.equal(ruleAllows(get('/apis/apps/v1/namespaces/a/deployments/d'), pods), false);
  assert.equal(ruleAllows(get('/api/v1/namespaces/a/pods/x'), { ...pods, resourceNames: ['x'] }), true);
  assert.equal(ruleAllows(get('/api/v1/namespaces/a/pods/y'), { ...pods, resourceNames: ['x'] }), false);
  // A list names nothing: resourceNames rules never allow it.
  assert.equal(ruleAllows(get('/api/v1/namespaces/a/pods'), { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] }), false);
  assert.equal(ruleAllows(attrs('DELETE', '/api/v1/namespaces/a/pods/x'), pods), false);
  const urls = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.equal(ruleAllows(get('/healthz'), urls), true);
  assert.equal(ruleAllows(get('/healthz/etcd'), urls), false);
  assert.equal(ruleAllows(get('/apis/apps'), urls), true);
  assert.equal(ruleAllows(get('/apis'), urls), false);
  assert.equal(ruleAllows(attrs('POST', '/healthz'), urls), false);
  assert.equal(ruleAllows(get('/anything'), { verbs: ['*'], nonResourceURLs: ['*'] }), true);
  // A non-resource rule never allows resources, nor a resource rule paths.
  assert.equal(ruleAllows(get('/api/v1/namespaces/a/pods/x'), urls), false);
  assert.equal(ruleAllows(get('/healthz'), pods), false);
});

function index(objs: Array<[kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding', KubeObject]>): PolicyIndex {
  const idx = new PolicyIndex();
  for (const [k, o] of objs) idx.apply(k, 'SET', o);
  return idx;
}
const obj = (name: string, namespace: string | undefined, rest: Record<string, unknown>): KubeObject =>
  ({ metadata: { name, ...(namespace ? { namespace } : {}) }, ...rest });
const G = 'rbac.authorization.k8s.io';

test('RBAC: bindings by user, group and service account; RoleBindings to ClusterRoles; reasons as upstream', () => {
  const idx = index([
    ['Role', obj('pod-reader', 'prod', { rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] })],
    ['ClusterRole', obj('secret-reader', undefined, { rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }] })],
    ['ClusterRole', obj('node-reader', undefined, { rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }] })],
    ['RoleBinding', obj('jane-pods', 'prod', { roleRef: { apiGroup: G, kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'User', apiGroup: G, name: 'jane' }] })],
    ['RoleBinding', obj('sa-secrets', 'prod', { roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'secret-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }] })],
    ['ClusterRoleBinding', obj('devs-nodes', undefined, { roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'node-reader' }, subjects: [{ kind: 'Group', apiGroup: G, name: 'devs' }] })],
    ['RoleBinding', obj('dangling', 'dev', { roleRef: { apiGroup: G, kind: 'Role', name: 'gone' }, subjects: [{ kind: 'User', apiGroup: G, name: 'jane' }] })],
  ]);
  const rbac = new RbacAuthorizer(idx);
  assert.deepEqual(rbac.authorize(attrs('GET', '/api/v1/namespaces/prod/pods/x')),
    { decision: 'allow', reason: 'RBAC: allowed by RoleBinding "jane-pods/prod" of Role "pod-reader" to User "jane"' });
  assert.equal(rbac.authorize(attrs('DELETE', '/api/v1/namespaces/prod/pods/x')).decision, 'no-opinion');
  assert.equal(rbac.authorize(attrs('GET', '/api/v1/namespaces/other/pods/x')).decision, 'no-opinion');
  assert.deepEqual(rbac.authorize(attrs('GET', '/api/v1/nodes/n1')),
    { decision: 'allow', reason: 'RBAC: allowed by ClusterRoleBinding "devs-nodes" of ClusterRole "node-reader" to Group "devs"' });
  const bot = { name: 'system:serviceaccount:prod:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:prod', 'system:authenticated'] };
  assert.deepEqual(rbac.authorize(attrs('GET', '/api/v1/namespaces/prod/secrets/s', bot)),
    { decision: 'allow', reason: 'RBAC: allowed by RoleBinding "sa-secrets/prod" of ClusterRole "secret-reader" to ServiceAccount "bot/prod"' });
  assert.equal(rbac.authorize(attrs('GET', '/api/v1/namespaces/dev/secrets/s', bot)).decision, 'no-opinion');
  // A binding to a missing role says so.
  assert.deepEqual(rbac.authorize(attrs('GET', '/api/v1/namespaces/dev/pods')),
    { decision: 'no-opinion', reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found' });
  // Removing the binding removes the right.
  idx.apply('RoleBinding', 'DELETED', obj('jane-pods', 'prod', {}));
  assert.equal(rbac.authorize(attrs('GET', '/api/v1/namespaces/prod/pods/x')).decision, 'no-opinion');
});

test('the chain: system:masters first, then each authorizer; the 403 as upstream words it', async () => {
  const chain = new AuthorizerChain([new RbacAuthorizer(new PolicyIndex())]);
  assert.equal((await chain.authorize(attrs('DELETE', '/api/v1/nodes/x', { name: 'root', groups: ['system:masters'] }))).decision, 'allow');
  const a = attrs('GET', '/api/v1/namespaces/prod/pods');
  const r = await chain.authorize(a);
  assert.equal(r.decision, 'deny');
  const err = forbiddenFor(a, r.reason);
  assert.equal(err.status.code, 403);
  assert.equal(err.status.reason, 'Forbidden');
  assert.equal(err.message, 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "prod"');
  assert.deepEqual(err.status.details, { kind: 'pods' });
  assert.equal(forbiddenFor(attrs('DELETE', '/api/v1/namespaces/prod/pods/x'), '').message,
    'pods "x" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "prod"');
  assert.equal(forbiddenFor(attrs('GET', '/apis/apps/v1/deployments'), 'RBAC: why').message,
    'deployments.apps is forbidden: User "jane" cannot list resource "deployments" in API group "apps" at the cluster scope: RBAC: why');
  assert.equal(forbiddenFor(attrs('GET', '/api/v1/namespaces/a/pods/p/log'), '').message,
    'pods "p" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "a"');
  assert.equal(forbiddenFor(attrs('GET', '/foo'), '').message, 'forbidden: User "jane" cannot get path "/foo"');
});
