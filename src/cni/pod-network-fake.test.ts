// PodNetwork's bookkeeping (cache, rollback, recovery) against a fake plugin runner: no kernel.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CniError, isCniError, isInvalidNetworkConfig } from './errors.ts';
import { FakePluginRunner } from './fake-plugin-runner.ts';
import type { RecordedCall } from './fake-plugin-runner.ts';
import { PodNetwork } from './pod-network.ts';
import { ResultCache } from './result-cache.ts';

let dataDir = '';
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'skiff-cni-fake-'));
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function answer(failOn?: string) {
  return (c: RecordedCall) => {
    if (c.plugin === failOn && c.command === 'ADD') throw new CniError(c.plugin, 'ADD', 'no more addresses');
    if (c.command !== 'ADD') return undefined;
    if (c.plugin === 'loopback') return { cniVersion: '1.0.0', interfaces: [{ name: 'lo', sandbox: c.rt.netns }], ips: [{ address: '127.0.0.1/8', interface: 0 }] };
    return {
      cniVersion: '1.0.0',
      interfaces: [{ name: 'br' }, { name: 'veth1' }, { name: 'eth0', mac: '02:00:00:00:00:05', sandbox: c.rt.netns }],
      ips: [{ address: '10.9.0.5/24', gateway: '10.9.0.1', interface: 2 }],
    };
  };
}

function network(runner: FakePluginRunner, sub: string): PodNetwork {
  return new PodNetwork({ dataDir: join(dataDir, sub), subnet: '10.9.0.0/24', runner });
}

test('setup returns the sandbox address; the same request again is answered from the cache', async () => {
  const runner = new FakePluginRunner(answer());
  const net = network(runner, 'a');
  const status = await net.setup({ id: 'p1', netnsPath: '/run/x/p1', args: { K8S_POD_NAME: 'web' } });
  assert.deepEqual({ ...status, result: undefined }, { id: 'p1', ip: '10.9.0.5', prefixLength: 24, gateway: '10.9.0.1', interface: 'eth0', mac: '02:00:00:00:00:05', result: undefined });
  await net.setup({ id: 'p1', netnsPath: '/run/x/p1' });
  assert.equal(runner.calls.length, 2);
  assert.deepEqual(runner.calls[0]?.rt.args, { K8S_POD_NAME: 'web' });
  // A different netns for the same id: the old attachment is removed first.
  await net.setup({ id: 'p1', netnsPath: '/run/x/p1-new' });
  assert.deepEqual(runner.calls.slice(2).map((c) => `${c.plugin} ${c.command}`), ['bridge DEL', 'loopback DEL', 'loopback ADD', 'bridge ADD']);
});

test('a failed ADD is undone through DEL and leaves no cache entry', async () => {
  const runner = new FakePluginRunner(answer('bridge'));
  const net = network(runner, 'b');
  await assert.rejects(net.setup({ id: 'p2', netnsPath: '/run/x/p2' }), (err) => isCniError(err) && err.plugin === 'bridge');
  assert.deepEqual(runner.calls.map((c) => `${c.plugin} ${c.command}`), ['loopback ADD', 'bridge ADD', 'bridge DEL', 'loopback DEL']);
  assert.deepEqual(await net.list(), []);
});

test('host ports add portmap with runtimeConfig, and DEL after a restart sends the same mappings', async () => {
  const runner = new FakePluginRunner(answer());
  const portMappings = [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' as const }];
  await network(runner, 'c').setup({ id: 'p3', netnsPath: '/run/x/p3', portMappings });
  const restarted = new FakePluginRunner(answer());
  await network(restarted, 'c').teardown('p3');
  const del = restarted.calls[0];
  assert.equal(del?.plugin, 'portmap');
  assert.deepEqual(del?.config.runtimeConfig, { portMappings });
  assert.equal((del?.config.prevResult as { ips: unknown[] }).ips.length, 1);
  assert.equal(del?.rt.netns, '', 'a path that is not a namespace is not handed to DEL');
  await assert.rejects(network(runner, 'c').setup({ id: 'p4', netnsPath: '/x', portMappings: [{ hostPort: 0, containerPort: 80 }] }), isInvalidNetworkConfig);
});

test('an entry left by a crash during ADD (no result) is found and undone by reconcile', async () => {
  const cache = new ResultCache(join(dataDir, 'd', 'cni', 'results'), 'skiff');
  const runner = new FakePluginRunner(answer());
  const net = network(runner, 'd');
  await cache.write({
    kind: 'skiff-cni-cache/v1', containerId: 'half', ifName: 'eth0', netns: '/run/x/half',
    config: { cniVersion: '1.0.0', name: 'skiff', plugins: [{ type: 'loopback' }, { type: 'bridge' }] },
  });
  assert.equal(await net.status('half'), undefined);
  assert.deepEqual(await net.reconcile([]), ['half']);
  assert.deepEqual(runner.calls.map((c) => `${c.plugin} ${c.command}`), ['bridge DEL', 'loopback DEL']);
  assert.deepEqual(await net.list(), []);
});
