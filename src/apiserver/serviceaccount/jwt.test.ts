import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwtUnverified, JwtError, keyId, looksLikeJwt, signingKey, signJwt, verifyJwt } from './jwt.ts';

const rsa = signingKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const ec = signingKey(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);

test('RS256 and ES256 tokens verify with their own key and carry alg and kid', () => {
  for (const [key, alg] of [[rsa, 'RS256'], [ec, 'ES256']] as const) {
    const token = signJwt({ sub: 'x', n: 1 }, key);
    assert.ok(looksLikeJwt(token));
    assert.deepEqual(verifyJwt(token, key), { sub: 'x', n: 1 });
    const { header } = decodeJwtUnverified(token);
    assert.equal(header.alg, alg);
    assert.equal(header.kid, keyId(key.publicKey));
  }
  // ES256 signatures are 64 bytes r||s, as JWS requires (not DER).
  assert.equal(Buffer.from(signJwt({}, ec).split('.')[2]!, 'base64url').length, 64);
});

test('a token signed by another key, with a changed payload or another alg is refused', () => {
  const other = signingKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  const token = signJwt({ sub: 'a' }, rsa);
  assert.throws(() => verifyJwt(token, other), (e: unknown) => e instanceof JwtError && e.code === 'signature');
  const [h, , s] = token.split('.');
  const changed = `${h}.${Buffer.from('{"sub":"b"}').toString('base64url')}.${s}`;
  assert.throws(() => verifyJwt(changed, rsa), (e: unknown) => e instanceof JwtError && e.code === 'signature');
  // alg "none" and an algorithm that does not fit the key.
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.x`;
  assert.throws(() => verifyJwt(none, rsa), (e: unknown) => e instanceof JwtError && e.code === 'algorithm');
  assert.throws(() => verifyJwt(signJwt({}, ec), rsa), (e: unknown) => e instanceof JwtError && e.code === 'algorithm');
});

test('malformed tokens are refused without throwing anything but JwtError', () => {
  for (const t of ['', 'abc', 'a.b', 'a.b.c.d', '!!.x.y', `${Buffer.from('[1]').toString('base64url')}.e30.e30`]) {
    assert.throws(() => verifyJwt(t, rsa), JwtError, t);
  }
});

test('keys other than RSA and P-256 are rejected', () => {
  assert.throws(() => signingKey(generateKeyPairSync('ed25519').privateKey), /RSA or ECDSA P-256/);
  assert.throws(() => signingKey(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey), /RSA or ECDSA P-256/);
});
