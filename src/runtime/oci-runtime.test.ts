import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { OciRuntime, crunWrapperScript } from './oci-runtime.ts';

const dir = mkdtempSync('/tmp/skiff-test-ocirt-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('crun wrapper: private mount namespace without the cgroup2 mount, arguments passed through', () => {
  const script = crunWrapperScript('/usr/bin/crun', '/usr/bin/unshare', '/bin/umount');
  assert.match(script, /^#!\/bin\/sh\n/);
  assert.match(script, /unshare' -m --propagation slave/);
  assert.match(script, /umount \/sys\/fs\/cgroup\/unified/);
  assert.match(script, /'\/usr\/bin\/crun' "\$@"\n$/);
});

test('each runtime keeps its state under the data dir; --root on every call', async () => {
  const crun = new OciRuntime({ selector: 'crun', dataDir: dir });
  const runc = new OciRuntime({ selector: 'runc', dataDir: dir });
  const other = new OciRuntime({ selector: '/opt/bin/my-runtime', dataDir: dir });
  assert.equal(crun.root, `${dir}/runtime/crun`);
  assert.equal(runc.root, `${dir}/runtime/runc`);
  assert.match(other.root, new RegExp(`^${dir}/runtime/my-runtime-[0-9a-f]{8}$`));
  assert.deepEqual(crun.execArgs('id1', '/p.json', { tty: true }), ['--root', crun.root, 'exec', '--process', '/p.json', '--tty', 'id1']);
  await crun.init();
  await runc.init();
  assert.deepEqual(await crun.list(), []);
  assert.deepEqual(await runc.list(), []);
  assert.equal(await crun.state('missing'), undefined);
  await crun.delete('missing');
  // The wrapper really runs crun.
  assert.match(execFileSync(crun.command, ['--version']).toString(), /crun version/);
});
