import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../../api/errors.ts';
import { impersonate } from './impersonation.ts';
import type { AuthorizationAttributes, Authorizer } from './types.ts';

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function recording(allow: (a: AuthorizationAttributes) => boolean): Authorizer & { asked: AuthorizationAttributes[] } {
  const asked: AuthorizationAttributes[] = [];
  return { name: 'test', asked, authorize: (a) => { asked.push(a); return allow(a) ? { decision: 'allow', reason: '' } : { decision: 'no-opinion', reason: '' }; } };
}

test('no headers: the requestor itself, nothing asked', async () => {
  const z = recording(() => true);
  assert.equal(await impersonate(admin, {}, z), admin);
  assert.equal(z.asked.length, 0);
});

test('user, groups, uid and extras are each authorized with verb impersonate; system:authenticated is added', async () => {
  const z = recording(() => true);
  const u = await impersonate(admin, { 'impersonate-user': 'jane', 'impersonate-group': 'devs, qa', 'impersonate-uid': 'u1', 'impersonate-extra-scopes%2fa': 'read' }, z);
  assert.deepEqual(u, { name: 'jane', groups: ['devs', 'qa', 'system:authenticated'], uid: 'u1', extra: { 'scopes/a': ['read'] } });
  assert.deepEqual(z.asked.map((a) => [a.verb, a.apiGroup, a.resource, a.subresource, a.name]), [
    ['impersonate', '', 'users', '', 'jane'],
    ['impersonate', '', 'groups', '', 'devs'],
    ['impersonate', '', 'groups', '', 'qa'],
    ['impersonate', 'authentication.k8s.io', 'userextras', 'scopes/a', 'read'],
    ['impersonate', 'authentication.k8s.io', 'uids', '', 'u1'],
  ]);
});

test('service accounts: asked on serviceaccounts in their namespace, with their groups', async () => {
  const z = recording(() => true);
  const u = await impersonate(admin, { 'impersonate-user': 'system:serviceaccount:ns1:bot' }, z);
  assert.deepEqual(u.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
  assert.deepEqual([z.asked[0]!.resource, z.asked[0]!.namespace, z.asked[0]!.name], ['serviceaccounts', 'ns1', 'bot']);
});

test('refused: 403 with the authorization filter\'s message', async () => {
  const z = recording((a) => a.resource !== 'groups');
  await assert.rejects(impersonate({ name: 'bob', groups: [] }, { 'impersonate-user': 'jane', 'impersonate-group': 'system:masters' }, z), (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.status.code, 403);
    assert.equal(err.status.message, 'groups "system:masters" is forbidden: User "bob" cannot impersonate resource "groups" in API group "" at the cluster scope');
    return true;
  });
});

test('groups without a user are refused', async () => {
  await assert.rejects(impersonate(admin, { 'impersonate-group': 'devs' }, recording(() => true)), StatusError);
});
