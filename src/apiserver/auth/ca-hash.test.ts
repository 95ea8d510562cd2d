import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { caCertHash, parseCaCertHash } from './ca-hash.ts';
import { createCa } from './certs.ts';

test('the pin is sha256 over the DER SubjectPublicKeyInfo (as `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum`)', async () => {
  const ca = await createCa('test-ca', 1);
  const spki = new X509Certificate(ca.certPem).publicKey.export({ type: 'spki', format: 'der' });
  assert.equal(caCertHash(ca.certPem), `sha256:${createHash('sha256').update(spki).digest('hex')}`);
  assert.match(caCertHash(ca.certPem), /^sha256:[0-9a-f]{64}$/);
  // Another CA, another pin; the same key, the same pin.
  assert.notEqual(caCertHash((await createCa('test-ca', 1)).certPem), caCertHash(ca.certPem));
});

test('pins parse as sha256:<64 hex>, with clear errors', () => {
  const hex = 'a'.repeat(64);
  assert.equal(parseCaCertHash(`sha256:${hex}`), `sha256:${hex}`);
  assert.equal(parseCaCertHash(`SHA256:${hex.toUpperCase()}`), `sha256:${hex}`);
  assert.throws(() => parseCaCertHash(hex), /missing the "sha256:" prefix/);
  assert.throws(() => parseCaCertHash(`md5:${hex}`), /unsupported hash type "md5"/);
  assert.throws(() => parseCaCertHash('sha256:abc'), /64 hex digits/);
});
