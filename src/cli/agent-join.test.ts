import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { createCa } from '../apiserver/auth/certs.ts';
import { caFromClusterInfo } from './agent-join.ts';

test('the CA of cluster-info\'s kubeconfig, or nothing when it has none or a broken one', async () => {
  const ca = await createCa('test-ca', 1);
  const kc = (data: unknown): string => stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: '', cluster: { 'certificate-authority-data': data, server: 'https://10.0.0.1:6443' } }] });
  assert.equal(caFromClusterInfo(kc(Buffer.from(ca.certPem).toString('base64'))), ca.certPem);
  assert.equal(caFromClusterInfo(kc(Buffer.from('not a certificate').toString('base64'))), undefined);
  assert.equal(caFromClusterInfo(kc(undefined)), undefined);
  assert.equal(caFromClusterInfo('clusters: [}'), undefined);
  assert.equal(caFromClusterInfo(undefined), undefined);
});
