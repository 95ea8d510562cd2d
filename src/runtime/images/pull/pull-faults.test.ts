import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { isDigestMismatch } from '../errors.ts';
import { ImageStore } from '../image-store.ts';
import { makeImage, makeLayer, snapshotTree } from '../test-fixtures.ts';
import type { BuiltImage } from '../test-fixtures.ts';
import { partialPath } from './blob-download.ts';
import { downloadDir, pullImage } from './pull-image.ts';
import { pushImage, skipRegistry, startProxy, startRegistry } from './registry-fixture.ts';
import type { TestProxy, TestRegistry } from './registry-fixture.ts';

let registry: TestRegistry;
let proxy: TestProxy;
let workDir: string;
let image: BuiltImage;
let big: { digest: string; size: number };
let stores = 0;

before(async () => {
  if (skipRegistry) return;
  workDir = await mkdtemp(join(tmpdir(), 'skiff-pull-'));
  registry = await startRegistry(join(workDir, 'registry'));
  proxy = await startProxy(registry.host);
  const small = await makeLayer({ entries: [{ name: 'small.txt', data: 'small\n' }] });
  const large = await makeLayer({ entries: [{ name: 'random.bin', data: randomBytes(600_000) }], compression: 'none' });
  image = makeImage([small, large]);
  big = { digest: large.descriptor.digest, size: large.descriptor.size };
  await pushImage(workDir, [{ image, refName: 'v1' }], 'v1', `${registry.host}/team/faults:v1`);
});

after(async () => {
  if (skipRegistry) return;
  await proxy.close();
  await registry.stop();
  await rm(workDir, { recursive: true, force: true });
});

beforeEach(() => {
  if (skipRegistry) return;
  proxy.handler = undefined;
  proxy.log.length = 0;
});

async function freshStore(): Promise<ImageStore> {
  return ImageStore.open(join(workDir, `store-${++stores}`));
}

/** The store's files but for the download area, to compare before and after a failed pull. */
function storeState(store: ImageStore): string {
  return snapshotTree(store.root).split('\n').filter((l) => !l.startsWith('downloads')).join('\n');
}

/** Serves the big layer only halfway on its first plain (no Range) request, then drops the connection. */
function cutFirstBigDownload(): void {
  let cut = false;
  proxy.handler = async (req, res, forward) => {
    if (cut || !req.url?.endsWith(big.digest) || req.headers.range !== undefined) return false;
    cut = true;
    const up = await forward();
    res.writeHead(200, { 'content-length': up.body.length, 'content-type': 'application/octet-stream' });
    res.write(up.body.subarray(0, 250_000), () => res.destroy());
    return true;
  };
}

test('a tampered layer fails the pull with a digest mismatch and leaves the store as it was', { skip: skipRegistry }, async () => {
  const store = await freshStore();
  const before = storeState(store);
  proxy.handler = async (req, res, forward) => {
    if (!req.url?.endsWith(big.digest)) return false;
    const up = await forward();
    up.body[1000] = up.body[1000]! ^ 0xff;
    res.writeHead(up.status, up.headers);
    res.end(up.body);
    return true;
  };
  await assert.rejects(pullImage(store, `${proxy.host}/team/faults:v1`), (err: unknown) => {
    assert.ok(isDigestMismatch(err));
    assert.match(err.message, new RegExp(`team/faults:v1: layer 2 \\(${big.digest}\\): digest mismatch: expected ${big.digest}, got sha256:`));
    return true;
  });
  assert.equal(storeState(store), before);
  assert.ok(!(await readdir(downloadDir(store))).includes(partialPath('', big.digest)), 'the bad download is not kept');
});

