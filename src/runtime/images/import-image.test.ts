import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isInvalidImage } from './errors.ts';
import { ImageStore } from './image-store.ts';
import { importImage } from './import-image.ts';
import { makeImage, makeLayer, snapshotTree, withTempDir, writeOciLayout } from './test-fixtures.ts';

const haveTools = existsSync('/usr/bin/umoci') && existsSync('/usr/bin/skopeo');
const skipTools = haveTools ? false : 'umoci and skopeo are not installed (scripts/apt-packages.txt)';

function sh(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A two-layer image made by umoci: files inserted, then one deleted and a dir added via unpack + repack. */
async function umociLayout(dir: string): Promise<string> {
  const layout = join(dir, 'layout');
  sh('umoci', ['init', '--layout', layout], dir);
  sh('umoci', ['new', '--image', `${layout}:v1`], dir);
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/a'), 'hello\n');
  await writeFile(join(dir, 'src/b'), 'keep\n');
  sh('umoci', ['insert', '--image', `${layout}:v1`, join(dir, 'src'), '/data'], dir);
  sh('umoci', ['unpack', '--image', `${layout}:v1`, join(dir, 'bundle')], dir);
  await rm(join(dir, 'bundle/rootfs/data/a'));
  await mkdir(join(dir, 'bundle/rootfs/more'));
  sh('umoci', ['repack', '--image', `${layout}:v1`, join(dir, 'bundle')], dir);
  await rm(join(dir, 'bundle'), { recursive: true });
  return layout;
}

test('an OCI layout made by umoci imports, as a directory and as a tar', { skip: skipTools }, () => withTempDir(async (dir) => {
  const layout = await umociLayout(dir);
  const store = await ImageStore.open(join(dir, 'images'));
  await assert.rejects(importImage(store, layout), /is named only by the tag "v1"; give the full name with --name/);
  const [image] = await importImage(store, layout, { name: 'umoci/test:v1' });
  assert.deepEqual(image?.names, ['docker.io/umoci/test:v1']);
  const lower = await store.rootfsLayers('umoci/test:v1');
  assert.equal(lower.length, 2);
  assert.equal(await readFile(join(lower[0]!, 'data/b'), 'utf8'), 'keep\n');
  const whiteout = await lstat(join(lower[1]!, 'data/a'));
  assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0);
  assert.ok((await lstat(join(lower[1]!, 'more'))).isDirectory());

  execFileSync('tar', ['-cf', join(dir, 'layout.tar'), '-C', layout, '.']);
  const [fromTar] = await importImage(store, join(dir, 'layout.tar'), { name: 'umoci/test:tar' });
  assert.equal(fromTar?.digest, image?.digest);
  assert.equal((await store.snapshots.list()).length, 2);
  assert.deepEqual(await readdir(store.blobs.tmpDir), []);
}));

