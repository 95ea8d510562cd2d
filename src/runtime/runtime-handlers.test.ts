import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { OciRuntime } from './oci-runtime.ts';
import { RUNTIME_HANDLERS, availableRuntimeHandlers, runtimeHandler } from './runtime-handlers.ts';

const dir = mkdtempSync('/tmp/skiff-test-handlers-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('handlers runc, crun and gvisor (runsc); offered only when the binary is installed', () => {
  assert.deepEqual(RUNTIME_HANDLERS.map((h) => [h.name, h.binary]), [['runc', 'runc'], ['crun', 'crun'], ['gvisor', 'runsc']]);
  assert.deepEqual(availableRuntimeHandlers((b) => (b === 'runsc' || b === 'runc' ? `/usr/bin/${b}` : undefined)).map((h) => h.name), ['runc', 'gvisor']);
  assert.deepEqual(availableRuntimeHandlers(() => undefined), []);
  assert.equal(runtimeHandler('kata'), undefined);
});

test('gvisor runs runsc with the ptrace platform and host networking, its own state root, exec without --tty', () => {
  const rt = new OciRuntime({ selector: 'gvisor', dataDir: dir });
  assert.equal(rt.root, `${dir}/runtime/gvisor`);
  assert.deepEqual(rt.globalArgs(), ['--root', rt.root, '--platform=ptrace', '--network=host']);
  assert.deepEqual(rt.execArgs('c1', '/p.json', { tty: true }), [...rt.globalArgs(), 'exec', '--process', '/p.json', 'c1']);
  assert.equal(rt.sandboxed, true);
  const runc = new OciRuntime({ selector: 'runc', dataDir: dir });
  assert.equal(runc.sandboxed, false);
  assert.deepEqual(runc.globalArgs(), ['--root', runc.root]);
});

test('gvisor resolves to the runsc binary when installed', { skip: runtimeHandler('gvisor') && availableRuntimeHandlers().some((h) => h.name === 'gvisor') ? false : 'runsc not installed' }, async () => {
  const rt = new OciRuntime({ selector: 'gvisor', dataDir: dir });
  await rt.init();
  assert.match(rt.command, /\/runsc$/);
  assert.deepEqual(await rt.list(), []);
});
