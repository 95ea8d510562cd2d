import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidContainerSpec } from './errors.ts';
import { parseHardLimits } from './host-limits.ts';
import { DEFAULT_CAPABILITIES } from './oci-defaults.ts';
import { generateOciSpec } from './oci-spec.ts';
import type { ContainerSpecInput } from './oci-spec.ts';

const base: ContainerSpecInput = { args: ['/bin/sh'], rootfs: '/r', cgroupsPath: '/skiff/pod/c1', arch: 'x64' };

test('defaults: containerd capability set, masked paths, devices, new namespaces, seccomp', () => {
  const s = generateOciSpec({ ...base, hostname: 'web' });
  assert.equal(s.ociVersion, '1.0.2');
  assert.deepEqual(s.process.capabilities.bounding, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(s.process.capabilities.effective, s.process.capabilities.permitted);
  assert.deepEqual(s.process.capabilities.ambient, []);
  assert.deepEqual(s.process.user, { uid: 0, gid: 0 });
  assert.equal(s.process.cwd, '/');
  assert.ok(s.process.env[0]?.startsWith('PATH='));
  assert.equal(s.hostname, 'web');
  assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['pid', 'network', 'ipc', 'uts', 'mount']);
  assert.ok(s.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
  assert.deepEqual(s.linux.devices.map((d) => d.path), ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty', '/dev/ptmx']);
  assert.deepEqual(s.mounts.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
  assert.ok(s.mounts.find((m) => m.destination === '/sys')?.options.includes('ro'));
  assert.ok(s.mounts.find((m) => m.destination === '/sys/fs/cgroup')?.options.includes('ro'));
  assert.equal(s.linux.cgroupsPath, '/skiff/pod/c1');
  assert.equal(s.linux.resources.devices[0]?.allow, false);
  assert.equal(s.linux.seccomp?.defaultAction, 'SCMP_ACT_ALLOW');
  assert.ok(s.linux.seccomp?.syscalls[0]?.names.includes('kexec_load'));
  assert.ok(s.linux.seccomp?.architectures.includes('SCMP_ARCH_X86_64'));
});

test('joined namespaces by path; never a hostname in a joined UTS namespace; host namespaces omitted', () => {
  const s = generateOciSpec({
    ...base,
    hostname: 'app',
    namespaces: { network: { path: '/proc/42/ns/net' }, ipc: { path: '/run/skiff/ns/ipc-x' }, uts: { path: '/proc/42/ns/uts' }, pid: 'host' },
  });
  assert.equal(s.hostname, undefined);
  assert.deepEqual(s.linux.namespaces, [
    { type: 'network', path: '/proc/42/ns/net' },
    { type: 'ipc', path: '/run/skiff/ns/ipc-x' },
    { type: 'uts', path: '/proc/42/ns/uts' },
    { type: 'mount' },
  ]);
  assert.throws(() => generateOciSpec({ ...base, namespaces: { network: { path: 'proc/1/ns/net' } } }), isInvalidContainerSpec);
  assert.throws(() => generateOciSpec({ ...base, namespaces: { mount: 'host' } }), isInvalidContainerSpec);
});

test('user namespace with mappings; devpts without gid=5', () => {
  const s = generateOciSpec({ ...base, userNamespace: { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] } });
  assert.ok(s.linux.namespaces.some((n) => n.type === 'user' && n.path === undefined));
  assert.equal(s.linux.uidMappings?.[0]?.hostID, 100000);
  assert.ok(!s.mounts.find((m) => m.destination === '/dev/pts')?.options.includes('gid=5'));
  const joined = generateOciSpec({ ...base, userNamespace: { path: '/proc/9/ns/user', uidMappings: [], gidMappings: [] } });
  assert.equal(joined.linux.uidMappings, undefined);
});

test('process: user, env, cwd, tty, noNewPrivileges, capabilities add/drop', () => {
  const s = generateOciSpec({
    ...base,
    env: ['PATH=/x', 'A=1'],
    cwd: '/work',
    user: { uid: 1000, gid: 1000, additionalGids: [5, 6] },
    tty: true,
    noNewPrivileges: true,
    capabilities: { add: ['sys_time'], drop: ['NET_RAW', 'CAP_MKNOD'] },
    oomScoreAdj: 500,
  });
  assert.deepEqual(s.process.env, ['PATH=/x', 'A=1']);
  assert.equal(s.process.cwd, '/work');
  assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [5, 6] });
  assert.equal(s.process.terminal, true);
  assert.equal(s.process.noNewPrivileges, true);
  assert.ok(s.process.capabilities.bounding.includes('CAP_SYS_TIME'));
  assert.ok(!s.process.capabilities.bounding.includes('CAP_NET_RAW'));
  assert.ok(!s.process.capabilities.bounding.includes('CAP_MKNOD'));
  assert.equal(s.process.oomScoreAdj, 500);
  const none = generateOciSpec({ ...base, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } });
  assert.deepEqual(none.process.capabilities.bounding, ['CAP_NET_BIND_SERVICE']);
});

