import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { currentDataDir, validatePayloadPath, writeAtomically } from './atomic-writer.ts';
import type { Payload } from './atomic-writer.ts';

const root = mkdtempSync('/tmp/skiff-atomic-');
after(() => rmSync(root, { recursive: true, force: true }));

const file = (text: string, mode = 0o644) => ({ data: Buffer.from(text), mode });

test('files go into a timestamped dir behind ..data, each top-level name a symlink through it', async () => {
  const dir = mkdtempSync(join(root, 'v-'));
  const payload: Payload = new Map([['a', file('A')], ['nested/deep/b', file('B', 0o400)]]);
  assert.equal(await writeAtomically(dir, payload), true);
  const data = readlinkSync(join(dir, '..data'));
  assert.match(data, /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d+$/);
  assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
  assert.equal(readlinkSync(join(dir, 'nested')), '..data/nested');
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'A');
  assert.equal(readFileSync(join(dir, 'nested/deep/b'), 'utf8'), 'B');
  assert.equal(statSync(join(dir, 'nested/deep/b')).mode & 0o777, 0o400);
  assert.equal(statSync(join(dir, data)).mode & 0o777, 0o755);
});

test('an update swaps ..data, drops removed names and the old dir; an identical payload changes nothing', async () => {
  const dir = mkdtempSync(join(root, 'v-'));
  await writeAtomically(dir, new Map([['keep', file('1')], ['gone', file('x')]]));
  const first = await currentDataDir(dir);
  assert.equal(await writeAtomically(dir, new Map([['keep', file('1')], ['gone', file('x')]])), false);
  assert.equal(await currentDataDir(dir), first);
  assert.equal(await writeAtomically(dir, new Map([['keep', file('2')], ['new', file('n')]])), true);
  const second = await currentDataDir(dir);
  assert.notEqual(second, first);
  assert.equal(readFileSync(join(dir, 'keep'), 'utf8'), '2');
  assert.equal(readFileSync(join(dir, 'new'), 'utf8'), 'n');
  assert.throws(() => lstatSync(join(dir, 'gone')), { code: 'ENOENT' });
  assert.deepEqual(readdirSync(dir).sort(), ['..data', `..${(second ?? '').split('/..').pop()}`, 'keep', 'new'].sort());
  assert.equal(await writeAtomically(dir, new Map([['keep', file('2', 0o600)], ['new', file('n')]])), true, 'a mode change is a change');
  assert.equal(statSync(join(dir, 'keep')).mode & 0o777, 0o600);
});

test('payload paths are validated as upstream', async () => {
  assert.throws(() => validatePayloadPath(''), { message: 'invalid path: must not be empty: ""' });
  assert.throws(() => validatePayloadPath('/abs'), { message: 'invalid path: must be relative path: /abs' });
  assert.throws(() => validatePayloadPath('a/../b'), { message: "invalid path: must not contain '..': a/../b" });
  assert.throws(() => validatePayloadPath('..data'), { message: "invalid path: must not start with '..': ..data" });
  assert.throws(() => validatePayloadPath('x'.repeat(256)), { message: 'invalid path: filenames must be less than or equal to 255 characters' });
  validatePayloadPath('.hidden');
  validatePayloadPath('a/..b');
  const dir = mkdtempSync(join(root, 'v-'));
  await assert.rejects(writeAtomically(dir, new Map([['../escape', file('x')]])), /must not contain '\.\.'/);
  assert.deepEqual(readdirSync(dir), []);
});
