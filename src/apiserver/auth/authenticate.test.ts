import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { authenticate, parseTokenFile, type UserInfo } from './authenticate.ts';
import { createCa, issueCert } from './certs.ts';
import { ensurePki, type Pki } from './pki.ts';

const TOKENS = parseTokenFile('s3cret,kubelet-n1,uid-7,"system:nodes,extra"\nother,bob,,\n');

describe('authenticate over real TLS', () => {
  let dir: string;
  let pki: Pki;
  let server: Server;
  let port: number;
  let seen: UserInfo | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-auth-'));
    pki = await ensurePki(dir, { hostnames: [], ips: [] });
    server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false }, (req: IncomingMessage, res) => {
      seen = authenticate(req, TOKENS);
      res.writeHead(seen ? 200 : 401).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  function get(opts: { cert?: string; key?: string; token?: string }): Promise<number> {
    seen = undefined;
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port, path: '/x', ca: pki.caCertPem, agent: false,
        ...(opts.cert ? { cert: opts.cert, key: opts.key } : {}),
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
      req.on('error', reject);
      req.end();
    });
  }

  it('takes the user from a client certificate signed by the CA', async () => {
    assert.equal(await get({ cert: pki.adminCertPem, key: pki.adminKeyPem }), 200);
    assert.deepEqual(seen, { name: 'skiff-admin', groups: ['system:masters', 'system:authenticated'] });
  });

  it('takes the user from a bearer token', async () => {
    assert.equal(await get({ token: 's3cret' }), 200);
    assert.deepEqual(seen, { name: 'kubelet-n1', uid: 'uid-7', groups: ['system:nodes', 'extra', 'system:authenticated'] });
    assert.equal(await get({ token: 'other' }), 200);
    assert.deepEqual(seen, { name: 'bob', groups: ['system:authenticated'] });
  });

  it('rejects an unknown token and a missing credential', async () => {
    assert.equal(await get({ token: 's3cre' }), 401);
    assert.equal(seen, undefined);
    assert.equal(await get({}), 401);
  });

  it('ignores a certificate from another CA', async () => {
    const otherCa = await createCa('other-ca', 10);
    const stranger = await issueCert(otherCa, { cn: 'skiff-admin', orgs: ['system:masters'], usage: 'client', days: 1 });
    assert.equal(await get({ cert: stranger.certPem, key: stranger.keyPem }), 401);
  });

  it('ignores a CA-signed certificate that is only good for serving', async () => {
    // The serving certificate has the serverAuth EKU only; OpenSSL's client-purpose check fails it.
    assert.equal(await get({ cert: pki.serverCertPem, key: pki.serverKeyPem }), 401);
  });
});
