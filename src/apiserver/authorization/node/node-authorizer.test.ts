import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthorizationAttributes } from '../types.ts';
import { Graph } from './graph.ts';
import { NodeAuthorizer, nodeIdentity } from './node-authorizer.ts';

const N1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

function attrs(a: Partial<AuthorizationAttributes>): AuthorizationAttributes {
  return {
    user: N1, verb: 'get', isResourceRequest: true, path: '/', namespace: '', apiGroup: '', apiVersion: 'v1',
    resource: '', subresource: '', name: '', ...a,
  };
}

function graph(): Graph {
  const g = new Graph();
  g.addPod({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name: 'web' }, spec: { nodeName: 'n1', serviceAccountName: 'sa', containers: [], volumes: [{ name: 'v', secret: { secretName: 'mine' } }] } });
  g.addPod({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name: 'other' }, spec: { nodeName: 'n2', containers: [], volumes: [{ name: 'v', secret: { secretName: 'theirs' } }] } });
  return g;
}

test('node identity: system:node:NAME in system:nodes only', () => {
  assert.equal(nodeIdentity(N1), 'n1');
  assert.equal(nodeIdentity({ name: 'system:node:n1', groups: [] }), undefined);
  assert.equal(nodeIdentity({ name: 'jane', groups: ['system:nodes'] }), undefined);
  assert.equal(nodeIdentity({ name: 'system:node:', groups: ['system:nodes'] }), '');
});

test('non-node users get no opinion; a node without a name is not identified', async () => {
  const z = new NodeAuthorizer({ graph: graph() });
  assert.deepEqual(await z.authorize(attrs({ user: { name: 'jane', groups: [] }, resource: 'secrets', namespace: 'ns', name: 'mine' })), { decision: 'no-opinion', reason: '' });
  assert.deepEqual(await z.authorize(attrs({ user: { name: 'system:node:', groups: ['system:nodes'] }, resource: 'secrets' })), { decision: 'no-opinion', reason: 'unknown node for user "system:node:"' });
});

test('secrets: a node reads those of its own pods, not others, and never lists them all', async () => {
  let synced = 0;
  const z = new NodeAuthorizer({ graph: graph(), sync: async () => { synced++; } });
  assert.equal((await z.authorize(attrs({ resource: 'secrets', namespace: 'ns', name: 'mine' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'secrets', namespace: 'ns', name: 'mine', verb: 'watch' }))).decision, 'allow');
  assert.deepEqual(await z.authorize(attrs({ resource: 'secrets', namespace: 'ns', name: 'theirs' })), { decision: 'no-opinion', reason: 'no relationship found between node \'n1\' and this object' });
  assert.equal(synced, 1, 'a refusal looks again after a consistent read');
  assert.deepEqual(await z.authorize(attrs({ resource: 'secrets', namespace: 'ns', verb: 'list' })), { decision: 'no-opinion', reason: 'No Object name found' });
  assert.deepEqual(await z.authorize(attrs({ resource: 'secrets', namespace: 'ns', name: 'mine', verb: 'update' })), { decision: 'no-opinion', reason: 'can only read resources of this type' });
  assert.deepEqual(await z.authorize(attrs({ resource: 'secrets', name: 'mine' })), { decision: 'no-opinion', reason: 'can only read namespaced object of this type' });
});

test('service account tokens only for the accounts of the node\'s pods', async () => {
  const z = new NodeAuthorizer({ graph: graph() });
  assert.equal((await z.authorize(attrs({ resource: 'serviceaccounts', subresource: 'token', verb: 'create', namespace: 'ns', name: 'sa' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'serviceaccounts', subresource: 'token', verb: 'create', namespace: 'ns', name: 'default' }))).decision, 'no-opinion');
  assert.deepEqual(await z.authorize(attrs({ resource: 'serviceaccounts', verb: 'create', namespace: 'ns', name: 'sa' })), { decision: 'no-opinion', reason: 'can only create token subresource of serviceaccount' });
});

test('nodes: its own by name; writes left to NodeRestriction; no listing of all nodes', async () => {
  const z = new NodeAuthorizer({ graph: graph() });
  assert.equal((await z.authorize(attrs({ resource: 'nodes', name: 'n1' }))).decision, 'allow');
  assert.deepEqual(await z.authorize(attrs({ resource: 'nodes', name: 'n2' })), { decision: 'no-opinion', reason: 'node \'n1\' cannot read \'n2\', only its own Node object' });
  assert.deepEqual(await z.authorize(attrs({ resource: 'nodes', verb: 'list' })), { decision: 'no-opinion', reason: 'node \'n1\' cannot read all nodes, only its own Node object' });
  assert.equal((await z.authorize(attrs({ resource: 'nodes', verb: 'watch', fieldSelector: 'metadata.name=n1' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'nodes', verb: 'patch', name: 'n2' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'nodes', subresource: 'status', verb: 'patch', name: 'n1' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'nodes', verb: 'delete', name: 'n1' }))).decision, 'no-opinion');
});

test('pods: lists and watches only with spec.nodeName=itself; gets of its own pods', async () => {
  const z = new NodeAuthorizer({ graph: graph() });
  assert.equal((await z.authorize(attrs({ resource: 'pods', verb: 'watch', fieldSelector: 'spec.nodeName=n1' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'pods', verb: 'list', fieldSelector: 'spec.nodeName=n2' }))).decision, 'no-opinion');
  assert.deepEqual(await z.authorize(attrs({ resource: 'pods', verb: 'list' })), { decision: 'no-opinion', reason: 'can only list/watch pods with spec.nodeName field selector' });
  assert.equal((await z.authorize(attrs({ resource: 'pods', namespace: 'ns', name: 'web' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'pods', namespace: 'ns', name: 'other' }))).decision, 'no-opinion');
  assert.equal((await z.authorize(attrs({ resource: 'pods', subresource: 'status', verb: 'patch', namespace: 'ns', name: 'other' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'pods', subresource: 'exec', verb: 'create', namespace: 'ns', name: 'web' }))).decision, 'no-opinion');
});

test('leases: its own in kube-node-lease; other requests by the node rules', async () => {
  const z = new NodeAuthorizer({ graph: graph() });
  const lease = { resource: 'leases', apiGroup: 'coordination.k8s.io' };
  assert.equal((await z.authorize(attrs({ ...lease, verb: 'update', namespace: 'kube-node-lease', name: 'n1' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ ...lease, verb: 'create', namespace: 'kube-node-lease' }))).decision, 'allow');
  assert.deepEqual(await z.authorize(attrs({ ...lease, verb: 'update', namespace: 'kube-node-lease', name: 'n2' })), { decision: 'no-opinion', reason: 'can only access node lease with the same name as the requesting node' });
  assert.deepEqual(await z.authorize(attrs({ ...lease, verb: 'get', namespace: 'kube-system', name: 'n1' })), { decision: 'no-opinion', reason: 'can only access leases in the "kube-node-lease" system namespace' });
  assert.equal((await z.authorize(attrs({ resource: 'services', verb: 'list', namespace: 'ns' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'events', verb: 'create', namespace: 'ns' }))).decision, 'allow');
  assert.equal((await z.authorize(attrs({ resource: 'deployments', apiGroup: 'apps', verb: 'list' }))).decision, 'no-opinion');
  assert.equal((await z.authorize(attrs({ isResourceRequest: false, verb: 'get', path: '/api' }))).decision, 'no-opinion');
});
