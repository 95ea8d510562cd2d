import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.ts';
import { buildClaims, checkBoundObjects, checkClaims, InvalidTokenError, type ObjectLookup } from './claims.ts';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'ns1', uid: 'sa-uid' } };
const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns1', uid: 'pod-uid' } };
const now = new Date('2026-01-01T00:00:00Z');

test('claims as upstream: sub, aud, exp/iat/nbf and the kubernetes.io claim with the bound pod', () => {
  const c = buildClaims({ issuer: ISS, serviceAccount: sa, pod, audiences: ['api', 'x'], expirationSeconds: 600, now });
  assert.equal(c.iss, ISS);
  assert.equal(c.sub, 'system:serviceaccount:ns1:robot');
  assert.deepEqual(c.aud, ['api', 'x']);
  assert.equal(c.iat, 1767225600);
  assert.equal(c.nbf, c.iat);
  assert.equal(c.exp, c.iat + 600);
  assert.match(c.jti, /^[0-9a-f-]{36}$/);
  assert.deepEqual(c['kubernetes.io'], { namespace: 'ns1', serviceaccount: { name: 'robot', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' } });
  assert.notEqual(buildClaims({ issuer: ISS, serviceAccount: sa, audiences: ['a'], expirationSeconds: 600, now }).jti, c.jti);
});

test('checkClaims: issuer, expiry, not-before leeway, audience and subject', () => {
  const c = buildClaims({ issuer: ISS, serviceAccount: sa, audiences: [ISS], expirationSeconds: 600, now }) as unknown as Record<string, unknown>;
  const opts = { issuer: ISS, audiences: [ISS], now };
  assert.equal(checkClaims(c, opts).sub, 'system:serviceaccount:ns1:robot');
  assert.equal(checkClaims({ ...c, aud: ISS }, opts).aud[0], ISS);
  const bad: Array<[Record<string, unknown>, RegExp, Date?]> = [
    [{ ...c, iss: 'other' }, /issuer/],
    [c, /expired/, new Date(now.getTime() + 600_000)],
    [{ ...c, nbf: (c.nbf as number) + 120 }, /not valid yet/],
    [{ ...c, aud: ['vault'] }, /audiences/],
    [{ ...c, aud: undefined }, /audiences/],
    [{ ...c, sub: 'system:serviceaccount:ns1:admin' }, /subject/],
    [{ ...c, 'kubernetes.io': { namespace: 'ns1' } }, /kubernetes.io/],
    [{ ...c, exp: undefined }, /no expiry/],
  ];
  for (const [claims, msg, at] of bad) assert.throws(() => checkClaims(claims, { ...opts, now: at ?? now }), (e: unknown) => e instanceof InvalidTokenError && msg.test(e.message), msg.source);
  // 30 s of clock skew on nbf is tolerated.
  assert.ok(checkClaims({ ...c, nbf: (c.nbf as number) + 30 }, opts));
});

test('checkBoundObjects: the service account and bound pod must exist with the same uid', async () => {
  const objects = new Map<string, KubeObject>([['serviceaccounts/robot', sa], ['pods/p', pod]]);
  const lookup: ObjectLookup = async (resource, _ns, name) => objects.get(`${resource}/${name}`);
  const c = buildClaims({ issuer: ISS, serviceAccount: sa, pod, audiences: [ISS], expirationSeconds: 600, now });
  await checkBoundObjects(c, lookup, now);
  objects.set('pods/p', { ...pod, metadata: { ...pod.metadata, uid: 'recreated' } });
  await assert.rejects(checkBoundObjects(c, lookup, now), /pod UID \(recreated\) does not match claim \(pod-uid\)/);
  objects.set('pods/p', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2025-12-31T23:58:00Z' } });
  await assert.rejects(checkBoundObjects(c, lookup, now), /pod has been deleted/);
  // Deleted only moments ago: still good (upstream's 60 s grace).
  objects.set('pods/p', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2025-12-31T23:59:50Z' } });
  await checkBoundObjects(c, lookup, now);
  objects.delete('pods/p');
  await assert.rejects(checkBoundObjects(c, lookup, now), /pod ns1\/p no longer exists/);
  objects.set('serviceaccounts/robot', { ...sa, metadata: { ...sa.metadata, uid: 'new' } });
  await assert.rejects(checkBoundObjects(c, lookup, now), /service account UID/);
  objects.delete('serviceaccounts/robot');
  await assert.rejects(checkBoundObjects(c, lookup, now), /no longer exists/);
});

test('a node-bound token needs its node; the node of a pod-bound token is not checked', async () => {
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-uid' } };
  const objects = new Map<string, KubeObject>([['serviceaccounts/robot', sa], ['pods/p', pod], ['nodes/n1', node]]);
  const lookup: ObjectLookup = async (resource, ns, name) => (resource === 'nodes' && ns !== '' ? undefined : objects.get(`${resource}/${name}`));
  const nodeBound = buildClaims({ issuer: ISS, serviceAccount: sa, node, audiences: [ISS], expirationSeconds: 600, now });
  assert.deepEqual(nodeBound['kubernetes.io'].node, { name: 'n1', uid: 'node-uid' });
  const podOnNode = buildClaims({ issuer: ISS, serviceAccount: sa, pod, node, audiences: [ISS], expirationSeconds: 600, now });
  await checkBoundObjects(nodeBound, lookup, now);
  objects.delete('nodes/n1');
  await checkBoundObjects(podOnNode, lookup, now);
  await assert.rejects(checkBoundObjects(nodeBound, lookup, now), /node n1 no longer exists/);
});
