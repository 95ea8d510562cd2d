import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CniError, isCniError } from './errors.ts';
import { FakePluginRunner } from './fake-plugin-runner.ts';
import { addNetworkList, checkNetworkList, delNetworkList, parseResult, pluginStdin } from './network-list.ts';
import type { CniResult, NetworkConfigList, RuntimeConf } from './types.ts';

const list: NetworkConfigList = {
  cniVersion: '1.0.0',
  name: 'net1',
  plugins: [{ type: 'first', a: 1 }, { type: 'second', capabilities: { portMappings: true, bandwidth: false } }],
};
const rt: RuntimeConf = {
  containerId: 'c1', netns: '/run/netns/c1', ifName: 'eth0',
  capabilityArgs: { portMappings: [{ hostPort: 80, containerPort: 8080 }], bandwidth: { ingressRate: 1 } },
};
const result = (n: number): CniResult => ({ cniVersion: '1.0.0', ips: [{ address: `10.0.0.${n}/24` }] });

test('pluginStdin adds name, version, prevResult and only the declared capabilities', () => {
  assert.deepEqual(pluginStdin(list, list.plugins[0]!, rt), { type: 'first', a: 1, cniVersion: '1.0.0', name: 'net1' });
  const second = pluginStdin(list, list.plugins[1]!, rt, result(1)) as Record<string, unknown>;
  assert.deepEqual(second.runtimeConfig, { portMappings: [{ hostPort: 80, containerPort: 8080 }] });
  assert.deepEqual(second.prevResult, result(1));
});

test('ADD chains each result into the next plugin and returns the last', async () => {
  let n = 0;
  const runner = new FakePluginRunner(() => result(++n));
  assert.deepEqual(await addNetworkList(runner, list, rt), result(2));
  assert.deepEqual(runner.calls.map((c) => [c.plugin, c.command]), [['first', 'ADD'], ['second', 'ADD']]);
  assert.equal(runner.calls[0]?.config.prevResult, undefined);
  assert.deepEqual(runner.calls[1]?.config.prevResult, result(1));
});

test('ADD stops at the first failing plugin and rejects results that are not results', async () => {
  const failing = new FakePluginRunner((c) => {
    if (c.plugin === 'first') throw new CniError('first', 'ADD', 'boom', 11);
    return result(1);
  });
  await assert.rejects(addNetworkList(failing, list, rt), (err) => isCniError(err) && err.cniCode === 11);
  assert.equal(failing.calls.length, 1);
  await assert.rejects(addNetworkList(new FakePluginRunner(() => ({ ips: [] })), list, rt), /invalid result: cniVersion/);
  assert.throws(() => parseResult({ cniVersion: '1.0.0', ips: [{}] }, 'x', 'ADD'), /ips\[\]\.address/);
});

test('DEL runs in reverse with the cached result, keeps going past failures, then throws the first', async () => {
  const runner = new FakePluginRunner((c) => {
    if (c.plugin === 'second') throw new CniError('second', 'DEL', 'gone wrong');
    return undefined;
  });
  await assert.rejects(delNetworkList(runner, list, rt, result(7)), /plugin "second" failed on DEL: gone wrong/);
  assert.deepEqual(runner.calls.map((c) => c.plugin), ['second', 'first']);
  assert.ok(runner.calls.every((c) => c.command === 'DEL'));
  assert.deepEqual(runner.calls[1]?.config.prevResult, result(7));
});

test('CHECK runs in order with the cached result; disableCheck skips it', async () => {
  const runner = new FakePluginRunner(() => undefined);
  await checkNetworkList(runner, list, rt, result(3));
  assert.deepEqual(runner.calls.map((c) => [c.plugin, c.command, c.config.prevResult]), [['first', 'CHECK', result(3)], ['second', 'CHECK', result(3)]]);
  const skipped = new FakePluginRunner(() => undefined);
  await checkNetworkList(skipped, { ...list, disableCheck: true }, rt, result(3));
  assert.equal(skipped.calls.length, 0);
});
