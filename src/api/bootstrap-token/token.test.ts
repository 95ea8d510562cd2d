import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bootstrapTokenSecret, generateBootstrapToken, isBootstrapTokenId, parseBootstrapToken, readBootstrapTokenSecret,
} from './token.ts';

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
