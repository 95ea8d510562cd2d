import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isInvalidNamespaceId, isNamespaceAlreadyPinned } from './errors.ts';
import { readMountPoints, unescapeMountField } from '../mounts/mountinfo.ts';
import { NamespacePinner } from './namespace-pinner.ts';

let runDir = '';
let pinner: NamespacePinner;

before(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'skiff-netns-test-'));
  pinner = new NamespacePinner({ runDir });
});

after(async () => {
  for (const entry of await pinner.list()) await pinner.unpin(entry.id);
  const left = (await readMountPoints()).filter((m) => m.startsWith(runDir));
  await rm(runDir, { recursive: true, force: true });
  assert.deepEqual(left, [], 'no mounts left under the run dir');
});

function nsInode(path: string): string {
  return execFileSync('stat', ['-L', '-c', '%i', path], { encoding: 'utf8' }).trim();
}

test('pin creates a new network namespace on a file; unpin removes it', async () => {
  const pinned = await pinner.pin('pod-a');
  assert.equal(pinned.net, join(runDir, 'netns', 'pod-a'));
  assert.equal(pinned.ipc, undefined);
  const net = pinned.net ?? '';
  assert.ok((await readMountPoints()).includes(net));
  assert.notEqual(nsInode(net), nsInode('/proc/self/ns/net'), 'a new namespace, not the host one');
  const links = execFileSync('nsenter', [`--net=${net}`, 'ip', '-o', 'link'], { encoding: 'utf8' });
  assert.match(links, /^1: lo:/);
  assert.equal(links.trim().split('\n').length, 1, 'only loopback inside');
  assert.deepEqual(await pinner.list(), [{ id: 'pod-a', kinds: ['net'], mounted: true }]);

  await pinner.unpin('pod-a');
  await assert.rejects(stat(net), { code: 'ENOENT' });
  assert.ok(!(await readMountPoints()).includes(net));
  await pinner.unpin('pod-a'); // idempotent
  assert.deepEqual(await pinner.list(), []);
});

test('pin net, ipc and uts together', async () => {
  const pinned = await pinner.pin('pod-b', ['net', 'ipc', 'uts']);
  for (const kind of ['net', 'ipc', 'uts'] as const) {
    const path = pinned[kind] ?? '';
    assert.equal(path, join(runDir, `${kind}ns`, 'pod-b'));
    assert.notEqual(nsInode(path), nsInode(`/proc/self/ns/${kind}`));
  }
  assert.deepEqual(await pinner.list(), [{ id: 'pod-b', kinds: ['net', 'ipc', 'uts'], mounted: true }]);
  await pinner.unpin('pod-b');
  assert.deepEqual(await pinner.list(), []);
});

test('pinning the same id twice fails and leaves the first pin intact', async () => {
  const first = await pinner.pin('pod-c');
  const inode = nsInode(first.net ?? '');
  await assert.rejects(pinner.pin('pod-c'), isNamespaceAlreadyPinned);
  assert.equal(nsInode(first.net ?? ''), inode);
  await pinner.unpin('pod-c');
});

test('invalid ids are refused before touching the filesystem', async () => {
  await assert.rejects(pinner.pin('../etc'), isInvalidNamespaceId);
  await assert.rejects(pinner.pin(''), isInvalidNamespaceId);
  assert.throws(() => pinner.pathFor('net', 'a/b'), isInvalidNamespaceId);
});

test('cleanupStale removes unknown ids and half-pinned files, keeps known ones', async () => {
  await pinner.pin('keep-me');
  await pinner.pin('forget-me', ['net', 'uts']);
  await writeFile(join(runDir, 'netns', 'half-pinned'), ''); // crash between create and mount
  await writeFile(join(runDir, 'netns', 'keep-broken'), '');
  const removed = await pinner.cleanupStale(['keep-me', 'keep-broken']);
  assert.deepEqual(removed.sort(), ['forget-me', 'half-pinned', 'keep-broken']);
  assert.deepEqual(await pinner.list(), [{ id: 'keep-me', kinds: ['net'], mounted: true }]);
  await pinner.unpin('keep-me');
});

test('unescapeMountField decodes octal escapes', () => {
  assert.equal(unescapeMountField('/run/a\\040b\\134c'), '/run/a b\\c');
});

test('timing: pin and unpin (printed, not asserted)', async () => {
  const pins: number[] = [];
  const unpins: number[] = [];
  const pinsAll: number[] = [];
  for (let i = 0; i < 15; i++) {
    let t = performance.now();
    await pinner.pin(`t${i}`);
    pins.push(performance.now() - t);
    t = performance.now();
    await pinner.unpin(`t${i}`);
    unpins.push(performance.now() - t);
    t = performance.now();
    await pinner.pin(`u${i}`, ['net', 'ipc', 'uts']);
    pinsAll.push(performance.now() - t);
    await pinner.unpin(`u${i}`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]?.toFixed(1);
  console.log(`# netns timing (median of 15): pin net ${median(pins)} ms, pin net+ipc+uts ${median(pinsAll)} ms, unpin ${median(unpins)} ms`);
});
