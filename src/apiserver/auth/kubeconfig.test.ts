import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { authenticate, parseTokenFile } from './authenticate.ts';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.ts';
import { ensurePki, type Pki } from './pki.ts';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

describe('renderKubeconfig', () => {
  it('embeds the CA and client credentials as base64', () => {
    const doc = parse(renderKubeconfig({
      server: 'https://127.0.0.1:6443', caCertPem: 'CA', clientCertPem: 'CERT', clientKeyPem: 'KEY',
      clusterName: 'c', userName: 'u', contextName: 'x', namespace: 'ns',
    }));
    assert.deepEqual(doc, {
      apiVersion: 'v1', kind: 'Config', preferences: {},
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } }],
      users: [{ name: 'u', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'ns' } }],
      'current-context': 'x',
    });
  });

  it('writes a token user and refuses half a key pair', () => {
    const doc = parse(renderKubeconfig({ server: 'https://h', caCertPem: 'CA', token: 't0k' }));
    assert.deepEqual(doc.users, [{ name: 'skiff-admin', user: { token: 't0k' } }]);
    assert.equal(doc['current-context'], 'skiff');
    assert.throws(() => renderKubeconfig({ server: 'https://h', caCertPem: 'CA', clientCertPem: 'C' }), /go together/);
  });
});

describe('kubectl accepts the PKI and kubeconfig', { skip: existsSync(KUBECTL) ? false : `${KUBECTL} not installed` }, () => {
  let dir: string;
  let pki: Pki;
  let server: Server;
  let url: string;
  const tokens = parseTokenFile('agent-token,agent,a1,"system:nodes"\n');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-kubeconfig-'));
    pki = await ensurePki(join(dir, 'pki'), { hostnames: [], ips: [] });
    server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false }, (req: IncomingMessage, res) => {
      const user = authenticate(req, tokens);
      if (!user) { res.writeHead(401, { 'content-type': 'application/json' }).end('{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}'); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: user.name, groups: user.groups, path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  function kubectl(kubeconfig: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
  }

  it('authenticates with the admin client certificate', async () => {
    const path = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(path, { server: url, caCertPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.match(await readFile(path, 'utf8'), /certificate-authority-data: /);
    const r = await kubectl(path, 'get', '--raw', '/x');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { user: 'skiff-admin', groups: ['system:masters', 'system:authenticated'], path: '/x' });
  });

  it('authenticates with a bearer token', async () => {
    const path = join(dir, 'token.kubeconfig');
    await writeKubeconfig(path, { server: url, caCertPem: pki.caCertPem, token: 'agent-token', userName: 'agent' });
    const r = await kubectl(path, 'get', '--raw', '/x');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).user, 'agent');
  });

  it('is refused with an unknown token', async () => {
    // (With no credentials at all kubectl answers a 401 by prompting for a user name.)
    const path = join(dir, 'wrong.kubeconfig');
    await writeKubeconfig(path, { server: url, caCertPem: pki.caCertPem, token: 'wrong-token' });
    const r = await kubectl(path, 'get', '--raw', '/x');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /Unauthorized|must be logged in|401/, JSON.stringify(r));
  });
});