test('a docker-archive made by skopeo imports with its RepoTags', { skip: skipTools }, () => withTempDir(async (dir) => {
  const layout = await umociLayout(dir);
  const archive = join(dir, 'docker.tar');
  sh('skopeo', ['copy', '--quiet', `oci:${layout}:v1`, `docker-archive:${archive}:example.com/team/app:2.0`], dir);
  const store = await ImageStore.open(join(dir, 'images'));
  const [image] = await importImage(store, archive);
  assert.deepEqual(image?.names, ['example.com/team/app:2.0']);
  const info = await store.inspectImage('example.com/team/app:2.0');
  assert.deepEqual(info.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.v1.tar']);
  const lower = await store.rootfsLayers('example.com/team/app:2.0');
  assert.equal(await readFile(join(lower[0]!, 'data/b'), 'utf8'), 'keep\n');
  assert.ok((await lstat(join(lower[1]!, 'data/a'))).isCharacterDevice());
  // Same layers as the umoci import: the snapshots are shared.
  await importImage(store, layout, { name: 'umoci/test:v1' });
  assert.equal((await store.snapshots.list()).length, 2);
}));

test('a manifest list yields the linux/amd64 image, named by its annotation', () => withTempDir(async (dir) => {
  const amd = makeImage([await makeLayer({ entries: [{ name: 'arch', data: 'amd64' }] })]);
  const arm = makeImage([await makeLayer({ entries: [{ name: 'arch', data: 'arm64' }] })], { architecture: 'arm64' });
  const single = makeImage([await makeLayer({ entries: [{ name: 'single', data: 's' }], compression: 'zstd' })]);
  await writeOciLayout(join(dir, 'layout'), [
    { image: amd, refName: 'example.com/multi:1', listWith: [{ platform: { os: 'linux', architecture: 'arm64' }, image: arm }] },
    { image: single, refName: 'registry.local:5000/single:2' },
  ]);
  const store = await ImageStore.open(join(dir, 'images'));
  const images = await importImage(store, join(dir, 'layout'), { platform: { os: 'linux', architecture: 'amd64' } });
  assert.deepEqual(images.map((i) => i.names), [['example.com/multi:1'], ['registry.local:5000/single:2']]);
  assert.equal(images[0]?.digest, amd.manifestDigest);
  const [fs] = await store.rootfsLayers('example.com/multi:1');
  assert.equal(await readFile(join(fs!, 'arch'), 'utf8'), 'amd64');
  await assert.rejects(
    importImage(store, join(dir, 'layout'), { platform: { os: 'linux', architecture: 's390x' } }),
    /index.json manifests\[0\]: no linux\/s390x image in index sha256:[0-9a-f]+ \(it has: linux\/arm64, linux\/amd64\)/,
  );
}));

test('corrupt or truncated archives give a clear error and leave the store as it was', () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  const good = makeImage([await makeLayer({ entries: [{ name: 'f', data: Buffer.alloc(50_000, 3) }] })]);
  await writeOciLayout(join(dir, 'seed'), [{ image: good, refName: 'seed:1' }]);
  await importImage(store, join(dir, 'seed'));
  const before = snapshotTree(store.root);

  const image = makeImage([
    await makeLayer({ entries: [{ name: 'one', data: randomBytes(30_000) }] }),
    await makeLayer({ entries: [{ name: 'two', data: randomBytes(30_000) }] }),
  ]);
  const layout = join(dir, 'layout');
  await writeOciLayout(layout, [{ image, refName: 'example.com/x:1' }]);
  execFileSync('tar', ['-cf', join(dir, 'image.tar'), '-C', layout, '.']);

  // Truncated archive.
  const truncated = join(dir, 'truncated.tar');
  await writeFile(truncated, (await readFile(join(dir, 'image.tar'))).subarray(0, 40_000));
  await assert.rejects(importImage(store, truncated), (err: unknown) => {
    assert.ok(isInvalidImage(err));
    assert.match(err.message, /^Cannot import ".*truncated\.tar": archive: truncated or corrupt tar: Unexpected end of data$/);
    return true;
  });
  assert.equal(snapshotTree(store.root), before);

  // A layer blob whose bytes were altered: its digest no longer matches.
  const second = join(layout, 'blobs/sha256', image.layers[1]!.descriptor.digest.slice(7));
  const data = await readFile(second);
  data[data.length - 20]! ^= 0xff;
  await writeFile(second, data);
  await assert.rejects(importImage(store, layout), /Cannot import ".*layout": index.json manifests\[0\]: layer 2: digest mismatch: expected sha256:/);
  assert.equal(snapshotTree(store.root), before);

  // A missing blob.
  await rm(second);
  await assert.rejects(importImage(store, layout), /index.json manifests\[0\]: layer 2: blob sha256:[0-9a-f]+ is missing from the layout/);
  await truncate(join(layout, 'index.json'), 10);
  await assert.rejects(importImage(store, layout), /Cannot import ".*layout": index.json: not valid JSON/);
  await assert.rejects(importImage(store, join(dir, 'nothing-here')), /Cannot import ".*nothing-here": no such file or directory/);
  await mkdir(join(dir, 'empty'));
  await assert.rejects(importImage(store, join(dir, 'empty')), /neither an OCI image layout \(oci-layout, index.json\) nor a docker-save archive \(manifest.json\)/);
  assert.equal(snapshotTree(store.root), before);
}));
