import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachedSignatureIsValid } from '../../api/bootstrap-token/jws.ts';
import { bootstrapTokenSecret, parseBootstrapToken } from '../../api/bootstrap-token/token.ts';
import { signedData } from './bootstrap-signer.ts';

const NOW = new Date('2030-01-01T00:00:00Z');
const A = parseBootstrapToken('aaaaaa.0123456789abcdef');
const B = parseBootstrapToken('bbbbbb.0123456789abcdef');

test('one signature per token that may sign; stale ones go; nothing to do when all is right', () => {
  const data = { kubeconfig: 'KC', 'jws-kubeconfig-zzzzzz': 'stale' };
  const secrets = [
    bootstrapTokenSecret(A),
    bootstrapTokenSecret(B, { usages: ['authentication'] }),
    bootstrapTokenSecret(parseBootstrapToken('cccccc.0123456789abcdef'), { expires: new Date(NOW.getTime() - 1) }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other', namespace: 'kube-system' }, type: 'Opaque', data: {} },
  ];
  const next = signedData(data, secrets, NOW)!;
  assert.deepEqual(Object.keys(next).sort(), ['jws-kubeconfig-aaaaaa', 'kubeconfig']);
  assert.equal(detachedSignatureIsValid(next['jws-kubeconfig-aaaaaa']!, 'KC', A.id, A.secret), true);
  assert.equal(signedData(next, secrets, NOW), undefined);
  assert.equal(signedData({ other: 'x' }, secrets, NOW), undefined, 'no kubeconfig: nothing to sign');
  // The kubeconfig changed (a new CA): signed again.
  assert.notEqual(signedData({ ...next, kubeconfig: 'KC2' }, secrets, NOW)!['jws-kubeconfig-aaaaaa'], next['jws-kubeconfig-aaaaaa']);
});
