// Real kernel, real plugins (/usr/lib/cni): needs root. Uses its own bridge and 10.42.250.0/24.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { NamespacePinner } from '../runtime/netns/namespace-pinner.ts';
import { isCniError, isNetworkInUse } from './errors.ts';
import { readLeases } from './host-local-leases.ts';
import { pluginChannel } from './plugin-exec.ts';
import type { PluginRunEvent } from './plugin-exec.ts';
import { PodNetwork } from './pod-network.ts';
import { cniIptablesLines, linkExists, median, ping, testBridgeName } from './test-helpers.ts';

const SUBNET = '10.42.250.0/24';
const GATEWAY = '10.42.250.1';
const bridge = testBridgeName();
let dataDir = '';
let runDir = '';
let pinner: NamespacePinner;
let network: PodNetwork;
let iptablesBefore: string[] = [];

function newNetwork(): PodNetwork {
  return new PodNetwork({ dataDir, subnet: SUBNET, bridge, networkName: 'skiff-test' });
}

async function bridgePorts(): Promise<string[]> {
  return readdir(`/sys/class/net/${bridge}/brif`).catch(() => []);
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'skiff-cni-data-'));
  runDir = await mkdtemp(join(tmpdir(), 'skiff-cni-run-'));
  pinner = new NamespacePinner({ runDir });
  network = newNetwork();
  iptablesBefore = await cniIptablesLines();
});

after(async () => {
  await network.cleanupNetwork({ force: true });
  for (const entry of await pinner.list()) await pinner.unpin(entry.id);
  assert.equal(await linkExists(bridge), false, 'bridge removed');
  assert.deepEqual(await readLeases(network.leaseDir, 'skiff-test'), []);
  await assert.rejects(stat(join(network.leaseDir, 'skiff-test')), { code: 'ENOENT' });
  assert.deepEqual(await pinner.list(), []);
  assert.deepEqual(await cniIptablesLines(), iptablesBefore, 'iptables CNI rules as before');
  await rm(dataDir, { recursive: true, force: true });
  await rm(runDir, { recursive: true, force: true });
});

