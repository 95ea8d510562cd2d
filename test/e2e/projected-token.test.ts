// `skiff up` end to end: a pod's projected serviceAccountToken volume holds a token the node agent
// got from the API server's TokenRequest, bound to the pod. Pods cannot reach the API server yet
// (no service network), so the test reads the file with kubectl exec and uses the token from here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../src/runtime/engine.ts';
import { decodeJwtUnverified } from '../../src/apiserver/serviceaccount/jwt.ts';
import { kubectl, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const cgroupRoot = `/skiff-e2e-tok-${hex}`;
const bridge = `skifft${hex}`;
const nodeName = `tok-${hex}`;
const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
let cluster: UpCluster;
let server: RunningServer;
let dataDir: string;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: tokens
spec:
  serviceAccountName: reader
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "exec sleep 3600"]
    volumeMounts:
    - { name: tokens, mountPath: /var/run/tokens }
  volumes:
  - name: tokens
    projected:
      sources:
      - serviceAccountToken: { path: api-token }
      - serviceAccountToken: { path: vault-token, audience: vault, expirationSeconds: 7200 }
`;

function getPods(token: string, caPem: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/api/v1/namespaces/default/pods', server.url), { ca: caPem, agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  cluster = await startUpCluster({ label: 'tok', nodeName, cgroupRoot, bridge, subnetBase: 208 });
  server = cluster.server;
  dataDir = cluster.dataDir;
});

after(async () => {
  await cluster.stop();
});

describe('projected service account tokens on skiff up', () => {
  test('TokenRequestProjection should mount a projected volume with token using TokenRequest API.', async () => {
    const sa = await kubectl('1.33', server, ['create', 'serviceaccount', 'reader']);
    assert.equal(sa.code, 0, sa.stderr);
    const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: POD });
    assert.equal(applied.code, 0, applied.stderr);
    const waited = await kubectl('1.33', server, ['wait', '--for=condition=Ready', 'pod/tokens', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(waited.code, 0, `${waited.stderr}\n${server.logs().slice(-2000)}`);
    const pod = JSON.parse((await kubectl('1.33', server, ['get', 'pod', 'tokens', '-o', 'json'])).stdout);

    const read = async (file: string): Promise<string> => {
      const r = await kubectl('1.33', server, ['exec', 'tokens', '--', 'cat', `/var/run/tokens/${file}`]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    const apiToken = await read('api-token');
    const vaultToken = await read('vault-token');
    for (const [token, aud, lifetime] of [[apiToken, API_AUDIENCE, 3600], [vaultToken, 'vault', 7200]] as const) {
      const { claims } = decodeJwtUnverified(token);
      assert.equal(claims.sub, 'system:serviceaccount:default:reader');
      assert.deepEqual(claims.aud, [aud]);
      assert.equal((claims.exp as number) - (claims.iat as number), lifetime);
      const k8s = claims['kubernetes.io'] as Record<string, any>;
      assert.deepEqual(k8s.pod, { name: 'tokens', uid: pod.metadata.uid });
      assert.equal(k8s.node?.name, nodeName);
    }

    // The token for the API server's audience authenticates while the pod lives; the other does not.
    const caPem = await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');
    // Authenticated (403 from RBAC, which grants this account nothing), not refused (401).
    assert.equal(await getPods(apiToken, caPem), 403);
    assert.equal(await getPods(vaultToken, caPem), 401);

    const deleted = await kubectl('1.33', server, ['delete', 'pod', 'tokens', '--wait=true'], { timeoutMs: 60_000 });
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(await getPods(apiToken, caPem), 401);
    const engine = await Engine.open({ dataDir: join(dataDir, 'node', 'engine') });
    await waitUntil(async () => (await engine.sandboxes.list()).length === 0, 20_000, 'the pod sandbox is removed');
  });
});
