import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ImageStore } from '../image-store.ts';
import { makeImage, makeLayer } from '../test-fixtures.ts';
import type { BuiltImage } from '../test-fixtures.ts';
import { isRegistryUnauthorized } from './errors.ts';
import { pullImage } from './pull-image.ts';
import { pushImage, skipRegistry, startProxy, startRegistry } from './registry-fixture.ts';
import type { TestProxy, TestRegistry } from './registry-fixture.ts';

const skipBasic = skipRegistry || (existsSync('/usr/bin/htpasswd') ? false : 'htpasswd (apache2-utils) is not installed');
const TOKEN = 'token-for-alice';

let registry: TestRegistry;
let proxy: TestProxy;
let cdn: TestProxy;
let tokenServer: Server;
let tokenHost: string;
let tokenRequests: { service: string | null; scope: string | null; authorization: string | undefined }[] = [];
let workDir: string;
let image: BuiltImage;
let stores = 0;

before(async () => {
  if (skipRegistry) return;
  workDir = await mkdtemp(join(tmpdir(), 'skiff-pull-'));
  registry = await startRegistry(join(workDir, 'registry'));
  image = makeImage([await makeLayer({ entries: [{ name: 'secret.txt', data: 'classified\n' }] })]);
  await pushImage(workDir, [{ image, refName: 'v1' }], 'v1', `${registry.host}/team/secure:v1`);

  // A token service in the style of the distribution token spec: alice:secret gets TOKEN, anyone
  // else an anonymous token the registry will not accept, wrong passwords a 401.
  tokenServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    tokenRequests.push({ service: url.searchParams.get('service'), scope: url.searchParams.get('scope'), authorization: req.headers.authorization });
    const auth = req.headers.authorization;
    if (auth === undefined) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'anonymous' }));
    if (auth !== `Basic ${Buffer.from('alice:secret').toString('base64')}`) return res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: TOKEN, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  tokenHost = `127.0.0.1:${(tokenServer.address() as AddressInfo).port}`;

  // The registry behind a gate demanding the token; blobs redirect to a "CDN" on another origin.
  cdn = await startProxy(registry.host);
  proxy = await startProxy(registry.host);
  proxy.handler = async (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${tokenHost}/token",service="skiff-test",scope="repository:team/secure:pull"`,
        'content-type': 'application/json',
      }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return true;
    }
    if (req.url?.includes('/blobs/')) {
      res.writeHead(307, { location: `http://${cdn.host}${req.url}` }).end();
      return true;
    }
    return false;
  };
});

after(async () => {
  if (skipRegistry) return;
  await proxy.close();
  await cdn.close();
  await new Promise<void>((resolve) => tokenServer.close(() => resolve()));
  await registry.stop();
  await rm(workDir, { recursive: true, force: true });
});

async function freshStore(): Promise<ImageStore> {
  return ImageStore.open(join(workDir, `store-${++stores}`));
}

test('a Bearer challenge is answered with a token fetched with the credentials', { skip: skipRegistry }, async () => {
  tokenRequests = [];
  proxy.log.length = 0;
  const store = await freshStore();
  const result = await pullImage(store, `${proxy.host}/team/secure:v1`, { credentials: { username: 'alice', password: 'secret' } });
  assert.equal(result.manifestDigest, image.manifestDigest);
  assert.deepEqual(tokenRequests, [{ service: 'skiff-test', scope: 'repository:team/secure:pull', authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` }]);
  const [first, ...rest] = proxy.log;
  assert.equal(first?.authorization, undefined, 'the first request goes anonymously');
  assert.ok(rest.length >= 3 && rest.every((r) => r.authorization === `Bearer ${TOKEN}`));
  assert.equal(cdn.log.length, 2, 'config and layer came from the CDN');
  assert.ok(cdn.log.every((r) => r.authorization === undefined), 'the token stays with the registry\'s origin');
});

test('refused credentials and anonymous pulls of a private repository fail clearly', { skip: skipRegistry }, async () => {
  const store = await freshStore();
  await assert.rejects(pullImage(store, `${proxy.host}/team/secure:v1`, { credentials: { username: 'alice', password: 'wrong' } }), (err: unknown) => {
    assert.ok(isRegistryUnauthorized(err));
    assert.match(err.message, new RegExp(`registry ${proxy.host}: the token service http://${tokenHost}/token refused the credentials of "alice" \\(HTTP 401\\)`));
    return true;
  });
  await assert.rejects(pullImage(store, `${proxy.host}/team/secure:v1`),
    new RegExp(`registry ${proxy.host} refused anonymous access to team/secure: the repository does not exist or needs credentials`));
  assert.deepEqual(await store.listImages(), []);
});

test('a registry with htpasswd auth takes Basic credentials', { skip: skipBasic }, async () => {
  const dir = join(workDir, 'basic');
  const htpasswd = execFileSync('htpasswd', ['-nbB', 'bob', 'hunter2'], { encoding: 'utf8' });
  const basic = await startRegistry(dir, { htpasswd });
  try {
    await pushImage(dir, [{ image, refName: 'v1' }], 'v1', `${basic.host}/team/basic:v1`, 'bob:hunter2');
    const store = await freshStore();
    await assert.rejects(pullImage(store, `${basic.host}/team/basic:v1`), new RegExp(`registry ${basic.host} wants a user name and password for team/basic \\(give --user\\)`));
    await assert.rejects(pullImage(store, `${basic.host}/team/basic:v1`, { credentials: { username: 'bob', password: 'nope' } }), isRegistryUnauthorized);
    const result = await pullImage(store, `${basic.host}/team/basic:v1`, { credentials: { username: 'bob', password: 'hunter2' } });
    assert.equal(result.manifestDigest, image.manifestDigest);
  } finally {
    await basic.stop();
  }
});
