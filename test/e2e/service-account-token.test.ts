// TokenRequest (serviceaccounts/token) and service account bearer tokens against a real
// `skiff server`, with real kubectl 1.33 (`kubectl create token`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { kubectl, removeDir, startServer, waitUntil, type RunningServer } from './harness.ts';
import { decodeJwtUnverified, signingKey, signJwt } from '../../src/apiserver/serviceaccount/jwt.ts';

const AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

describe('service account tokens', () => {
  let srv: RunningServer;
  let caPem: string;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl('1.33', srv, args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };

  /** A request with only a bearer token (no client certificate). */
  const call = (method: string, path: string, token: string, body?: unknown): Promise<{ code: number; body: any }> => new Promise((resolve, reject) => {
    const url = new URL(path, srv.url);
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(url, {
      method, ca: caPem, agent: false,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(data);
  });

  before(async () => {
    srv = await startServer();
    caPem = await readFile(join(srv.dataDir, 'pki', 'ca.crt'), 'utf8');
    // With RBAC, a service account may act only where a binding lets it: these tests' accounts (of
    // any namespace) read default's pods and ask for tokens there.
    await ok(['create', 'rolebinding', 'serviceaccounts-edit', '--clusterrole=edit', '--group=system:serviceaccounts', '-n', 'default']);
  });
  after(async () => {
    await srv.stop();
    await removeDir(srv.dataDir);
  });

  test('the signing key pair is created beside the PKI, the private key readable by its owner only', async () => {
    const st = await stat(join(srv.dataDir, 'pki', 'sa.key'));
    assert.equal(st.mode & 0o777, 0o600);
    assert.match(await readFile(join(srv.dataDir, 'pki', 'sa.pub'), 'utf8'), /BEGIN PUBLIC KEY/);
  });

  test('kubectl create token gives a bearer token that authenticates until the service account is deleted', async () => {
    await ok(['create', 'serviceaccount', 'robot']);
    const uid = JSON.parse(await ok(['get', 'serviceaccount', 'robot', '-o', 'json'])).metadata.uid as string;
    const token = (await ok(['create', 'token', 'robot'])).trim();
    const { header, claims } = decodeJwtUnverified(token);
    assert.equal(header.alg, 'RS256');
    assert.equal(claims.iss, AUDIENCE);
    assert.equal(claims.sub, 'system:serviceaccount:default:robot');
    assert.deepEqual(claims.aud, [AUDIENCE]);
    assert.equal((claims.exp as number) - (claims.iat as number), 3600);
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid } });

    const pods = await call('GET', '/api/v1/namespaces/default/pods', token);
    assert.equal(pods.code, 200, JSON.stringify(pods.body));
    assert.equal(pods.body.kind, 'PodList');

    await ok(['delete', 'serviceaccount', 'robot']);
    const after = await call('GET', '/api/v1/namespaces/default/pods', token);
    assert.equal(after.code, 401);
    assert.equal(after.body.reason, 'Unauthorized');
  });

  test('a token for another audience, a forged token and an expired token are refused with 401', async () => {
    await ok(['create', 'serviceaccount', 'guard']);
    const other = (await ok(['create', 'token', 'guard', '--audience', 'vault', '--duration', '20m'])).trim();
    // kubectl 1.33 sends the TokenRequest in protobuf: audience and duration survive the decoding.
    const otherClaims = decodeJwtUnverified(other).claims;
    assert.deepEqual(otherClaims.aud, ['vault']);
    assert.equal((otherClaims.exp as number) - (otherClaims.iat as number), 1200);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', other)).code, 401);

    const good = (await ok(['create', 'token', 'guard'])).trim();
    const { claims } = decodeJwtUnverified(good);
    // Same claims signed by a key the server does not know.
    const foreign = signingKey(createPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' })));
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', signJwt(claims, foreign))).code, 401);
    // The server's own key, but expired: sign with the key on disk.
    const own = signingKey(createPrivateKey(await readFile(join(srv.dataDir, 'pki', 'sa.key'), 'utf8')));
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }, own);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', expired)).code, 401);
    // A tampered payload with the original signature.
    const [h, , sig] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:default:admin' })).toString('base64url')}.${sig}`;
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', tampered)).code, 401);
    // The genuine one still works.
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', good)).code, 200);
  });

  test('a token bound to a pod names the pod and stops working once the pod is gone', async () => {
    await ok(['create', 'serviceaccount', 'worker']);
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound', namespace: 'default' },
      spec: { serviceAccountName: 'worker', containers: [{ name: 'c', image: 'busybox' }] },
    }));
    const podUid = JSON.parse(await ok(['get', 'pod', 'bound', '-o', 'json'])).metadata.uid as string;
    const token = (await ok(['create', 'token', 'worker', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound'])).trim();
    const k8s = decodeJwtUnverified(token).claims['kubernetes.io'] as Record<string, any>;
    assert.deepEqual(k8s.pod, { name: 'bound', uid: podUid });
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', token)).code, 200);

    const wrongUid = await kubectl('1.33', srv, ['create', 'token', 'worker', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound', '--bound-object-uid', 'not-the-uid']);
    assert.notEqual(wrongUid.code, 0);
    assert.match(wrongUid.stderr, /does not match the UID in record/);
    const missing = await kubectl('1.33', srv, ['create', 'token', 'worker', '--bound-object-kind', 'Pod', '--bound-object-name', 'absent']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /pods "absent" not found/);
    const otherSa = await kubectl('1.33', srv, ['create', 'token', 'guard', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound']);
    assert.notEqual(otherSa.code, 0);
    assert.match(otherSa.stderr, /cannot bind token for serviceaccount "guard"/);

    // No node runs the pod: a forced delete removes it at once.
    await ok(['delete', 'pod', 'bound', '--grace-period=0', '--force']);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', token)).code, 401);
  });

  test('a token for a pod on a node names the node too; a token bound to a node lives as long as the node', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }));
    const nodeUid = JSON.parse(await ok(['get', 'node', 'n1', '-o', 'json'])).metadata.uid as string;
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'placed', namespace: 'default' },
      spec: { serviceAccountName: 'guard', nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    }));
    const podToken = (await ok(['create', 'token', 'guard', '--bound-object-kind', 'Pod', '--bound-object-name', 'placed'])).trim();
    assert.deepEqual((decodeJwtUnverified(podToken).claims['kubernetes.io'] as Record<string, any>).node, { name: 'n1', uid: nodeUid });
    const nodeToken = (await ok(['create', 'token', 'guard', '--bound-object-kind', 'Node', '--bound-object-name', 'n1'])).trim();
    const k8s = decodeJwtUnverified(nodeToken).claims['kubernetes.io'] as Record<string, any>;
    assert.deepEqual(k8s.node, { name: 'n1', uid: nodeUid });
    assert.equal(k8s.pod, undefined);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', nodeToken)).code, 200);
    await ok(['delete', 'pod', 'placed', '--grace-period=0', '--force']);
    await ok(['delete', 'node', 'n1']);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', nodeToken)).code, 401);
  });

  test('kubectl 1.27 to 1.32 create token too', async () => {
    for (const version of ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32']) {
      const r = await kubectl(version, srv, ['create', 'token', 'guard', '--duration', '15m']);
      assert.equal(r.code, 0, `kubectl ${version}: ${r.stderr}`);
      const { claims } = decodeJwtUnverified(r.stdout.trim());
      assert.equal(claims.sub, 'system:serviceaccount:default:guard', version);
      assert.equal((claims.exp as number) - (claims.iat as number), 900, version);
      assert.equal((await call('GET', '/api/v1/namespaces/default/pods', r.stdout.trim())).code, 200, version);
    }
  });

  test('every namespace gets a "default" service account, made again when deleted; kubectl create token default works', async () => {
    const getDefault = async (ns: string): Promise<string | undefined> => {
      const r = await kubectl('1.33', srv, ['get', 'serviceaccount', 'default', '-n', ns, '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 ? r.stdout : undefined;
    };
    await waitUntil(async () => (await getDefault('default')) !== undefined, 20_000, 'default/default');
    await ok(['create', 'namespace', 'team']);
    await waitUntil(async () => (await getDefault('team')) !== undefined, 20_000, 'team/default');
    const first = await getDefault('team');
    await ok(['delete', 'serviceaccount', 'default', '-n', 'team']);
    await waitUntil(async () => { const uid = await getDefault('team'); return uid !== undefined && uid !== first; }, 20_000, 'team/default made again');
    const token = (await ok(['create', 'token', 'default', '-n', 'team'])).trim();
    assert.equal(decodeJwtUnverified(token).claims.sub, 'system:serviceaccount:team:default');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', token)).code, 200);
    // Deleting the namespace is not held up by the account being made again.
    assert.match(await ok(['delete', 'namespace', 'team', '--timeout=60s']), /namespace "team" deleted/);
    assert.match((await kubectl('1.33', srv, ['get', 'namespace', 'team'])).stderr, /not found/);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', token)).code, 401);
  });

  test('discovery lists serviceaccounts/token as a create-only TokenRequest subresource', async () => {
    const list = JSON.parse(await ok(['get', '--raw', '/api/v1']));
    const sub = list.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token');
    assert.deepEqual({ kind: sub.kind, group: sub.group, version: sub.version, verbs: sub.verbs }, { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] });
  });

  test('TokenRequest errors: unknown service account 404, too short an expiry 422, the answer has status.token and expirationTimestamp', async () => {
    const admin = (await ok(['create', 'token', 'guard'])).trim();
    const missing = await call('POST', '/api/v1/namespaces/default/serviceaccounts/nobody/token', admin, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'serviceaccounts "nobody" not found');
    const short = await call('POST', '/api/v1/namespaces/default/serviceaccounts/guard/token', admin, { spec: { expirationSeconds: 60 } });
    assert.equal(short.code, 422);
    assert.match(short.body.message, /spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
    const made = await call('POST', '/api/v1/namespaces/default/serviceaccounts/guard/token', admin, { spec: { audiences: ['a', 'b'], expirationSeconds: 700 } });
    assert.equal(made.code, 201);
    assert.equal(made.body.kind, 'TokenRequest');
    assert.deepEqual(made.body.spec.audiences, ['a', 'b']);
    const exp = Date.parse(made.body.status.expirationTimestamp);
    assert.equal(exp / 1000, decodeJwtUnverified(made.body.status.token).claims.exp);
    const kubectlSa = await kubectl('1.33', srv, ['create', 'token', 'nobody']);
    assert.notEqual(kubectlSa.code, 0);
    assert.match(kubectlSa.stderr, /serviceaccounts "nobody" not found/);
  });

  test('tokens outlive a restart: the signing key is kept in the data directory', async () => {
    const token = (await ok(['create', 'token', 'guard'])).trim();
    await srv.stop();
    srv = await startServer({ dataDir: srv.dataDir });
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', token)).code, 200);
  });
});