test('rlimits never exceed the host hard limits', () => {
  const host = parseHardLimits(
    'Limit                     Soft Limit           Hard Limit           Units     \n' +
      'Max open files            20000                20000                files     \n' +
      'Max processes             unlimited            unlimited            processes \n',
  );
  assert.equal(host['RLIMIT_NOFILE'], 20000);
  assert.equal(host['RLIMIT_NPROC'], Number.POSITIVE_INFINITY);
  const s = generateOciSpec({ ...base, hostHardLimits: host });
  assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }]);
  const t = generateOciSpec({ ...base, hostHardLimits: host, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 30000, hard: 40000 }, { type: 'RLIMIT_NPROC', soft: 10, hard: 20 }] });
  assert.deepEqual(t.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }, { type: 'RLIMIT_NPROC', soft: 10, hard: 20 }]);
});

test('volumes: ro/rw and propagation; shm from the pod; read-only root', () => {
  const s = generateOciSpec({
    ...base,
    readonlyRootfs: true,
    shmPath: '/run/pod/shm',
    mounts: [{ source: '/v/a', destination: '/a', readonly: true }, { source: '/v/b', destination: '/b', propagation: 'rslave' }],
  });
  assert.equal(s.root.readonly, true);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/a'), { destination: '/a', type: 'bind', source: '/v/a', options: ['rbind', 'rprivate', 'ro'] });
  assert.deepEqual(s.mounts.find((m) => m.destination === '/b')?.options, ['rbind', 'rslave', 'rw']);
  assert.equal(s.mounts.find((m) => m.destination === '/dev/shm')?.source, '/run/pod/shm');
  assert.throws(() => generateOciSpec({ ...base, mounts: [{ source: 'rel', destination: '/x' }] }), isInvalidContainerSpec);
});

test('resources and absolute cgroups path', () => {
  const s = generateOciSpec({ ...base, resources: { memoryLimitBytes: 1 << 25, cpuShares: 256, cpuQuota: 20000, cpuPeriod: 100000, cpusetCpus: '0-1', pidsLimit: 64 } });
  assert.deepEqual(s.linux.resources.memory, { limit: 1 << 25 });
  assert.deepEqual(s.linux.resources.cpu, { shares: 256, quota: 20000, period: 100000, cpus: '0-1' });
  assert.deepEqual(s.linux.resources.pids, { limit: 64 });
  assert.throws(() => generateOciSpec({ ...base, cgroupsPath: 'skiff/c' }), isInvalidContainerSpec);
  assert.throws(() => generateOciSpec({ ...base, args: [] }), isInvalidContainerSpec);
});

test('seccomp: unconfined, custom, and namespace-creating clone refused', () => {
  assert.equal(generateOciSpec({ ...base, seccomp: 'unconfined' }).linux.seccomp, undefined);
  const custom = { defaultAction: 'SCMP_ACT_ERRNO', architectures: [], syscalls: [] };
  assert.deepEqual(generateOciSpec({ ...base, seccomp: custom }).linux.seccomp, custom);
  const clone = generateOciSpec(base).linux.seccomp?.syscalls.filter((r) => r.names.includes('clone')) ?? [];
  assert.ok(clone.some((r) => r.args?.[0]?.value === 0x10000000)); // CLONE_NEWUSER
  const arm = generateOciSpec({ ...base, arch: 'arm64' }).linux.seccomp;
  assert.deepEqual(arm?.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
});
