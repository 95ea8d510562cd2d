import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execProcess } from './container-exec.ts';
import { generateOciSpec } from './oci-spec.ts';

test("exec process: the container's process with new args, merged env, cwd and terminal", () => {
  const base = generateOciSpec({ args: ['/bin/app'], env: ['PATH=/bin', 'A=1'], cwd: '/srv', user: { uid: 7, gid: 7 }, rootfs: '/r', cgroupsPath: '/s/c' }).process;
  const p = execProcess(base, ['sh', '-c', 'env'], { env: ['A=2', 'B=3'], tty: true });
  assert.deepEqual(p.args, ['sh', '-c', 'env']);
  assert.deepEqual(p.env, ['PATH=/bin', 'A=2', 'B=3']);
  assert.equal(p.cwd, '/srv');
  assert.equal(p.terminal, true);
  assert.deepEqual(p.user, { uid: 7, gid: 7 });
  assert.deepEqual(p.capabilities, base.capabilities);
  assert.equal(execProcess(base, ['true'], { cwd: '/tmp' }).cwd, '/tmp');
  assert.equal(execProcess(base, ['true'], {}).terminal, false);
});