test('ADD gives the pod eth0 with an address of the subnet, reachable both ways; CHECK passes', async () => {
  const ns = await pinner.pin('pod-a');
  const status = await network.setup({ id: 'pod-a', netnsPath: ns.net ?? '' });
  assert.match(status.ip, /^10\.42\.250\.\d+$/);
  assert.equal(status.prefixLength, 24);
  assert.equal(status.gateway, GATEWAY);
  assert.equal(status.interface, 'eth0');
  assert.match(status.mac ?? '', /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assert.ok(await linkExists('eth0', ns.net), 'eth0 inside the netns');
  assert.ok(await ping(status.ip), 'host pings the pod');
  assert.ok(await ping(GATEWAY, ns.net), 'pod pings its gateway');
  assert.ok(await ping('127.0.0.1', ns.net), 'loopback is up inside');
  assert.deepEqual((await readLeases(network.leaseDir, 'skiff-test')).map((l) => [l.ip, l.containerId, l.ifName]),
    [[status.ip, 'pod-a', 'eth0']]);
  await network.check('pod-a');
  // Same request again: answered from the cache, same address.
  assert.equal((await network.setup({ id: 'pod-a', netnsPath: ns.net ?? '' })).ip, status.ip);
});

test('two pods on one bridge reach each other', async () => {
  const nsB = await pinner.pin('pod-b');
  const b = await network.setup({ id: 'pod-b', netnsPath: nsB.net ?? '' });
  const a = await network.status('pod-a');
  assert.ok(a && a.ip !== b.ip);
  assert.ok(await ping(b.ip, pinner.pathFor('net', 'pod-a')), 'a → b');
  assert.ok(await ping(a.ip, nsB.net), 'b → a');
  assert.equal((await bridgePorts()).length, 2);
});

test('DEL removes the veth, the lease and the cache; DEL again and DEL of unknown ids succeed', async () => {
  const nsA = pinner.pathFor('net', 'pod-a');
  await network.teardown('pod-a');
  assert.equal(await linkExists('eth0', nsA), false);
  assert.equal((await bridgePorts()).length, 1);
  assert.deepEqual((await readLeases(network.leaseDir, 'skiff-test')).map((l) => l.containerId), ['pod-b']);
  assert.equal(await network.status('pod-a'), undefined);
  await network.teardown('pod-a');
  await network.teardown('never-seen');
  await pinner.unpin('pod-a');
});

test('a new instance (an engine restart) tears down what the old one set up', async () => {
  const restarted = newNetwork();
  assert.deepEqual(await restarted.list(), ['pod-b']);
  await restarted.teardown('pod-b');
  assert.equal(await linkExists('eth0', pinner.pathFor('net', 'pod-b')), false);
  assert.deepEqual(await readLeases(network.leaseDir, 'skiff-test'), []);
  assert.deepEqual(await network.list(), []);
  await pinner.unpin('pod-b');
});

test('reconcile tears down ids no longer known, including one whose netns is gone', async () => {
  const nsD = await pinner.pin('pod-d');
  const nsE = await pinner.pin('pod-e');
  const nsF = await pinner.pin('pod-f');
  await network.setup({ id: 'pod-d', netnsPath: nsD.net ?? '' });
  await network.setup({ id: 'pod-e', netnsPath: nsE.net ?? '' });
  await network.setup({ id: 'pod-f', netnsPath: nsF.net ?? '' });
  await pinner.unpin('pod-f'); // its namespace died with the crash
  const removed = await newNetwork().reconcile(['pod-d']);
  assert.deepEqual(removed, ['pod-e', 'pod-f']);
  assert.deepEqual(await network.list(), ['pod-d']);
  assert.equal(await linkExists('eth0', nsE.net), false);
  await assert.rejects(network.cleanupNetwork(), isNetworkInUse);
  await network.teardown('pod-d');
  await pinner.unpin('pod-d');
  await pinner.unpin('pod-e');
});

test('a plugin error comes back as a CniError naming the plugin, and leaves nothing behind', async () => {
  const missing = join(runDir, 'no-such-netns');
  await assert.rejects(network.setup({ id: 'pod-x', netnsPath: missing }), (err) => {
    assert.ok(isCniError(err));
    assert.equal(err.plugin, 'loopback');
    assert.match(err.message, /^CNI plugin "loopback" failed on ADD: .*no-such-netns/);
    return true;
  });
  assert.deepEqual(await network.list(), []);
});

test('pods set up in parallel get distinct addresses on one bridge', async () => {
  const ids = ['par-1', 'par-2', 'par-3', 'par-4'];
  const nss = await Promise.all(ids.map((id) => pinner.pin(id)));
  const statuses = await Promise.all(ids.map((id, i) => network.setup({ id, netnsPath: nss[i]?.net ?? '' })));
  assert.equal(new Set(statuses.map((s) => s.ip)).size, 4);
  assert.ok(await ping(statuses[3]?.ip ?? '', nss[0]?.net));
  await Promise.all(ids.map((id) => network.teardown(id)));
  await Promise.all(ids.map((id) => pinner.unpin(id)));
  assert.deepEqual(await network.list(), []);
});

test('timing: pin netns, ADD per plugin, DEL (printed, not asserted)', async () => {
  const byPlugin = new Map<string, number[]>();
  const onEvent = (message: unknown) => {
    const e = message as PluginRunEvent;
    const key = `${e.plugin} ${e.command}`;
    byPlugin.set(key, [...(byPlugin.get(key) ?? []), e.durationMs]);
  };
  subscribe(pluginChannel.name, onEvent);
  const pins: number[] = [];
  const adds: number[] = [];
  const dels: number[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      let t = performance.now();
      const ns = await pinner.pin(`t${i}`);
      pins.push(performance.now() - t);
      t = performance.now();
      await network.setup({ id: `t${i}`, netnsPath: ns.net ?? '' });
      adds.push(performance.now() - t);
      t = performance.now();
      await network.teardown(`t${i}`);
      dels.push(performance.now() - t);
      await pinner.unpin(`t${i}`);
    }
  } finally {
    unsubscribe(pluginChannel.name, onEvent);
  }
  const plugins = [...byPlugin].map(([k, v]) => `${k} ${median(v)}`).join(', ');
  console.log(`# cni timing (median of 10, ms): pin netns ${median(pins)}, setup ${median(adds)}, teardown ${median(dels)}; per plugin: ${plugins}`);
});
