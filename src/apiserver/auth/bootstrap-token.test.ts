import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import {
  authenticateBootstrapToken, bootstrapTokenSecret, generateBootstrapToken, isBootstrapTokenId, parseBootstrapToken, readBootstrapTokenSecret,
} from './bootstrap-token.ts';

test('tokens are [a-z0-9]{6}.[a-z0-9]{16}; errors never echo the secret half', () => {
  assert.deepEqual(parseBootstrapToken('abcdef.0123456789abcdef'), { id: 'abcdef', secret: '0123456789abcdef' });
  for (const bad of ['abcdef.0123456789abcde', 'ABCDEF.0123456789abcdef', 'abcdef0123456789abcdef', 'abcde.0123456789abcdefg', ' abcdef.0123456789abcdef', '']) {
    assert.throws(() => parseBootstrapToken(bad), { code: 'InvalidBootstrapToken' }, bad);
  }
  assert.throws(() => parseBootstrapToken('abcdef.0123456789ABCDEF'), (err: Error) => !err.message.includes('0123456789ABCDEF'));
  for (let i = 0; i < 50; i++) parseBootstrapToken(generateBootstrapToken());
  assert.notEqual(generateBootstrapToken(), generateBootstrapToken());
  assert.equal(isBootstrapTokenId('abcdef'), true);
  assert.equal(isBootstrapTokenId('abcdef.0123456789abcdef'), false);
});

test('the Secret has upstream\'s name, type and keys, and reads back', () => {
  const s = bootstrapTokenSecret(parseBootstrapToken('abcdef.0123456789abcdef'), { description: 'd', expires: new Date('2030-01-02T03:04:05.678Z') });
  assert.equal(s.metadata.name, 'bootstrap-token-abcdef');
  assert.equal(s.metadata.namespace, 'kube-system');
  assert.equal(s.type, 'bootstrap.kubernetes.io/token');
  const data = Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  assert.deepEqual(data, {
    'token-id': 'abcdef', 'token-secret': '0123456789abcdef', description: 'd', expiration: '2030-01-02T03:04:05Z',
    'usage-bootstrap-signing': 'true', 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:bootstrappers:skiff:default-node-token',
  });
  const info = readBootstrapTokenSecret(s)!;
  assert.equal(info.id, 'abcdef');
  assert.deepEqual(info.usages, ['signing', 'authentication']);
  assert.equal(info.expires?.toISOString(), '2030-01-02T03:04:05.000Z');
  assert.throws(() => bootstrapTokenSecret(parseBootstrapToken('abcdef.0123456789abcdef'), { groups: ['system:masters'] }), /bootstrap group "system:masters" is invalid/);
});

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
