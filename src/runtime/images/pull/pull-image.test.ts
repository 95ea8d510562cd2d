import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ImageStore } from '../image-store.ts';
import { makeImage, makeLayer } from '../test-fixtures.ts';
import type { BuiltImage } from '../test-fixtures.ts';
import { isRemoteImageNotFound } from './errors.ts';
import type { PullEvent } from './pull-events.ts';
import { downloadDir, pullImage } from './pull-image.ts';
import { pushImage, skipRegistry, startProxy, startRegistry } from './registry-fixture.ts';
import type { TestProxy, TestRegistry } from './registry-fixture.ts';

let registry: TestRegistry;
let proxy: TestProxy;
let workDir: string;
let app: BuiltImage;
let amd64: BuiltImage;
let arm64: BuiltImage;

before(async () => {
  if (skipRegistry) return;
  workDir = await mkdtemp(join(tmpdir(), 'skiff-pull-'));
  registry = await startRegistry(join(workDir, 'registry'));
  proxy = await startProxy(registry.host);
  const base = await makeLayer({ entries: [{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', data: 'ID=skiff\n' }] });
  const top = await makeLayer({ entries: [{ name: 'app.txt', data: 'hello from the registry\n' }], compression: 'none' });
  app = makeImage([base, top], { config: { Cmd: ['/app'] } });
  amd64 = makeImage([await makeLayer({ entries: [{ name: 'arch', data: 'amd64\n' }] })]);
  arm64 = makeImage([await makeLayer({ entries: [{ name: 'arch', data: 'arm64\n' }] })], { architecture: 'arm64' });
  await pushImage(workDir, [{ image: app, refName: 'v1' }], 'v1', `${registry.host}/team/app:v1`);
  await pushImage(workDir, [{ image: amd64, refName: 'multi', listWith: [{ image: arm64, platform: { os: 'linux', architecture: 'arm64' } }] }], 'multi', `${registry.host}/team/multi:1.0`);
});

after(async () => {
  if (skipRegistry) return;
  await proxy.close();
  await registry.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function freshStore(name: string): Promise<ImageStore> {
  return ImageStore.open(join(workDir, name));
}

test('pull by tag stores the image, unpacks its layers and reports progress', { skip: skipRegistry }, async () => {
  const store = await freshStore('by-tag');
  const events: PullEvent[] = [];
  const result = await pullImage(store, `${proxy.host}/team/app:v1`, { onProgress: (e) => events.push(e) });
  assert.deepEqual(result, { ref: `${proxy.host}/team/app:v1`, manifestDigest: app.manifestDigest });
  const [image] = await store.listImages();
  assert.deepEqual(image?.names, [`${proxy.host}/team/app:v1`]);
  const layers = await store.rootfsLayers(`${proxy.host}/team/app:v1`);
  assert.equal(await readFile(join(layers[0]!, 'etc/os-release'), 'utf8'), 'ID=skiff\n');
  assert.equal(await readFile(join(layers[1]!, 'app.txt'), 'utf8'), 'hello from the registry\n');
  assert.deepEqual((await store.inspectImage(result.ref)).config.Cmd, ['/app']);
  assert.deepEqual(await readdir(downloadDir(store)), []);
  assert.deepEqual(await readdir(store.blobs.tmpDir), []);
  assert.deepEqual(events[0], { type: 'resolving', ref: result.ref, registry: proxy.host, plainHttp: true });
  const done = events.filter((e) => e.type === 'blob' && e.state === 'downloaded');
  assert.equal(done.length, 3);
  assert.equal(events.at(-1)?.type, 'done');
});

test('pull by digest, then pulls that skip the blobs the store has', { skip: skipRegistry }, async () => {
  const store = await freshStore('by-digest');
  const byDigest = `${proxy.host}/team/app@${app.manifestDigest}`;
  const result = await pullImage(store, byDigest);
  assert.equal(result.manifestDigest, app.manifestDigest);
  assert.equal(result.ref, byDigest);

  proxy.log.length = 0;
  const events: PullEvent[] = [];
  await pullImage(store, `${proxy.host}/team/app:v1`, { onProgress: (e) => events.push(e) });
  assert.deepEqual(proxy.log.filter((r) => r.path.includes('/blobs/')), [], 'no blob fetched again');
  assert.deepEqual(events.filter((e) => e.type === 'blob').map((e) => e.type === 'blob' && e.state), ['exists', 'exists', 'exists']);
  assert.deepEqual((await store.listImages())[0]?.names.sort(), [byDigest, `${proxy.host}/team/app:v1`].sort());
});

test('a manifest list yields the linux/amd64 image (or the platform asked for)', { skip: skipRegistry }, async () => {
  const store = await freshStore('multi');
  proxy.log.length = 0;
  const result = await pullImage(store, `${proxy.host}/team/multi:1.0`, { platform: { os: 'linux', architecture: 'amd64' } });
  assert.equal(result.manifestDigest, amd64.manifestDigest);
  assert.match(result.indexDigest ?? '', /^sha256:/);
  const fetched = proxy.log.map((r) => r.path);
  for (const l of arm64.layers) assert.ok(!fetched.some((p) => p.endsWith(l.descriptor.digest)), 'no arm64 layer fetched');
  assert.equal(await readFile(join((await store.rootfsLayers(result.ref))[0]!, 'arch'), 'utf8'), 'amd64\n');

  const other = await pullImage(await freshStore('multi-arm'), `${proxy.host}/team/multi:1.0`, { platform: { os: 'linux', architecture: 'arm64' } });
  assert.equal(other.manifestDigest, arm64.manifestDigest);
  await assert.rejects(pullImage(await freshStore('multi-s390x'), `${proxy.host}/team/multi:1.0`, { platform: { os: 'linux', architecture: 's390x' } }),
    /no linux\/s390x image \(it has: linux\/arm64, linux\/amd64\)/);
});

test('an unknown repository or tag fails naming the reference', { skip: skipRegistry }, async () => {
  const store = await freshStore('missing');
  await assert.rejects(pullImage(store, `${registry.host}/team/app:nope`), (err: unknown) => {
    assert.ok(isRemoteImageNotFound(err));
    assert.match(err.message, new RegExp(`image "${registry.host}/team/app:nope" not found in its registry \\(manifest nope: MANIFEST_UNKNOWN`));
    return true;
  });
  await assert.rejects(pullImage(store, `${registry.host}/nobody/here`), /image "127\.0\.0\.1:\d+\/nobody\/here:latest" not found in its registry \(manifest latest: (NAME|MANIFEST)_UNKNOWN/);
  assert.deepEqual(await store.listImages(), []);
});
