import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupDir, cgroupDirs, cgroupHierarchies } from './cgroups.ts';
import { isHybridCgroupHost } from './oci-runtime.ts';
import { mountPoints } from './mounts/mountinfo.ts';

const HYBRID = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  '50 23 0:50 / /tmp/with\\040space rw - tmpfs tmpfs rw',
].join('\n');

test('hierarchies of a hybrid host', () => {
  const h = cgroupHierarchies(HYBRID);
  assert.deepEqual(h.map((x) => [x.mountPoint, x.version, x.controllers.join('+')]), [
    ['/sys/fs/cgroup/cpu,cpuacct', 1, 'cpu+cpuacct'],
    ['/sys/fs/cgroup/memory', 1, 'memory'],
    ['/sys/fs/cgroup/pids', 1, 'pids'],
    ['/sys/fs/cgroup/systemd', 1, 'name=systemd'],
    ['/sys/fs/cgroup/unified', 2, ''],
  ]);
  assert.equal(cgroupDir('cpuacct', '/skiff/c', h), '/sys/fs/cgroup/cpu,cpuacct/skiff/c');
  // Controllers without a v1 mount fall back to the unified hierarchy.
  assert.equal(cgroupDir('cpuset', '/skiff/c', h), '/sys/fs/cgroup/unified/skiff/c');
  assert.equal(cgroupDirs('/p', h).length, 5);
  assert.equal(isHybridCgroupHost(HYBRID), true);
  assert.equal(isHybridCgroupHost('29 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw'), false);
  assert.ok(mountPoints(HYBRID).includes('/tmp/with space'));
});

test('pure cgroup2 host', () => {
  const h = cgroupHierarchies('29 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate');
  assert.equal(cgroupDir('memory', '/a/b', h), '/sys/fs/cgroup/a/b');
});
