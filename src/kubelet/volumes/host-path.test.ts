import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkHostPathType } from './host-path.ts';

const root = mkdtempSync('/tmp/skiff-hostpath-');
const dir = join(root, 'dir');
const file = join(root, 'file');
const sock = join(root, 'sock');
const missing = join(root, 'missing');
let server: Server;

before(async () => {
  mkdirSync(dir);
  writeFileSync(file, 'x');
  server = createServer();
  await new Promise<void>((resolve) => server.listen(sock, resolve));
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

test('unset type checks nothing', async () => {
  await checkHostPathType(missing, undefined);
  await checkHostPathType(missing, '');
});

test('Directory and File', async () => {
  await checkHostPathType(dir, 'Directory');
  await assert.rejects(checkHostPathType(file, 'Directory'), { message: `hostPath type check failed: ${file} is not a directory` });
  await assert.rejects(checkHostPathType(missing, 'Directory'), { message: `hostPath type check failed: ${missing} is not a directory` });
  await checkHostPathType(file, 'File');
  await assert.rejects(checkHostPathType(dir, 'File'), { message: `hostPath type check failed: ${dir} is not a file` });
  await assert.rejects(checkHostPathType(missing, 'File'), { message: `hostPath type check failed: ${missing} does not exist` });
});

test('DirectoryOrCreate and FileOrCreate create what is missing', async () => {
  const newDir = join(root, 'made/deep');
  await checkHostPathType(newDir, 'DirectoryOrCreate');
  assert.ok(statSync(newDir).isDirectory());
  assert.equal(statSync(newDir).mode & 0o777, 0o755);
  await assert.rejects(checkHostPathType(file, 'DirectoryOrCreate'), { message: `hostPath type check failed: ${file} is not a directory` });
  const newFile = join(root, 'made/f');
  await checkHostPathType(newFile, 'FileOrCreate');
  assert.ok(statSync(newFile).isFile());
  await assert.rejects(checkHostPathType(dir, 'FileOrCreate'), { message: `hostPath type check failed: ${dir} is not a file` });
  await assert.rejects(checkHostPathType(join(root, 'nope/f'), 'FileOrCreate'), { code: 'ENOENT' });
});

test('Socket, CharDevice and BlockDevice', async () => {
  await checkHostPathType(sock, 'Socket');
  await assert.rejects(checkHostPathType(file, 'Socket'), { message: `hostPath type check failed: ${file} is not a socket file` });
  await assert.rejects(checkHostPathType(missing, 'Socket'), { message: `path "${missing}" does not exist` });
  await checkHostPathType('/dev/null', 'CharDevice');
  await assert.rejects(checkHostPathType(dir, 'CharDevice'), { message: `hostPath type check failed: ${dir} is not a character device` });
  await assert.rejects(checkHostPathType('/dev/null', 'BlockDevice'), { message: 'hostPath type check failed: /dev/null is not a block device' });
  const block = ['/dev/loop0', '/dev/sda', '/dev/vda', '/dev/nvme0n1'].find((p) => {
    try {
      return statSync(p).isBlockDevice();
    } catch {
      return false;
    }
  });
  if (block) await checkHostPathType(block, 'BlockDevice');
});

test('unknown types are refused', async () => {
  await assert.rejects(checkHostPathType(dir, 'Pipe'), { message: 'Pipe is an invalid volume type' });
});
