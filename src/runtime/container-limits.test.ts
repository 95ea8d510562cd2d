// Resource limits enforced by the kernel through the spec's linux.resources, checked on real
// cgroups (v1 on these hosts): OOM kill, pids limit, CPU quota and shares, stats.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cgroupDir } from './cgroups.ts';
import { makeTestEnv } from './test-support.ts';
import type { TestEnv } from './test-support.ts';

let env: TestEnv;
before(() => {
  env = makeTestEnv('limits');
});
after(async () => {
  await env.cleanup();
});

test('memory limit 32 MiB: a process allocating more is OOM-killed, exit 137, OOMKilled', async () => {
  const m = env.manager;
  const id = await m.createContainer({
    name: 'hog',
    rootfs: { directory: env.rootfs },
    // tail keeps the whole newline-free input in memory.
    args: ['/bin/sh', '-c', 'head -c 100m /dev/zero | tail'],
    resources: { memoryLimitBytes: 32 * 1024 * 1024 },
  });
  await m.start(id);
  const st = await m.waitForExit(id, 20_000);
  assert.equal(st.status, 'stopped');
  assert.equal(st.exitCode, 137);
  assert.equal(st.reason, 'OOMKilled');
  await m.remove(id);
});

test('pids limit stops a fork bomb; stats report pids and memory', async () => {
  const m = env.manager;
  const id = await m.createContainer({
    name: 'forky',
    rootfs: { directory: env.rootfs },
    args: ['/bin/sleep', '300'],
    resources: { pidsLimit: 10, memoryLimitBytes: 64 * 1024 * 1024 },
  });
  await m.start(id);
  const r = await m.exec(id, ['sh', '-c', 'i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i+1)); done; cat /sys/fs/cgroup/pids/pids.current 2>/dev/null; exit 0']);
  assert.match(r.stderr.toString(), /fork|resource|again/i);
  const stats = await m.stats(id);
  assert.equal(stats.pidsLimit, 10);
  assert.ok((stats.pids ?? 0) <= 10 && (stats.pids ?? 0) >= 2, `pids ${stats.pids}`);
  assert.equal(stats.memoryLimitBytes, 64 * 1024 * 1024);
  assert.ok((stats.memoryUsageBytes ?? 0) > 0);
  assert.ok((stats.cpuUsageNanos ?? 0) > 0);
  await m.remove(id);
});

test('CPU quota, period, shares and cpuset land in the cgroup files', async () => {
  const m = env.manager;
  const id = await m.createContainer({
    name: 'cpu',
    rootfs: { directory: env.rootfs },
    args: ['/bin/sleep', '300'],
    resources: { cpuQuota: 50_000, cpuPeriod: 100_000, cpuShares: 512, cpusetCpus: '0' },
  });
  await m.start(id);
  const path = (await m.state(id)).cgroupsPath;
  assert.ok(path.startsWith(`${env.cgroupRoot}/`));
  const cpu = cgroupDir('cpu', path);
  assert.ok(cpu);
  assert.equal(readFileSync(join(cpu, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
  assert.equal(readFileSync(join(cpu, 'cpu.cfs_period_us'), 'utf8').trim(), '100000');
  assert.equal(readFileSync(join(cpu, 'cpu.shares'), 'utf8').trim(), '512');
  const cpuset = cgroupDir('cpuset', path);
  assert.ok(cpuset);
  assert.equal(readFileSync(join(cpuset, 'cpuset.cpus'), 'utf8').trim(), '0');
  // The container's own process sits in that cgroup.
  const procs = readFileSync(join(cpu, 'cgroup.procs'), 'utf8');
  assert.ok(procs.split('\n').includes(String((await m.state(id)).pid)));
  await m.remove(id);
});

test('pod-level parent cgroups are created for and removed with the last container', async () => {
  const m = env.manager;
  const parent = `${env.cgroupRoot}/pod-abc`;
  const a = await m.createContainer({ name: 'a', rootfs: { directory: env.rootfs }, args: ['/bin/sleep', '300'], cgroupParent: parent });
  const b = await m.createContainer({ name: 'b', rootfs: { directory: env.rootfs }, args: ['/bin/sleep', '300'], cgroupParent: parent });
  await m.start(a);
  await m.start(b);
  const mem = cgroupDir('memory', parent);
  assert.ok(mem);
  await m.remove(a);
  assert.ok(readFileSync(join(mem, 'cgroup.procs'), 'utf8') !== undefined, 'parent kept while b lives');
  await m.remove(b);
  assert.throws(() => readFileSync(join(mem, 'cgroup.procs')), /ENOENT/);
});

test('concurrent creates and removes in one pod leave no cgroup behind', async () => {
  const m = env.manager;
  const parent = `${env.cgroupRoot}/pod-many`;
  const ids = await Promise.all([0, 1, 2, 3].map((i) => m.createContainer({ name: `m${i}`, rootfs: { directory: env.rootfs }, args: ['/bin/sleep', '300'], cgroupParent: parent })));
  await Promise.all(ids.map((id) => m.start(id)));
  assert.equal((await m.list()).filter((c) => c.status === 'running').length, 4);
  await Promise.all(ids.map((id) => m.remove(id)));
  const mem = cgroupDir('memory', parent);
  assert.ok(mem);
  assert.throws(() => readFileSync(join(mem, 'cgroup.procs')), /ENOENT/);
});
