import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapTokenSecret, parseBootstrapToken } from '../../api/bootstrap-token/token.ts';
import type { KubeObject } from '../../api/meta.ts';
import { authenticateBootstrapToken } from './bootstrap-token.ts';

test('authentication: system:bootstrap:<id> in system:bootstrappers; wrong, expired, unusable or deleting tokens are not authenticated', async () => {
  const secrets = new Map<string, KubeObject>();
  const lookup = async (ns: string, name: string): Promise<KubeObject | undefined> => secrets.get(`${ns}/${name}`);
  const put = (s: KubeObject): void => { secrets.set(`${s.metadata.namespace}/${s.metadata.name}`, s); };
  const token = parseBootstrapToken('abcdef.0123456789abcdef');
  put(bootstrapTokenSecret(token, { expires: new Date(Date.now() + 60_000) }));
  assert.deepEqual(await authenticateBootstrapToken('abcdef.0123456789abcdef', lookup), {
    name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:skiff:default-node-token', 'system:authenticated'],
  });
  assert.equal(await authenticateBootstrapToken('abcdef.0123456789abcdeX', lookup), undefined, 'not the format');
  assert.equal(await authenticateBootstrapToken('abcdef.0123456789abcdee', lookup), undefined, 'wrong secret');
  assert.equal(await authenticateBootstrapToken('zzzzzz.0123456789abcdef', lookup), undefined, 'no Secret');
  assert.equal(await authenticateBootstrapToken('abcdef.0123456789abcdef', lookup, new Date(Date.now() + 120_000)), undefined, 'expired');
  put(bootstrapTokenSecret(token, { usages: ['signing'] }));
  assert.equal(await authenticateBootstrapToken('abcdef.0123456789abcdef', lookup), undefined, 'not for authentication');
  const deleting = bootstrapTokenSecret(token);
  deleting.metadata.deletionTimestamp = new Date().toISOString();
  put(deleting);
  assert.equal(await authenticateBootstrapToken('abcdef.0123456789abcdef', lookup), undefined, 'being deleted');
  const wrongType = bootstrapTokenSecret(token);
  wrongType.type = 'Opaque';
  put(wrongType);
  assert.equal(await authenticateBootstrapToken('abcdef.0123456789abcdef', lookup), undefined, 'not a token Secret');
});
