// Shared by the runtime's real-kernel tests: a busybox root filesystem (Debian's busybox-static),
// a manager on a throw-away data directory with its own cgroup root, and a cleanup that removes
// every container and then checks nothing is left (cgroups, mounts, runtime state, conmon).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupDirs } from './cgroups.ts';
import { ContainerManager } from './container-manager.ts';
import type { ContainerManagerOptions } from './container-manager.ts';
import { mountPoints } from './mounts/mountinfo.ts';

export interface TestEnv {
  root: string;
  dataDir: string;
  rootfs: string;
  cgroupRoot: string;
  manager: ContainerManager;
  newManager(options?: Partial<ContainerManagerOptions>): ContainerManager;
  cleanup(): Promise<void>;
}

/** A root filesystem of busybox applets: /bin/busybox plus one symlink per applet. */
export function buildBusyboxRootfs(dir: string): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'bin', 'busybox'));
  execFileSync('chroot', [dir, '/bin/busybox', '--install', '-s', '/bin']);
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'etc', 'data', 'root']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\ntty:x:5:\nnobody:x:65534:\n');
}

export function makeTestEnv(label: string, options: Partial<ContainerManagerOptions> = {}): TestEnv {
  if (!existsSync('/bin/busybox')) throw new Error('tests need busybox-static (/bin/busybox)');
  const root = mkdtempSync(`/tmp/skiff-test-${label}-`);
  const dataDir = join(root, 'data');
  const rootfs = join(root, 'rootfs');
  buildBusyboxRootfs(rootfs);
  const cgroupRoot = `/skiff-test-${label}-${randomBytes(3).toString('hex')}`;
  const newManager = (o: Partial<ContainerManagerOptions> = {}): ContainerManager =>
    new ContainerManager({ dataDir, cgroupRoot, ...options, ...o });
  const manager = newManager();
  const cleanup = async (): Promise<void> => {
    const m = newManager();
    for (const c of await m.list()) await m.remove(c.id);
    await m.recover();
    for (const c of await m.list()) await m.remove(c.id);
    const leftovers: string[] = [];
    for (const dir of cgroupDirs(cgroupRoot)) if (existsSync(dir)) leftovers.push(dir);
    for (const mp of mountPoints()) if (mp.startsWith(root)) leftovers.push(`mount ${mp}`);
    for (const rt of ['crun', 'runc']) {
      const state = join(dataDir, 'runtime', rt);
      if (!existsSync(state)) continue;
      const out = execFileSync(rt, ['--root', state, 'list', '-q']).toString().trim();
      if (out) leftovers.push(`${rt} containers: ${out}`);
    }
    rmSync(root, { recursive: true, force: true });
    assert.deepEqual(leftovers, [], 'the test left things behind');
  };
  return { root, dataDir, rootfs, cgroupRoot, manager, newManager, cleanup };
}

/** Lines of the container's log file as stored (CRI format), for format assertions. */
export function rawLogLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}
