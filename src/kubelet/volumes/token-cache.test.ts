import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenCache } from './token-cache.ts';
import type { VolumeSources } from './types.ts';

const base: VolumeSources = {
  getConfigMap: async () => undefined,
  getSecret: async () => undefined,
  getPersistentVolumeClaim: async () => undefined,
  getPersistentVolume: async () => undefined,
};
const pod = { name: 'p', uid: 'u1' };

test('tokens are reused until 80% of their lifetime, then requested again', async () => {
  let now = 0;
  let issued = 0;
  const sources: VolumeSources = {
    ...base,
    requestServiceAccountToken: async (_ns, _sa, _aud, exp) => {
      issued += 1;
      return { token: `t${issued}`, expirationTimestamp: new Date(now + exp * 1000).toISOString() };
    },
  };
  const cache = new TokenCache(sources, () => now);
  assert.equal(await cache.get('ns', 'sa', 'api', 1000, pod), 't1');
  now = 799_000;
  assert.equal(await cache.get('ns', 'sa', 'api', 1000, pod), 't1');
  now = 800_000;
  assert.equal(await cache.get('ns', 'sa', 'api', 1000, pod), 't2');
  assert.equal(await cache.get('ns', 'sa', 'other-audience', 1000, pod), 't3', 'one token per audience');
  cache.forgetPod('u1');
  assert.equal(await cache.get('ns', 'sa', 'api', 1000, pod), 't4', 'a forgotten pod gets a new token');
});

test('without TokenRequest, or when it fails, the error says so', async () => {
  await assert.rejects(new TokenCache(base).get('ns', 'default', undefined, 3600, pod), {
    message: 'failed to fetch token: the API server does not serve TokenRequest (serviceaccounts/default/token)',
  });
  const failing: VolumeSources = {
    ...base,
    requestServiceAccountToken: async () => {
      throw new Error('serviceaccounts "default" not found');
    },
  };
  await assert.rejects(new TokenCache(failing).get('ns', 'default', undefined, 3600, pod), { message: 'failed to fetch token: serviceaccounts "default" not found' });
});
