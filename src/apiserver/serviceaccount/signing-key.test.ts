import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServiceAccountKey } from './signing-key.ts';
import { signJwt, verifyJwt } from './jwt.ts';

test('the key is created once (0600), reused at the next start, and a corrupt key file is an error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-sakey-'));
  try {
    const pki = join(dir, 'pki');
    const first = await ensureServiceAccountKey(pki);
    assert.equal(first.alg, 'RS256');
    assert.equal((await stat(join(pki, 'sa.key'))).mode & 0o777, 0o600);
    assert.match(await readFile(join(pki, 'sa.pub'), 'utf8'), /BEGIN PUBLIC KEY/);
    const second = await ensureServiceAccountKey(pki);
    assert.equal(second.kid, first.kid);
    assert.deepEqual(verifyJwt(signJwt({ a: 1 }, first), second), { a: 1 });
    await writeFile(join(pki, 'sa.key'), 'garbage');
    await assert.rejects(ensureServiceAccountKey(pki), /Cannot load the service account signing key/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
