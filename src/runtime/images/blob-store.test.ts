import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { BlobStore } from './blob-store.ts';
import { sha256Digest } from './digest.ts';
import { isDigestMismatch, isInvalidImage } from './errors.ts';
import { withTempDir } from './test-fixtures.ts';

test('blobs are stored under their digest and verified on write', () => withTempDir(async (root) => {
  const blobs = new BlobStore(root);
  await blobs.init();
  const data = Buffer.from('hello blob');
  const digest = sha256Digest(data);
  const w = await blobs.write(Readable.from([data.subarray(0, 4), data.subarray(4)]), { digest, size: data.length });
  assert.deepEqual(w, { digest, size: data.length, created: true });
  assert.equal(blobs.path(digest), `${root}/blobs/sha256/${digest.slice(7)}`);
  assert.deepEqual(await readFile(blobs.path(digest)), data);
  assert.equal((await blobs.write(data, { digest })).created, false);
  assert.deepEqual(await blobs.list(), [digest]);
}));

test('a digest mismatch throws DigestMismatch and leaves nothing', () => withTempDir(async (root) => {
  const blobs = new BlobStore(root);
  await blobs.init();
  const wrong = sha256Digest('something else');
  await assert.rejects(blobs.write(Buffer.from('payload'), { digest: wrong, what: 'layer 1' }), (err: unknown) => {
    assert.ok(isDigestMismatch(err));
    assert.match(err.message, /^layer 1: digest mismatch: expected sha256:[0-9a-f]{64}, got sha256:/);
    assert.equal(err.code, 'DIGEST_MISMATCH');
    return true;
  });
  assert.deepEqual(await blobs.list(), []);
  assert.deepEqual(await readdir(blobs.tmpDir), []);
  assert.equal(await blobs.has(wrong), false);
}));

test('a size mismatch is refused too', () => withTempDir(async (root) => {
  const blobs = new BlobStore(root);
  await blobs.init();
  const data = Buffer.from('payload');
  await assert.rejects(blobs.write(data, { digest: sha256Digest(data), size: 3 }), (err: unknown) => isInvalidImage(err) && /size mismatch/.test(err.message));
  assert.deepEqual(await blobs.list(), []);
}));

test('a failing source leaves no temp file', () => withTempDir(async (root) => {
  const blobs = new BlobStore(root);
  await blobs.init();
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('part');
    throw new Error('connection reset');
  }
  await assert.rejects(blobs.write(broken()), /connection reset/);
  assert.deepEqual(await readdir(blobs.tmpDir), []);
  assert.deepEqual(await blobs.list(), []);
}));
