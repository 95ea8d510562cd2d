// A container is a special process (A2, A3, A5, A7) through the Engine API on the real kernel:
// its own namespaces and hostname, host mounts invisible, bind mounts invisible on the host,
// cgroup limits that act (OOM kill, pids) and show (CPU quota), and the default security settings.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cgroupDir } from '../../src/runtime/cgroups.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';
import { hostNsInode, makeEngineEnv, runOnce } from './engine-helpers.ts';
import type { EngineTestEnv } from './engine-helpers.ts';

let t: EngineTestEnv;

before(async () => {
  t = await makeEngineEnv('iso');
});
after(async () => {
  await t.cleanup();
});

describe('A2: namespaces and hostname', () => {
  test('pid, mnt, uts, ipc and net namespaces differ from the host\'s; hostname is the container name', async () => {
    const kinds = ['pid', 'mnt', 'uts', 'ipc', 'net'];
    const r = await runOnce(t.engine, ['sh', '-c', `hostname; for k in ${kinds.join(' ')}; do readlink /proc/self/ns/$k; done; echo pid1=$$`], { name: 'iso-a2' });
    const [hostname, ...rest] = r.output.trim().split('\n');
    assert.equal(hostname, 'iso-a2');
    for (const [i, kind] of kinds.entries()) {
      assert.match(rest[i] ?? '', new RegExp(`^${kind}:\\[\\d+\\]$`));
      assert.notEqual(rest[i], hostNsInode(kind), kind);
    }
    assert.equal(rest.at(-1), 'pid1=1');
  });

  test('the host\'s mounts are invisible inside', async () => {
    const r = await runOnce(t.engine, ['cat', '/proc/self/mountinfo']);
    const inside = r.output.trim().split('\n').map((l) => l.split(' ')[4] ?? '');
    assert.equal(inside[0], '/');
    for (const hostMount of ['/work', '/tmp', '/etc/hosts', '/var', '/run']) {
      if (mountPoints().includes(hostMount)) assert.ok(!inside.includes(hostMount), hostMount);
    }
    assert.ok(inside.length < 40, `${inside.length} mounts inside`);
    assert.ok(inside.every((m) => m === '/' || /^\/(proc|dev|sys)(\/|$)/.test(m)), inside.join(' '));
  });
});

describe('A5: bind-mounted volumes', () => {
  test('the volume is visible inside, the mount is not visible on the host', async () => {
    const vol = join(t.root, 'vol');
    mkdirSync(vol);
    writeFileSync(join(vol, 'from-host'), 'hello\n');
    const r = await t.engine.run({ image: 'busybox', args: ['sh', '-c', 'cat /data/from-host; echo written > /data/from-ctr; grep -c " /data " /proc/self/mountinfo; exec sleep 300'], mounts: [{ source: vol, destination: '/data' }] });
    try {
      for (let i = 0; i < 100 && !existsSync(join(vol, 'from-ctr')); i++) await new Promise((res) => setTimeout(res, 20));
      assert.equal(readFileSync(join(vol, 'from-ctr'), 'utf8'), 'written\n');
      assert.ok(!mountPoints().some((m) => m.endsWith('/data') || m === vol), 'the bind mount shows on the host');
      // conmon copies output to the log file on its own schedule: wait for both lines.
      let out = '';
      for (let i = 0; i < 100; i++) {
        out = '';
        for await (const l of t.engine.containers.readLogs(r.id)) out += `${l.content}\n`;
        if (out.split('\n').length > 2) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      assert.equal(out, 'hello\n1\n');
      // Read-only volumes refuse writes.
      const ro = await runOnce(t.engine, ['sh', '-c', 'echo x > /data/nope || echo refused'], { mounts: [{ source: vol, destination: '/data', readonly: true }] });
      assert.match(ro.output, /refused/);
    } finally {
      await t.engine.removeContainer(r.id, { force: true });
    }
  });
});

describe('A3: cgroup limits', () => {
  test('a process past --memory is OOM-killed: exit 137, reason OOMKilled', async () => {
    const r = await runOnce(t.engine, ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived ${#x}'], {
      resources: { memoryLimitBytes: 32 * 1024 * 1024 },
    });
    assert.equal(r.exitCode, 137, r.output);
    assert.equal(r.reason, 'OOMKilled');
  });

  test('the pids limit stops forks', async () => {
    const r = await runOnce(t.engine, ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 2 & done 2>&1; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null; wait'], {
      resources: { pidsLimit: 5 },
    });
    assert.match(r.output, /can't fork|Resource temporarily unavailable/i);
  });

  test('CPU quota, shares and the memory limit are visible in the cgroup; stats are readable', async () => {
    const r = await t.engine.run({ image: 'busybox', args: ['sleep', '300'], resources: { cpuQuota: 50_000, cpuPeriod: 100_000, cpuShares: 512, memoryLimitBytes: 64 * 1024 * 1024 } });
    try {
      const st = await t.engine.containers.state(r.id);
      const cpu = cgroupDir('cpu', st.cgroupsPath)!;
      assert.equal(readFileSync(join(cpu, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
      assert.equal(readFileSync(join(cpu, 'cpu.cfs_period_us'), 'utf8').trim(), '100000');
      assert.equal(readFileSync(join(cpu, 'cpu.shares'), 'utf8').trim(), '512');
      assert.equal(readFileSync(join(cgroupDir('memory', st.cgroupsPath)!, 'memory.limit_in_bytes'), 'utf8').trim(), String(64 * 1024 * 1024));
      assert.ok(st.cgroupsPath.startsWith(`${t.cgroupRoot}/`));
      const stats = await t.engine.containers.stats(r.id);
      assert.ok((stats.memoryUsageBytes ?? 0) > 0);
      assert.equal(stats.pids, 1);
    } finally {
      await t.engine.removeContainer(r.id, { force: true });
    }
  });
});

describe('A7: security defaults', () => {
  test('capabilities dropped, seccomp filter, no_new_privs', async () => {
    const r = await runOnce(t.engine, ['grep', '-E', '^(CapEff|NoNewPrivs|Seccomp):', '/proc/self/status']);
    const host = readFileSync('/proc/self/status', 'utf8');
    const capEff = /CapEff:\s+([0-9a-f]+)/.exec(r.output)?.[1];
    assert.ok(capEff);
    assert.notEqual(capEff, /CapEff:\s+([0-9a-f]+)/.exec(host)?.[1]);
    assert.equal(BigInt(`0x${capEff}`) & (1n << 21n), 0n, 'CAP_SYS_ADMIN must be dropped');
    assert.match(r.output, /NoNewPrivs:\s+1/);
    assert.match(r.output, /Seccomp:\s+2/);
  });

  test('read-only root filesystem and a non-root user on request', async () => {
    const ro = await runOnce(t.engine, ['sh', '-c', 'touch /x 2>&1 || echo refused'], { readonlyRootfs: true });
    assert.match(ro.output, /refused/);
    const user = await runOnce(t.engine, ['sh', '-c', 'id -u; id -g'], { user: 'nobody' });
    assert.equal(user.output, '65534\n65534\n');
    const numeric = await runOnce(t.engine, ['id', '-u'], { user: '1234:5678' });
    assert.equal(numeric.output, '1234\n');
  });
});
