import assert from 'node:assert/strict';
import { chmod, chown, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { needsOwnershipChange, setVolumeOwnership } from './ownership.ts';

const asRoot = process.getuid?.() === 0;
let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'skiff-ownership-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o7777;

test('a writable volume: group fsGroup everywhere, group rw, directories group x and setgid', { skip: !asRoot && 'needs root to chown' }, async () => {
  const root = join(dir, 'rw');
  await mkdir(join(root, 'sub'), { recursive: true });
  await chmod(root, 0o777);
  await chmod(join(root, 'sub'), 0o700);
  await writeFile(join(root, 'sub', 'file'), 'x', { mode: 0o600 });
  await writeFile(join(root, 'tool'), 'x', { mode: 0o700 });
  await symlink('sub/file', join(root, 'link'));
  await setVolumeOwnership(root, 2000, { readOnly: false });
  assert.equal(await mode(root), 0o2777); // drwxrwsrwx, as the docs' `ls -l` shows
  assert.equal(await mode(join(root, 'sub')), 0o2770);
  assert.equal(await mode(join(root, 'sub', 'file')), 0o660);
  assert.equal(await mode(join(root, 'tool')), 0o760); // an executable keeps its own x bits
  for (const p of [root, join(root, 'sub'), join(root, 'sub', 'file'), join(root, 'tool')]) assert.equal((await stat(p)).gid, 2000, p);
  // The symlink itself is re-grouped; its target's mode is not touched through it.
  assert.equal((await lstat(join(root, 'link'))).gid, 2000);
});

test('a read-only volume gets group read, directories group search, no group write', { skip: !asRoot && 'needs root to chown' }, async () => {
  const root = join(dir, 'ro');
  await mkdir(join(root, '..2026_01_01'), { recursive: true });
  await chmod(root, 0o755);
  await chmod(join(root, '..2026_01_01'), 0o755);
  await writeFile(join(root, '..2026_01_01', 'key'), 'v', { mode: 0o400 });
  await symlink('..2026_01_01', join(root, '..data'));
  await setVolumeOwnership(root, 1001, { readOnly: true });
  assert.equal(await mode(join(root, '..2026_01_01', 'key')), 0o440); // the conformance secret case: -r--r-----
  assert.equal(await mode(root), 0o2755);
  assert.equal((await stat(join(root, '..2026_01_01', 'key'))).gid, 1001);
});

test('OnRootMismatch skips a volume whose root already matches, Always walks it', { skip: !asRoot && 'needs root to chown' }, async () => {
  const root = join(dir, 'policy');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'old'), 'x', { mode: 0o600 });
  await chown(root, 0, 3000);
  await chmod(root, 0o2770);
  assert.equal(await needsOwnershipChange(root, 3000, false), false);
  await setVolumeOwnership(root, 3000, { readOnly: false, changePolicy: 'OnRootMismatch' });
  assert.equal((await stat(join(root, 'old'))).gid, 0, 'skipped: the root matched');
  await setVolumeOwnership(root, 3000, { readOnly: false, changePolicy: 'Always' });
  assert.equal((await stat(join(root, 'old'))).gid, 3000);
  // A root without setgid or with another group needs the change.
  await chmod(root, 0o770);
  assert.equal(await needsOwnershipChange(root, 3000, false), true);
  assert.equal(await needsOwnershipChange(root, 4000, false), true);
});

test('no fsGroup: nothing changes', async () => {
  const root = join(dir, 'none');
  await mkdir(root, { recursive: true });
  await chmod(root, 0o700);
  await setVolumeOwnership(root, undefined, { readOnly: false });
  assert.equal(await mode(root), 0o700);
});
