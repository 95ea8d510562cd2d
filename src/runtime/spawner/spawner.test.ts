import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { nativeBinary } from '../native/native-binary.ts';
import { nodeSpawn } from './run-process.ts';
import { SpawnFailed, Spawner } from './spawner.ts';
import type { ProcessOptions, ProcessResult } from './spawner.ts';

type Run = (file: string, args: readonly string[], o?: ProcessOptions) => Promise<ProcessResult>;

const spawner = new Spawner(await nativeBinary('skiff-spawner'));
after(() => spawner.close());

// The helper and Node's spawn must answer alike: the engine uses whichever is available.
const impls: [string, Run][] = [
  ['skiff-spawner', (f, a, o) => spawner.run(f, a, o)],
  ['node spawn', nodeSpawn],
];

for (const [name, run] of impls) {
  describe(name, () => {
    test('exit status, stdout and stderr', async () => {
      const r = await run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3);
      assert.equal(r.signal, null);
      assert.equal(r.stdout.toString(), 'out\n');
      assert.equal(r.stderr.toString(), 'err\n');
      assert.equal(r.timedOut, false);
    });

    test('input goes to stdin; without input stdin is empty', async () => {
      assert.equal((await run('cat', [], { input: 'hello\nworld' })).stdout.toString(), 'hello\nworld');
      assert.equal((await run('cat', [])).stdout.toString(), '');
      // A command that never reads its input still finishes.
      assert.equal((await run('true', [], { input: 'x'.repeat(1 << 20) })).code, 0);
    });

    test('env replaces the environment; cwd sets the directory', async () => {
      const r = await run('/bin/sh', ['-c', 'echo "$A|$HOME"; pwd'], { env: { A: 'b', PATH: '/usr/bin:/bin' }, cwd: '/proc' });
      assert.equal(r.stdout.toString(), 'b|\n/proc\n');
      const inherited = await run('sh', ['-c', 'echo "$PATH"']);
      assert.equal(inherited.stdout.toString().trim(), process.env.PATH);
    });

    test('a signal that ends the command is reported', async () => {
      const r = await run('sh', ['-c', 'kill -TERM $$']);
      assert.equal(r.code, null);
      assert.equal(r.signal, 'SIGTERM');
    });

    test('a command past its timeout is killed', async () => {
      const t0 = performance.now();
      const r = await run('sleep', ['5'], { timeoutMs: 200 });
      assert.equal(r.timedOut, true);
      assert.equal(r.signal, 'SIGKILL');
      assert.ok(performance.now() - t0 < 4000);
    });

    test('a missing command fails with ENOENT', async () => {
      await assert.rejects(run('/nonexistent/skiff-nothing', []), (e: unknown) => e instanceof SpawnFailed && e.code === 'ENOENT');
    });

    test('large output and many commands at once', async () => {
      const big = await run('head', ['-c', String(3 << 20), '/dev/zero']);
      assert.equal(big.stdout.length, 3 << 20);
      const many = await Promise.all(Array.from({ length: 100 }, (_, i) => run('sh', ['-c', `echo ${i}`])));
      assert.deepEqual(many.map((r) => r.stdout.toString().trim()), Array.from({ length: 100 }, (_, i) => String(i)));
    });

    test('arguments keep spaces, quotes and non-ASCII bytes', async () => {
      const args = ['a b', "it's", '"q"', 'ü€', ''];
      const r = await run('printf', ['%s|', ...args]);
      assert.equal(r.stdout.toString(), `${args.join('|')}|`);
    });
  });
}

describe('skiff-spawner detached commands (conmon)', () => {
  test('the answer is the first line on fd 3, before the command ends; output goes to the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-spawner-'));
    try {
      const out = join(dir, 'out.log');
      const t0 = performance.now();
      const a = await spawner.runDetached('sh', ['-c', 'echo to-file; echo "$X" >&3; sleep 1; echo late >&3'], { env: { X: '{"data": 42}', PATH: process.env.PATH ?? '' }, outputFile: out });
      assert.equal(a.line, '{"data": 42}');
      assert.ok(performance.now() - t0 < 900, 'answered before the command ended');
      assert.equal(await readFile(out, 'utf8'), 'to-file\n');
      // Its own session: setsid() made it a session leader.
      const b = await spawner.runDetached('sh', ['-c', 'echo "$$ $(cut -d" " -f6 /proc/$$/stat)" >&3']);
      const [pid, sid] = (b.line ?? '').split(' ');
      assert.ok(pid !== undefined && pid !== '' && pid === sid, `pid ${pid} leads session ${sid}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a command that ends without a line, or answers too late', async () => {
    const ended = await spawner.runDetached('sh', ['-c', 'echo oops >&2; exit 4']);
    assert.equal(ended.line, undefined);
    assert.equal(ended.code, 4);
    assert.equal(ended.output.toString(), 'oops\n');
    const late = await spawner.runDetached('sh', ['-c', 'sleep 0.6; echo x >&3'], { timeoutMs: 100 });
    assert.equal(late.line, undefined);
    assert.equal(late.timedOut, true);
    await new Promise((r) => setTimeout(r, 700)); // it was left running: let it finish
  });
});

describe('skiff-spawner built-ins: @mount and @umount', () => {
  test('mount(2) and umount2(2) without a process; failures answer 32 with the error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'skiff-spawner-mount-'));
    try {
      const m = await spawner.run('@mount', ['tmpfs', dir, 'tmpfs', 'size=1m']);
      assert.equal(m.code, 0, m.stderr.toString());
      assert.ok((await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${dir} `));
      const bad = await spawner.run('@mount', ['none', join(dir, 'missing'), 'tmpfs', '']);
      assert.equal(bad.code, 32);
      assert.match(bad.stderr.toString(), /No such file or directory/);
      assert.equal((await spawner.run('@umount', [dir])).code, 0);
      assert.ok(!(await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${dir} `));
      const again = await spawner.run('@umount', [dir, 'detach']);
      assert.equal(again.code, 32, 'nothing is mounted there any more');
      assert.equal((await spawner.run('@nothing', [])).code, 32);
    } finally {
      await spawner.run('@umount', [dir, 'detach']);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
