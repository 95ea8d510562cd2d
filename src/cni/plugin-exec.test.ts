// Runs fake plugins (shell scripts in a temporary plugin dir) to test the exec protocol itself.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isCniError } from './errors.ts';
import { PluginExecutor, pluginChannel } from './plugin-exec.ts';
import type { PluginRunEvent } from './plugin-exec.ts';

let dir = '';
let executor: PluginExecutor;
const rt = { containerId: 'abc', netns: '/run/netns/abc', ifName: 'eth0', args: { K8S_POD_NAME: 'web' } };

async function plugin(name: string, body: string): Promise<void> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-cni-plugins-'));
  await plugin('echo-env', `stdin=$(cat)
printf '{"cniVersion":"1.0.0","env":"%s|%s|%s|%s|%s|%s","stdin":%s}' "$CNI_COMMAND" "$CNI_CONTAINERID" "$CNI_NETNS" "$CNI_IFNAME" "$CNI_PATH" "$CNI_ARGS" "$stdin"`);
  await plugin('fails', `cat >/dev/null; echo '{"cniVersion":"1.0.0","code":7,"msg":"invalid network config","details":"no subnet"}'; exit 1`);
  await plugin('crashes', 'echo "panic: runtime error" >&2; exit 2');
  await plugin('garbage', 'echo not-json');
  await plugin('silent', 'exit 0');
  await plugin('hangs', 'exec sleep 10');
  executor = new PluginExecutor({ pluginDirs: ['/nonexistent', dir], timeoutMs: 300 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('parameters go in the environment and the config on stdin', async () => {
  const out = await executor.run('echo-env', 'ADD', rt, { cniVersion: '1.0.0', name: 'n' }) as { env: string; stdin: unknown };
  assert.equal(out.env, `ADD|abc|/run/netns/abc|eth0|/nonexistent:${dir}|IgnoreUnknown=1;K8S_POD_NAME=web`);
  assert.deepEqual(out.stdin, { cniVersion: '1.0.0', name: 'n' });
});

test('a JSON error on stdout becomes a CniError naming the plugin', async () => {
  await assert.rejects(executor.run('fails', 'ADD', rt, {}), (err) => {
    assert.ok(isCniError(err));
    assert.equal(err.plugin, 'fails');
    assert.equal(err.cniCode, 7);
    assert.equal(err.details, 'no subnet');
    assert.equal(err.message, 'CNI plugin "fails" failed on ADD: invalid network config (no subnet)');
    return true;
  });
});

test('crashes, garbage, missing plugins and hangs are CniErrors too; empty output is fine', async () => {
  await assert.rejects(executor.run('crashes', 'DEL', rt, {}), /"crashes" failed on DEL: panic: runtime error \(exit 2\)/);
  await assert.rejects(executor.run('garbage', 'ADD', rt, {}), /cannot parse result: not-json/);
  await assert.rejects(executor.run('nope', 'ADD', rt, {}), /"nope" failed on find: plugin not found/);
  await assert.rejects(executor.run('../bin/sh', 'ADD', rt, {}), /invalid plugin type/);
  await assert.rejects(executor.run('hangs', 'ADD', rt, {}), /killed after 300 ms/);
  assert.equal(await executor.run('silent', 'DEL', rt, {}), undefined);
});

test('every run is published on the diagnostics channel', async () => {
  const events: PluginRunEvent[] = [];
  const onEvent = (e: unknown) => events.push(e as PluginRunEvent);
  subscribe(pluginChannel.name, onEvent);
  try {
    await executor.run('silent', 'DEL', rt, {});
    await executor.run('fails', 'ADD', rt, {}).catch(() => undefined);
  } finally {
    unsubscribe(pluginChannel.name, onEvent);
  }
  assert.deepEqual(events.map((e) => [e.plugin, e.command, e.containerId, e.ok]), [['silent', 'DEL', 'abc', true], ['fails', 'ADD', 'abc', false]]);
  assert.ok(events.every((e) => e.durationMs >= 0));
});
