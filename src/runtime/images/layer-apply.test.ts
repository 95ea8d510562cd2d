import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { decompressLayer } from './decompress.ts';
import { isInvalidImage, isUnsafeLayerEntry } from './errors.ts';
import { applyLayer } from './layer-apply.ts';
import { MEDIA_OCI_LAYER } from './media-types.ts';
import { buildTar } from './tar-build.ts';
import type { TarEntrySpec } from './tar-build.ts';
import { makeLayer, withTempDir } from './test-fixtures.ts';

async function* once(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

async function apply(root: string, entries: TarEntrySpec[], compression: 'none' | 'gzip' | 'zstd' = 'gzip', omitEndBlocks = false): Promise<void> {
  const layer = await makeLayer({ entries, compression, omitEndBlocks });
  await mkdir(root, { recursive: true });
  await applyLayer(decompressLayer(once(layer.blob), layer.descriptor.mediaType, 'layer'), root, 'layer');
}

const MTIME = new Date('2020-02-02T02:02:02Z');

test('files, dirs, symlinks, hard links, modes, owners and mtimes are applied', () => withTempDir(async (dir) => {
  const root = join(dir, 'fs');
  await apply(root, [
    { name: './', type: 'directory', mode: 0o755 },
    { name: './etc/', type: 'directory', mode: 0o750, uid: 3, gid: 4, mtime: MTIME },
    { name: './etc/conf', data: 'x=1\n', mode: 0o640, uid: 1000, gid: 1001, mtime: MTIME },
    { name: 'bin/tool', data: 'binary', mode: 0o4755 },
    { name: 'bin/alias', type: 'link', linkname: './bin/tool' },
    { name: 'bin/sh', type: 'symlink', linkname: '/bin/tool', mtime: MTIME },
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'run/fifo', type: 'fifo', mode: 0o600 },
  ]);
  const etc = await stat(join(root, 'etc'));
  assert.equal(etc.mode & 0o7777, 0o750);
  assert.deepEqual([etc.uid, etc.gid], [3, 4]);
  assert.equal(etc.mtime.getTime(), MTIME.getTime());
  const conf = await stat(join(root, 'etc/conf'));
  assert.equal(await readFile(join(root, 'etc/conf'), 'utf8'), 'x=1\n');
  assert.deepEqual([conf.mode & 0o7777, conf.uid, conf.gid, conf.mtime.getTime()], [0o640, 1000, 1001, MTIME.getTime()]);
  const tool = await stat(join(root, 'bin/tool'));
  assert.equal(tool.mode & 0o7777, 0o4755);
  assert.equal(tool.nlink, 2);
  assert.equal((await stat(join(root, 'bin/alias'))).ino, tool.ino);
  assert.equal(await readlink(join(root, 'bin/sh')), '/bin/tool');
  assert.equal((await lstat(join(root, 'bin/sh'))).mtime.getTime(), MTIME.getTime());
  const devnull = await lstat(join(root, 'dev/null'));
  assert.ok(devnull.isCharacterDevice());
  assert.equal(devnull.rdev, (1 << 8) | 3);
  assert.ok((await lstat(join(root, 'run/fifo'))).isFIFO());
}));

test('zstd, gzip and plain layers are told apart by their bytes; unpadded tars without end blocks are accepted', () => withTempDir(async (dir) => {
  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    const root = join(dir, compression);
    await apply(root, [{ name: 'f', data: 'odd-sized content' }], compression, true);
    assert.equal(await readFile(join(root, 'f'), 'utf8'), 'odd-sized content');
  }
  // umoci: the last file's data is not padded to a block and no end-of-archive follows.
  const tarball = await buildTar([{ name: 'a', data: 'abc' }]);
  const umoci = tarball.subarray(0, 512 + 3);
  await mkdir(join(dir, 'umoci'));
  await applyLayer(once(umoci), join(dir, 'umoci'), 'layer');
  assert.equal(await readFile(join(dir, 'umoci/a'), 'utf8'), 'abc');
  // A gzip layer labelled as plain tar is still recognised.
  const gz = await makeLayer({ entries: [{ name: 'g', data: 'g' }], compression: 'gzip' });
  await mkdir(join(dir, 'mislabelled'));
  await applyLayer(decompressLayer(once(gz.blob), MEDIA_OCI_LAYER, 'layer'), join(dir, 'mislabelled'), 'layer');
  assert.equal(await readFile(join(dir, 'mislabelled/g'), 'utf8'), 'g');
}));

