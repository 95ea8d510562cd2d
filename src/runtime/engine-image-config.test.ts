import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isInvalidRunRequest } from './engine-errors.ts';
import { mergeImageConfig, resolveUser } from './engine-image-config.ts';
import type { ImageRuntimeConfig } from './images/index.ts';

const image: ImageRuntimeConfig = {
  Entrypoint: ['/entry'],
  Cmd: ['serve', '--port', '80'],
  Env: ['PATH=/bin', 'MODE=prod'],
  WorkingDir: '/app',
  User: 'app',
  ExposedPorts: [],
  Labels: {},
};

test('docker rules: args replace Cmd, an entrypoint drops Cmd, env overrides by key', () => {
  assert.deepEqual(mergeImageConfig(image, {}).args, ['/entry', 'serve', '--port', '80']);
  assert.deepEqual(mergeImageConfig(image, { args: ['debug'] }).args, ['/entry', 'debug']);
  assert.deepEqual(mergeImageConfig(image, { entrypoint: ['/bin/sh'] }).args, ['/bin/sh']);
  const m = mergeImageConfig(image, { env: ['MODE=dev', 'X=1'], workingDir: '/tmp', user: '0' });
  assert.deepEqual(m.env, ['PATH=/bin', 'MODE=dev', 'X=1']);
  assert.equal(m.cwd, '/tmp');
  assert.equal(m.userSpec, '0');
  assert.throws(() => mergeImageConfig({ ...image, Entrypoint: null, Cmd: null }, {}), isInvalidRunRequest);
});

const layers = [mkdtempSync('/tmp/skiff-user-top-'), mkdtempSync('/tmp/skiff-user-base-')];
after(() => layers.forEach((l) => rmSync(l, { recursive: true, force: true })));

test('users resolve through the topmost /etc/passwd and /etc/group', async () => {
  mkdirSync(join(layers[1]!, 'etc'));
  writeFileSync(join(layers[1]!, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/app:/bin/sh\n');
  writeFileSync(join(layers[1]!, 'etc', 'group'), 'root:x:0:\nstaff:x:50:\n');
  assert.deepEqual(await resolveUser('', layers), { uid: 0, gid: 0 });
  assert.deepEqual(await resolveUser('app', layers), { uid: 1000, gid: 1001 });
  assert.deepEqual(await resolveUser('app:staff', layers), { uid: 1000, gid: 50 });
  assert.deepEqual(await resolveUser('42:7', layers), { uid: 42, gid: 7 });
  await assert.rejects(resolveUser('ghost', layers), isInvalidRunRequest);
});
