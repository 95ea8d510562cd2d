import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { prepareCsrForCreate, prepareCsrForUpdate } from './csr-strategy.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const base = (status?: Record<string, unknown>): KubeObject => ({
  metadata: { name: 'x' }, spec: { request: 'UkVR', signerName: 'example.com/s', usages: ['client auth'], username: 'jane' },
  ...(status ? { status } : {}),
});

test('create: the requester comes from the authenticated user, never the body; status is dropped', () => {
  const o: KubeObject = { metadata: { name: 'x' }, spec: { request: 'UkVR', username: 'root', groups: ['system:masters'], extra: { a: ['b'] } }, status: { certificate: 'Zm9v' } };
  prepareCsrForCreate(o, { name: 'jane', uid: 'u1', groups: ['devs', 'system:authenticated'] });
  assert.deepEqual(o.spec, { request: 'UkVR', username: 'jane', uid: 'u1', groups: ['devs', 'system:authenticated'] });
  assert.equal(o.status, undefined);
});

test('main resource: spec and status stay as they were', () => {
  const old = base({ conditions: [{ type: 'Approved', status: 'True' }] });
  const next = prepareCsrForUpdate({ ...base(), spec: { hacked: true }, status: { certificate: 'Zm9v' } }, old, '', NOW);
  assert.deepEqual(next.spec, old.spec);
  assert.deepEqual(next.status, old.status);
});

test('/status: certificate and Failed change, Approved/Denied stay as they were', () => {
  const old = base({ conditions: [{ type: 'Approved', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] });
  const next = prepareCsrForUpdate(base({ certificate: 'Zm9v', conditions: [{ type: 'Denied', status: 'True' }, { type: 'Failed', status: 'True' }] }), old, 'status', NOW);
  assert.equal((next.status as { certificate: string }).certificate, 'Zm9v');
  const conds = (next.status as { conditions: Array<Record<string, string>> }).conditions;
  assert.deepEqual(conds.map((c) => c.type), ['Approved', 'Failed']);
  assert.equal(conds[0]!.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(conds[1]!.lastTransitionTime, '2026-01-01T00:00:00Z');
});

test('/approval: only conditions change; the certificate cannot be set there', () => {
  const old = base();
  const next = prepareCsrForUpdate(base({ certificate: 'Zm9v', conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove' }] }), old, 'approval', NOW);
  assert.deepEqual(next.status, { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }] });
});
