import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sha256Digest } from './digest.ts';
import { isDigestMismatch, isImageNotFound, isInvalidImage } from './errors.ts';
import { ImageStore } from './image-store.ts';
import { makeImage, makeLayer, snapshotTree, storeImage, withTempDir } from './test-fixtures.ts';

const base = () => makeLayer({
  entries: [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n' },
    { name: 'etc/hostname', data: 'base\n' },
    { name: 'var/', type: 'directory' },
    { name: 'var/cache/', type: 'directory' },
    { name: 'var/cache/old-a', data: 'a' },
    { name: 'var/cache/old-b', data: 'b' },
  ],
});

test('whiteouts and opaque dirs hide lower content in an overlay of the snapshots', () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const top = await makeLayer({
    entries: [
      { name: 'etc/.wh.passwd' },
      { name: 'var/cache/.wh..wh..opq' },
      { name: 'var/cache/fresh', data: 'f' },
    ],
    compression: 'zstd',
  });
  await storeImage(store, ['example.com/app:1'], makeImage([await base(), top]));
  const lower = await store.rootfsLayers('example.com/app:1');
  assert.equal(lower.length, 2);
  const merged = join(dir, 'merged');
  await mkdir(merged);
  // overlayfs lists the top layer first.
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${[...lower].reverse().join(':')}`, merged]);
  try {
    assert.deepEqual((await readdir(join(merged, 'etc'))).sort(), ['hostname']);
    assert.deepEqual(await readdir(join(merged, 'var/cache')), ['fresh']);
    assert.equal(await readFile(join(merged, 'etc/hostname'), 'utf8'), 'base\n');
  } finally {
    execFileSync('umount', [merged]);
  }
}));

test('a layer shared by two images is unpacked once; inspect, list and remove', () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const shared = await base();
  const one = makeImage([shared, await makeLayer({ entries: [{ name: 'one', data: '1' }] })], { config: { Entrypoint: ['/one'], Env: ['A=1'], WorkingDir: '/w', User: '10:10', ExposedPorts: { '80/tcp': {} } } });
  const two = makeImage([shared, await makeLayer({ entries: [{ name: 'two', data: '2' }] })]);
  await storeImage(store, ['one'], one);
  await storeImage(store, ['two:latest', 'docker.io/library/two:v2'], two);
  assert.equal((await store.snapshots.list()).length, 3);
  assert.equal((await store.rootfsLayers('one'))[0], (await store.rootfsLayers('docker.io/library/two:v2'))[0]);

  const info = await store.inspectImage('docker.io/library/one:latest');
  assert.equal(info.digest, one.manifestDigest);
  assert.deepEqual(info.names, ['docker.io/library/one:latest']);
  assert.deepEqual(info.config.Entrypoint, ['/one']);
  assert.deepEqual(info.config.ExposedPorts, ['80/tcp']);
  assert.equal(info.config.User, '10:10');
  assert.equal(info.config.WorkingDir, '/w');
  assert.deepEqual(info.layers.map((l) => l.diffId), one.layers.map((l) => l.diffId));
  assert.equal(info.size, one.config.length + one.layers.reduce((s, l) => s + l.blob.length, 0));
  assert.equal((await store.inspectImage(one.manifestDigest.slice(7, 19))).digest, one.manifestDigest);
  assert.equal((await store.inspectImage(`one@${one.manifestDigest}`)).digest, one.manifestDigest);

  const list = await store.listImages();
  assert.deepEqual(list.map((i) => i.names), [['docker.io/library/one:latest'], ['docker.io/library/two:latest', 'docker.io/library/two:v2']]);

  assert.deepEqual(await store.removeImage('two'), { untagged: ['docker.io/library/two:latest'], deleted: [] });
  assert.equal(await store.blobs.has(two.manifestDigest), true);
  assert.deepEqual(await store.removeImage('two:v2'), { untagged: ['docker.io/library/two:v2'], deleted: [two.manifestDigest, sha256Digest(two.config)] });
  assert.equal(await store.blobs.has(two.manifestDigest), false);
  await assert.rejects(store.inspectImage('two:v2'), isImageNotFound);
  await assert.rejects(store.removeImage('nope'), (err: unknown) => isImageNotFound(err) && err.message === 'image "nope" not found');
}));

test('prune removes what no image uses but keeps snapshots in use by containers', () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const shared = await base();
  const onlyA = await makeLayer({ entries: [{ name: 'a', data: 'a' }] });
  const onlyB = await makeLayer({ entries: [{ name: 'b', data: 'b' }] });
  await storeImage(store, ['a'], makeImage([shared, onlyA]));
  await storeImage(store, ['b'], makeImage([shared, onlyB]));
  await storeImage(store, ['c'], makeImage([await makeLayer({ entries: [{ name: 'c', data: 'c' }] })]));
  const runningFromB = await store.snapshotIds('b');
  await store.removeImage('b');
  await store.removeImage('c');
  const result = await store.prune({ inUseSnapshots: [`sha256:${runningFromB[1]}`] });
  assert.equal(result.snapshots.length, 1); // c's layer; b's top layer is in use
  assert.equal(result.blobs.length, 2); // the layer blobs of b and c
  assert.ok(result.reclaimedBytes > 0);
  const snaps = await store.snapshots.list();
  assert.deepEqual(snaps.sort(), [shared.diffId, onlyA.diffId, onlyB.diffId].map((d) => d.slice(7)).sort());
  assert.equal((await store.rootfsLayers('a')).length, 2);
  const again = await store.prune();
  assert.deepEqual(again.snapshots, [onlyB.diffId.slice(7)]);
  assert.deepEqual(again.blobs, []);
}));

test('a truncated gzip layer fails with a clear error and leaves the store as it was', () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  await storeImage(store, ['kept'], makeImage([await base()]));
  const before = snapshotTree(store.root);
  const good = await makeLayer({ entries: [{ name: 'big', data: Buffer.alloc(200_000, 1) }] });
  const cut = good.blob.subarray(0, good.blob.length - 100);
  const broken = { ...good, blob: cut, descriptor: { ...good.descriptor, digest: sha256Digest(cut), size: cut.length } };
  const image = makeImage([await base(), broken]);
  await assert.rejects(storeImage(store, ['broken'], image), (err: unknown) => {
    assert.ok(isInvalidImage(err));
    assert.match(err.message, /^image broken: layer 2 \(sha256:[0-9a-f]{64}\): truncated or corrupt gzip data: unexpected end of file$/);
    return true;
  });
  assert.equal(snapshotTree(store.root), before);
  await assert.rejects(store.inspectImage('broken'), isImageNotFound);
}));

test('a layer whose content does not match its diff_id is refused', () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const layer = await makeLayer({ entries: [{ name: 'x', data: 'x' }] });
  const lying = { ...layer, diffId: sha256Digest('not this') };
  await assert.rejects(storeImage(store, ['liar'], makeImage([lying])), (err: unknown) => isDigestMismatch(err) && /diff_id/.test(err.message));
  assert.deepEqual(await store.snapshots.list(), []);
  assert.deepEqual(await store.blobs.list(), []);
}));

test('a snapshot removed behind the store\'s back is unpacked again', () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  await storeImage(store, ['again'], makeImage([await base()]));
  const [fs] = await store.rootfsLayers('again');
  await rm(join(fs!, '..'), { recursive: true });
  const [fs2] = await store.rootfsLayers('again');
  assert.equal(fs2, fs);
  assert.equal(await readFile(join(fs2!, 'etc/hostname'), 'utf8'), 'base\n');
}));