test('a manifest that does not hash to the digest asked for (or claimed) is refused', { skip: skipRegistry }, async () => {
  const store = await freshStore();
  const before = storeState(store);
  proxy.handler = async (req, res, forward) => {
    if (!req.url?.includes('/manifests/')) return false;
    const up = await forward();
    res.writeHead(up.status, { ...up.headers, 'content-length': up.body.length + 1 });
    res.end(Buffer.concat([up.body, Buffer.from('\n')]));
    return true;
  };
  await assert.rejects(pullImage(store, `${proxy.host}/team/faults@${image.manifestDigest}`),
    new RegExp(`team/faults@${image.manifestDigest}: manifest: digest mismatch: expected ${image.manifestDigest}, got sha256:`));
  await assert.rejects(pullImage(store, `${proxy.host}/team/faults:v1`),
    new RegExp(`team/faults:v1: manifest \\(against the registry's Docker-Content-Digest\\): digest mismatch: expected ${image.manifestDigest}`));
  assert.equal(storeState(store), before);
});

test('a download cut short is resumed by the next pull with a Range request', { skip: skipRegistry }, async () => {
  const store = await freshStore();
  cutFirstBigDownload();
  await assert.rejects(pullImage(store, `${proxy.host}/team/faults:v1`, { retries: 0 }), /layer 2 \(sha256:[a-f0-9]+\): download interrupted after \d+ of \d+ bytes \(aborted\); pulling again resumes it/);
  const partial = partialPath(downloadDir(store), big.digest);
  const left = (await stat(partial)).size;
  assert.ok(left > 0 && left <= 250_000, `partial holds ${left} bytes`);
  assert.deepEqual(await store.listImages(), []);

  proxy.log.length = 0;
  const result = await pullImage(store, `${proxy.host}/team/faults:v1`);
  assert.equal(result.manifestDigest, image.manifestDigest);
  const ranges = proxy.log.filter((r) => r.path.endsWith(big.digest)).map((r) => r.range);
  assert.deepEqual(ranges, [`bytes=${left}-`]);
  assert.deepEqual(await readdir(downloadDir(store)), []);
  assert.equal((await store.blobs.size(big.digest)), big.size);
});

test('within one pull, a cut-off body is resumed and the pull succeeds', { skip: skipRegistry }, async () => {
  const store = await freshStore();
  cutFirstBigDownload();
  const result = await pullImage(store, `${proxy.host}/team/faults:v1`);
  assert.equal(result.manifestDigest, image.manifestDigest);
  const requests = proxy.log.filter((r) => r.path.endsWith(big.digest));
  assert.equal(requests.length, 2);
  assert.match(requests[1]?.range ?? '', /^bytes=\d+-$/);
});

test('blob redirects are followed; transient 503s are retried', { skip: skipRegistry }, async () => {
  const store = await freshStore();
  let unavailable = 2;
  proxy.handler = async (req, res, forward) => {
    const url = req.url ?? '';
    if (url.includes('/manifests/') && unavailable > 0) {
      unavailable--;
      res.writeHead(503).end();
      return true;
    }
    if (url.startsWith('/cdn/')) {
      const up = await forward(url.slice('/cdn'.length));
      res.writeHead(up.status, up.headers).end(up.body);
      return true;
    }
    if (!url.includes('/blobs/')) return false;
    res.writeHead(307, { location: `http://${proxy.host}/cdn${url}` }).end();
    return true;
  };
  const result = await pullImage(store, `${proxy.host}/team/faults:v1`);
  assert.equal(result.manifestDigest, image.manifestDigest);
  assert.equal(proxy.log.filter((r) => r.path.startsWith('/cdn/')).length, 3);
  assert.equal(proxy.log.filter((r) => r.path.includes('/manifests/')).length, 3);
});

test('aborting a pull stops it and leaves the store as it was', { skip: skipRegistry }, async () => {
  const store = await freshStore();
  const before = storeState(store);
  let stalled!: () => void;
  const reached = new Promise<void>((resolve) => { stalled = resolve; });
  proxy.handler = async (req, res) => {
    if (!req.url?.endsWith(big.digest)) return false;
    res.writeHead(200, { 'content-length': big.size });
    res.write(Buffer.alloc(1000), () => stalled());
    return true; // and never finish
  };
  const controller = new AbortController();
  const pull = pullImage(store, `${proxy.host}/team/faults:v1`, { signal: controller.signal });
  await reached;
  controller.abort(new Error('stop right there'));
  await assert.rejects(pull, /stop right there/);
  assert.equal(storeState(store), before);
});
