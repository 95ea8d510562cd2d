import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { KubeObject } from '../../api/meta.ts';
import { DEFAULT_ISSUER, ServiceAccountTokenAuthenticator } from './authenticator.ts';
import { buildClaims } from './claims.ts';
import { signingKey, signJwt } from './jwt.ts';

const key = signingKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'ns1', uid: 'sa-uid' } };

test('a valid token names the service account user and groups; deleting the account ends it at once despite the cache', async () => {
  const objects = new Map<string, KubeObject>([['robot', sa]]);
  const auth = new ServiceAccountTokenAuthenticator({
    key, issuer: DEFAULT_ISSUER, audiences: [DEFAULT_ISSUER],
    lookup: async (resource, _ns, name) => (resource === 'serviceaccounts' ? objects.get(name) : undefined),
  });
  const now = new Date();
  const token = signJwt(buildClaims({ issuer: DEFAULT_ISSUER, serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 600, now }), key);
  assert.deepEqual(await auth.authenticate(token), {
    name: 'system:serviceaccount:ns1:robot', uid: 'sa-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
  });
  assert.ok(await auth.authenticate(token));
  objects.delete('robot');
  assert.equal(await auth.authenticate(token), undefined);
  objects.set('robot', sa);
  // A remembered verdict still honours the expiry.
  assert.equal(await auth.authenticate(token, new Date(now.getTime() + 601_000)), undefined);
  assert.equal(await auth.authenticate('not-a-jwt'), undefined);
  const vault = signJwt(buildClaims({ issuer: DEFAULT_ISSUER, serviceAccount: sa, audiences: ['vault'], expirationSeconds: 600, now }), key);
  assert.equal(await auth.authenticate(vault), undefined);
});
