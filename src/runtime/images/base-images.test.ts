import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUSYBOX_IMAGE, PAUSE_IMAGE, createBaseImages, ensureBaseImages } from './base-images.ts';
import { ImageStore } from './image-store.ts';
import { withTempDir } from './test-fixtures.ts';

const skip = existsSync('/usr/bin/busybox') && existsSync('/usr/bin/catatonit') ? false : 'busybox-static and catatonit are not installed';

test('base images are built without a registry, deterministically', { skip }, () => withTempDir(async (dir) => {
  const one = await ImageStore.open(join(dir, 'one'));
  const two = await ImageStore.open(join(dir, 'two'));
  const first = await createBaseImages(one);
  await ensureBaseImages(two);
  assert.deepEqual((await two.listImages()).map((i) => i.digest).sort(), first.map((i) => i.digest).sort());
  const again = await createBaseImages(one);
  assert.deepEqual(again.map((i) => i.digest), first.map((i) => i.digest));
  assert.deepEqual((await one.blobs.list()).sort(), (await two.blobs.list()).sort());

  const tagsBefore = await readFile(one.tagIndexPath, 'utf8');
  await ensureBaseImages(one);
  assert.equal(await readFile(one.tagIndexPath, 'utf8'), tagsBefore);
}));

test('busybox holds busybox-static, its applets and a minimal /etc', { skip }, () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  await ensureBaseImages(store);
  const info = await store.inspectImage('busybox');
  assert.deepEqual(info.names, [BUSYBOX_IMAGE]);
  assert.deepEqual(info.config.Cmd, ['sh']);
  const [fs] = await store.rootfsLayers('busybox:latest');
  const applets = execFileSync('/usr/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a !== '');
  const bin = new Set(await readdir(join(fs!, 'bin')));
  for (const a of applets) assert.ok(bin.has(a), a);
  const busybox = await stat(join(fs!, 'bin/busybox'));
  assert.equal((await stat(join(fs!, 'bin/sh'))).ino, busybox.ino);
  assert.equal((await stat(join(fs!, 'tmp'))).mode & 0o7777, 0o1777);
  for (const d of ['root', 'proc', 'sys', 'dev']) assert.ok((await stat(join(fs!, d))).isDirectory(), d);
  assert.match(await readFile(join(fs!, 'etc/passwd'), 'utf8'), /^root:x:0:0:.*\nnobody:x:65534:65534:/);
  assert.match(await readFile(join(fs!, 'etc/group'), 'utf8'), /^root:x:0:\nnobody:x:65534:\n$/);
  assert.equal(execFileSync('chroot', [fs!, '/bin/sh', '-c', 'echo $((40 + 2))'], { encoding: 'utf8' }), '42\n');
  // printenv, an applet or the shim standing in for it.
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', A: 'one', 'B.C': 'two words' };
  assert.equal(execFileSync('chroot', [fs!, 'printenv', 'A', 'B.C'], { encoding: 'utf8', env }), 'one\ntwo words\n');
  assert.throws(() => execFileSync('chroot', [fs!, 'printenv', 'A', 'NOPE'], { encoding: 'utf8', env, stdio: 'pipe' }), (e: { status?: number; stdout?: string }) => e.status === 1 && e.stdout === 'one\n');
}));

test('pause holds only catatonit, run as its entrypoint', { skip }, () => withTempDir(async (dir) => {
  const store = await ImageStore.open(join(dir, 'images'));
  await ensureBaseImages(store);
  const info = await store.inspectImage('pause:3.10');
  assert.deepEqual(info.names, ['docker.io/library/pause:3.10', PAUSE_IMAGE]);
  assert.deepEqual(info.config.Entrypoint, ['/usr/bin/catatonit', '-P']);
  const [fs] = await store.rootfsLayers(PAUSE_IMAGE);
  assert.deepEqual(execFileSync('find', ['.', '-mindepth', '1'], { cwd: fs!, encoding: 'utf8' }).split('\n').sort(), ['', './usr', './usr/bin', './usr/bin/catatonit']);
}));
