// The same containers through runc, crun and runc side by side in one manager, and the start time
// of /bin/true through the manager against a bare `crun run` / `runc run` (printed, not asserted).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateOciSpec } from './oci-spec.ts';
import { readHostHardLimits } from './host-limits.ts';
import { removeCgroup } from './cgroups.ts';
import { makeTestEnv } from './test-support.ts';
import type { TestEnv } from './test-support.ts';

let env: TestEnv;
before(() => {
  env = makeTestEnv('rt');
});
after(async () => {
  await env.cleanup();
});

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.floor(s.length / 2)] ?? NaN).toFixed(1));
};

test('runc: logs, exit code, exec, hostname, stop, remove', async () => {
  const m = env.manager;
  const once = await m.createContainer({ name: 'runc-once', runtime: 'runc', rootfs: { directory: env.rootfs }, args: ['/bin/sh', '-c', 'echo hi-from-runc; exit 4'] });
  await m.start(once);
  const st = await m.waitForExit(once, 10_000);
  assert.equal(st.exitCode, 4);
  assert.equal(st.reason, 'Error');
  assert.match(readFileSync(st.logPath, 'utf8'), / stdout F hi-from-runc\n/);
  await m.remove(once);

  const id = await m.createContainer({ name: 'runc-box', runtime: 'runc', rootfs: { lowerDirs: [env.rootfs] }, args: ['/bin/sleep', '300'], resources: { memoryLimitBytes: 48 * 1024 * 1024 } });
  await m.start(id);
  assert.equal((await m.state(id)).runtime, 'runc');
  const h = await m.exec(id, ['hostname']);
  assert.equal(h.stdout.toString(), 'runc-box\n');
  const tty = await m.exec(id, ['tty'], { tty: true });
  assert.match(tty.stdout.toString(), /^\/dev\/pts\/\d+/);
  assert.equal((await m.stats(id)).memoryLimitBytes, 48 * 1024 * 1024);
  const stopped = await m.stop(id, 1);
  assert.equal(stopped.exitCode, 137);
  await m.remove(id);
});

test('crun and runc containers side by side in one manager', async () => {
  const m = env.manager;
  const a = await m.createContainer({ name: 'c', runtime: 'crun', rootfs: { directory: env.rootfs }, args: ['/bin/sleep', '300'] });
  const b = await m.createContainer({ name: 'r', runtime: 'runc', rootfs: { directory: env.rootfs }, args: ['/bin/sleep', '300'] });
  await m.start(a);
  await m.start(b);
  const list = await m.list();
  assert.deepEqual(list.map((c) => `${c.name}:${c.runtime}:${c.status}`).sort(), ['c:crun:running', 'r:runc:running']);
  await m.remove(a);
  await m.remove(b);
});

test('start time of /bin/true: manager vs bare runtime (printed)', async () => {
  const m = env.manager;
  const rounds = 11;
  const results: string[] = [];
  for (const runtime of ['crun', 'runc'] as const) {
    const rt = await m.runtime(runtime);
    const api: number[] = [];
    const removeTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const id = await m.createContainer({ name: `true-${i}`, runtime, rootfs: { directory: env.rootfs }, args: ['/bin/true'] });
      await m.start(id);
      const st = await m.waitForExit(id, 10_000, 2);
      api.push(performance.now() - t0);
      assert.equal(st.exitCode, 0);
      const t1 = performance.now();
      await m.remove(id);
      removeTimes.push(performance.now() - t1);
    }
    const bare: number[] = [];
    const bundle = join(env.root, `bare-${runtime}`);
    mkdirSync(bundle, { recursive: true });
    for (let i = 0; i < rounds; i++) {
      const cgroupsPath = `${env.cgroupRoot}/bare-${runtime}-${i}`;
      const spec = generateOciSpec({ args: ['/bin/true'], rootfs: env.rootfs, cgroupsPath, hostname: 'bare', hostHardLimits: readHostHardLimits() });
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      const t0 = performance.now();
      const r = spawnSync(rt.command, [...rt.globalArgs(), 'run', '--bundle', bundle, `bare-${runtime}-${i}`], { stdio: 'ignore' });
      bare.push(performance.now() - t0);
      assert.equal(r.status, 0);
      await removeCgroup(cgroupsPath, env.cgroupRoot);
    }
    results.push(`${runtime}: manager create+start+exit ${median(api)} ms (remove ${median(removeTimes)} ms), bare \`${runtime} run\` ${median(bare)} ms`);
  }
  for (const line of results) console.log(`# start of /bin/true, median of ${rounds}: ${line}`);
});
