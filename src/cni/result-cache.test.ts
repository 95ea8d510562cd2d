import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isInvalidNetworkConfig } from './errors.ts';
import { ResultCache } from './result-cache.ts';
import type { CacheEntry } from './result-cache.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-cni-cache-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (id: string, network = 'net1'): CacheEntry => ({
  kind: 'skiff-cni-cache/v1', containerId: id, ifName: 'eth0', netns: `/run/netns/${id}`,
  config: { cniVersion: '1.0.0', name: network, plugins: [{ type: 'loopback' }] },
  capabilityArgs: { portMappings: [{ hostPort: 1, containerPort: 2 }] },
});

test('write, read, list and remove entries of one network', async () => {
  const cache = new ResultCache(dir, 'net1');
  const other = new ResultCache(dir, 'net1-x');
  await cache.write(entry('a'));
  await cache.write({ ...entry('b'), result: { cniVersion: '1.0.0' } });
  await other.write(entry('c', 'net1-x'));
  assert.deepEqual(await cache.read('a', 'eth0'), entry('a'));
  assert.equal(await cache.read('zzz', 'eth0'), undefined);
  assert.deepEqual((await cache.list()).map((e) => e.containerId).sort(), ['a', 'b']);
  await cache.remove('a', 'eth0');
  await cache.remove('a', 'eth0');
  assert.deepEqual((await cache.list()).map((e) => e.containerId), ['b']);
  assert.deepEqual((await other.list()).map((e) => e.containerId), ['c']);
});

test('ids that are not file names and corrupt files are refused', async () => {
  const cache = new ResultCache(dir, 'net2');
  await assert.rejects(cache.read('../x', 'eth0'), isInvalidNetworkConfig);
  await writeFile(join(dir, 'net2-bad-eth0.json'), '{');
  await assert.rejects(cache.read('bad', 'eth0'), /Cannot parse CNI cache/);
  await writeFile(join(dir, 'net2-bad-eth0.json'), '{"kind":"other"}');
  await assert.rejects(cache.list(), /not a skiff-cni-cache\/v1 entry/);
});