test('whiteouts become 0:0 character devices and opaque markers an xattr', () => withTempDir(async (dir) => {
  const root = join(dir, 'fs');
  await apply(root, [
    { name: 'etc/.wh.passwd' },
    { name: './var/cache/.wh..wh..opq' },
    { name: 'var/cache/', type: 'directory', mode: 0o700 },
    { name: 'var/cache/new', data: 'n' },
    { name: '.wh.gone-dir' },
  ]);
  for (const p of ['etc/passwd', 'gone-dir']) {
    const st = await lstat(join(root, p));
    assert.ok(st.isCharacterDevice(), p);
    assert.equal(st.rdev, 0);
  }
  const xattr = execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'trusted.overlay.opaque', join(root, 'var/cache')], { encoding: 'utf8' });
  assert.equal(xattr, 'y');
  assert.equal((await stat(join(root, 'var/cache'))).mode & 0o777, 0o700);
  assert.deepEqual((await readdir(join(root, 'var/cache'))).sort(), ['new']);
  assert.deepEqual((await readdir(root)).sort(), ['etc', 'gone-dir', 'var']);
}));

test('entries escaping the snapshot are refused and nothing lands outside', () => withTempDir(async (dir) => {
  const outside = join(dir, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'secret'), 'untouched');
  const attempts: [string, TarEntrySpec[]][] = [
    ['dot-dot', [{ name: '../outside/pwned', data: 'x' }]],
    ['dot-dot deep', [{ name: './a/../../outside/pwned', data: 'x' }]],
    ['absolute', [{ name: '/tmp/pwned', data: 'x' }]],
    ['symlink parent relative', [{ name: 'link', type: 'symlink', linkname: '../outside' }, { name: 'link/pwned', data: 'x' }]],
    ['symlink parent chained', [{ name: 'a', type: 'symlink', linkname: 'b/../..' }, { name: 'b/', type: 'directory' }, { name: 'a/outside/pwned', data: 'x' }]],
    ['hard link outside', [{ name: 'stolen', type: 'link', linkname: '../outside/secret' }]],
    ['hard link through symlink', [{ name: 'up', type: 'symlink', linkname: '../../outside' }, { name: 'stolen', type: 'link', linkname: 'up/secret' }]],
    ['hard link to missing', [{ name: 'stolen', type: 'link', linkname: 'nothing' }]],
    ['whiteout dot-dot', [{ name: 'x/.wh...' }]],
  ];
  for (const [label, entries] of attempts) {
    const root = join(dir, 'roots', label.replace(/ /g, '-'));
    await assert.rejects(apply(root, entries), (err: unknown) => {
      assert.ok(isUnsafeLayerEntry(err), `${label}: ${String(err)}`);
      assert.match(err.message, /^unsafe layer entry "/);
      return true;
    }, label);
  }
  assert.deepEqual(await readdir(outside), ['secret']);
  assert.equal(await readFile(join(outside, 'secret'), 'utf8'), 'untouched');
}));

test('an absolute symlink in a parent resolves inside the snapshot', () => withTempDir(async (dir) => {
  const root = join(dir, 'fs');
  await apply(root, [
    { name: 'usr/lib/', type: 'directory' },
    { name: 'lib', type: 'symlink', linkname: '/usr/lib' },
    { name: 'lib/libc.so', data: 'c' },
    { name: 'escape', type: 'symlink', linkname: '/' },
    { name: 'escape/etc/hosts', data: 'h' },
  ]);
  assert.equal(await readFile(join(root, 'usr/lib/libc.so'), 'utf8'), 'c');
  assert.equal(await readFile(join(root, 'etc/hosts'), 'utf8'), 'h');
}));

test('a truncated layer gives a clear error', () => withTempDir(async (dir) => {
  const layer = await makeLayer({ entries: [{ name: 'big', data: Buffer.alloc(100_000, 7) }], compression: 'gzip' });
  await mkdir(join(dir, 'gz'));
  await assert.rejects(
    applyLayer(decompressLayer(once(layer.blob.subarray(0, layer.blob.length - 40)), layer.descriptor.mediaType, 'layer 1'), join(dir, 'gz'), 'layer 1'),
    (err: unknown) => isInvalidImage(err) && /^layer 1: truncated or corrupt gzip data: unexpected end of file/.test(err.message),
  );
  const zst = await makeLayer({ entries: [{ name: 'big', data: Buffer.alloc(100_000, 7) }], compression: 'zstd' });
  await mkdir(join(dir, 'zst'));
  await assert.rejects(
    applyLayer(decompressLayer(once(zst.blob.subarray(0, zst.blob.length - 10)), zst.descriptor.mediaType, 'layer 2'), join(dir, 'zst'), 'layer 2'),
    (err: unknown) => isInvalidImage(err) && /^layer 2: truncated or corrupt (zstd data|tar)/.test(err.message),
  );
  const plain = await buildTar([{ name: 'big', data: Buffer.alloc(100_000, 7) }]);
  await mkdir(join(dir, 'tar'));
  await assert.rejects(
    applyLayer(once(plain.subarray(0, 5000)), join(dir, 'tar'), 'layer 3'),
    (err: unknown) => isInvalidImage(err) && /^layer 3: truncated or corrupt tar: Unexpected end of data/.test(err.message),
  );
}));
