import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { ensurePki, issueClientCert, PKI_FILES, type Pki } from './pki.ts';

describe('ensurePki', () => {
  let dir: string;
  let first: Pki;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-pki-'));
    first = await ensurePki(dir, { hostnames: ['node-a.example'], ips: ['10.1.2.3'] });
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('generates a CA, a serving certificate and an admin certificate', () => {
    const ca = new X509Certificate(first.caCertPem);
    assert.equal(ca.subject, 'CN=skiff-ca');
    assert.equal(ca.ca, true);
    const tenYears = new Date(ca.validTo).getTime() - Date.now();
    assert.ok(tenYears > 9.9 * 365 * 86400_000, 'CA valid ~10 years');

    const server = new X509Certificate(first.serverCertPem);
    assert.ok(server.verify(ca.publicKey));
    assert.equal(server.checkIssued(ca), true);
    for (const n of ['localhost', 'node-a.example', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc']) {
      assert.ok(server.checkHost(n), `SAN ${n}`);
    }
    assert.ok(server.checkIP('127.0.0.1'));
    assert.ok(server.checkIP('10.1.2.3'));
    assert.equal(server.checkHost('evil.example'), undefined);
    assert.match(server.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/);

    const admin = new X509Certificate(first.adminCertPem);
    assert.ok(admin.verify(ca.publicKey));
    assert.match(admin.subject, /CN=skiff-admin/);
    assert.match(admin.subject, /O=system:masters/);
    assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.equal(admin.ca, false);
  });

  it('keeps keys private and writes PEM files', async () => {
    for (const f of [PKI_FILES.caKey, PKI_FILES.serverKey, PKI_FILES.adminKey]) {
      assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f);
    }
    assert.equal(await readFile(join(dir, PKI_FILES.caCert), 'utf8'), first.caCertPem);
    assert.match(first.caKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  });

  it('loads the same material on a later start', async () => {
    const again = await ensurePki(dir, { hostnames: ['node-a.example'], ips: ['10.1.2.3'] });
    assert.deepEqual(again, first);
  });

  it('re-issues only a missing leaf', async () => {
    await unlink(join(dir, PKI_FILES.adminKey));
    const again = await ensurePki(dir, { hostnames: ['node-a.example'], ips: ['10.1.2.3'] });
    assert.equal(again.caCertPem, first.caCertPem);
    assert.equal(again.serverCertPem, first.serverCertPem);
    assert.notEqual(again.adminCertPem, first.adminCertPem);
    first = again;
  });

  it('re-issues the serving certificate when a new address is asked for', async () => {
    const again = await ensurePki(dir, { hostnames: ['node-a.example'], ips: ['10.1.2.3', '10.9.9.9'] });
    assert.equal(again.caCertPem, first.caCertPem);
    assert.equal(again.adminCertPem, first.adminCertPem);
    assert.ok(new X509Certificate(again.serverCertPem).checkIP('10.9.9.9'));
    first = again;
  });

  it('re-issues a leaf whose key no longer matches', async () => {
    await writeFile(join(dir, PKI_FILES.serverKey), first.adminKeyPem, { mode: 0o600 });
    const again = await ensurePki(dir, { hostnames: ['node-a.example'], ips: ['10.1.2.3', '10.9.9.9'] });
    assert.notEqual(again.serverCertPem, first.serverCertPem);
    assert.equal(again.adminCertPem, first.adminCertPem);
    first = again;
  });

  it('regenerates everything when the CA is missing', async () => {
    await unlink(join(dir, PKI_FILES.caCert));
    const again = await ensurePki(dir, { hostnames: [], ips: [] });
    assert.notEqual(again.caCertPem, first.caCertPem);
    const ca = new X509Certificate(again.caCertPem);
    assert.ok(new X509Certificate(again.serverCertPem).verify(ca.publicKey));
    assert.ok(new X509Certificate(again.adminCertPem).verify(ca.publicKey));
    first = again;
  });

  it('refuses a CA key that does not belong to the CA certificate', async () => {
    const other = await mkdtemp(join(tmpdir(), 'skiff-pki-'));
    try {
      await writeFile(join(other, PKI_FILES.caCert), first.caCertPem);
      await writeFile(join(other, PKI_FILES.caKey), first.adminKeyPem);
      await assert.rejects(ensurePki(other, { hostnames: [], ips: [] }), /does not belong/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('takes a host name among the addresses as a DNS name and skips wildcards', async () => {
    const again = await ensurePki(dir, { hostnames: [], ips: ['api.example', '0.0.0.0', '::'] });
    const server = new X509Certificate(again.serverCertPem);
    assert.ok(server.checkHost('api.example'));
    assert.ok(!server.subjectAltName?.includes('IP Address:0.0.0.0'));
    assert.equal(again.caCertPem, first.caCertPem);
    first = again;
  });

  it('issues client certificates for other users', async () => {
    const c = await issueClientCert(first, 'system:node:n1', ['system:nodes']);
    const cert = new X509Certificate(c.certPem);
    assert.match(cert.subject, /CN=system:node:n1/);
    assert.match(cert.subject, /O=system:nodes/);
    assert.ok(cert.verify(new X509Certificate(first.caCertPem).publicKey));
  });
});
