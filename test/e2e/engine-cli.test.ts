// `skiff run/ps/logs/exec/stop/rm` as a user types them, on the real kernel (A1, errors, cleanup on
// Ctrl-C and on a closed terminal). The terminal is a real pty from script(1).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { ENTRY, makeEngineEnv, spawnCollect } from './engine-helpers.ts';
import type { EngineTestEnv } from './engine-helpers.ts';

let t: EngineTestEnv;

before(async () => {
  t = await makeEngineEnv('cli');
});
after(async () => {
  await t.cleanup();
});

/** Body of a GET (empty on any failure); the host's busybox wget is not usable (static glibc). */
async function httpGet(url: string): Promise<string> {
  try {
    return await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
  } catch {
    return '';
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs the CLI inside a pty (script -qec), feeding `input` to the terminal. */
function inPty(args: string[], input: string): Promise<{ code: number | null; out: string }> {
  const cmd = [process.execPath, '--import', 'tsx', ENTRY, ...args].map(shellQuote).join(' ');
  return spawnCollect('script', ['-qec', cmd, '/dev/null'], t.env, { input, timeoutMs: 30_000 }).then((r) => ({ code: r.code, out: r.stdout }));
}

describe('skiff run', () => {
  test('A1: -it busybox /bin/sh: ps shows two processes, /bin/sh is PID 1; exit code passed on; --rm leaves nothing', async () => {
    const r = await inPty(['run', '--rm', '-it', 'busybox', '/bin/sh'], 'ps -o pid,args\nexit 5\n');
    const out = r.out.replace(/\r/g, '');
    // The rows of the one `ps` between its header and the next prompt.
    const table = out.slice(out.lastIndexOf('PID')).split('\n').slice(1);
    const rows = table.slice(0, table.findIndex((l) => l.includes('# ')));
    assert.equal(rows.length, 2, out);
    assert.match(rows[0] ?? '', /^\s*1 \/bin\/sh$/, out);
    assert.match(rows[1] ?? '', /^\s*\d+ .*ps/, out);
    assert.equal(r.code, 5);
    assert.deepEqual(await t.engine.listContainers(true), []);
  });

  test('foreground output, exit code, --rm', async () => {
    const r = await t.cli(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 3);
    assert.deepEqual(await t.engine.listContainers(true), []);
  });

  test('errors are one line naming what failed', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', '--memory', '12q', 'busybox', 'true'], /^skiff: invalid memory limit "12q"/],
      [['run', 'nosuch:1', 'true'], /^skiff: image "nosuch:1" not found/],
      [['run', '--runtime', '/nonexistent/crun', 'busybox', 'true'], /^skiff: OCI runtime "\/nonexistent\/crun" not found/],
      [['run', '--cpus', 'lots', 'busybox', 'true'], /^skiff: invalid cpus "lots"/],
      [['run', '-v', 'relative', 'busybox', 'true'], /^skiff: invalid volume "relative"/],
      [['logs', 'nobody'], /^skiff: container "nobody" not found/],
    ];
    for (const [args, re] of cases) {
      const r = await t.cli(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.deepEqual(await t.engine.listContainers(true), []);
  });

  test('-d, ps, logs, exec with and without a TTY, stop, rm', async () => {
    const d = await t.cli(['run', '-d', '--name', 'sleepy', 'busybox', 'sh', '-c', 'echo started; exec sleep 300']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^[a-f0-9]{64}\n$/);
    const ps = await t.cli(['ps']);
    assert.match(ps.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND/);
    assert.match(ps.stdout, /busybox .* Up .* sleepy$/m);
    await sleep(100);
    assert.equal((await t.cli(['logs', 'sleepy'])).stdout, 'started\n');

    const plain = await t.cli(['exec', 'sleepy', 'sh', '-c', 'test -t 0 && echo tty || echo notty; exit 7']);
    assert.equal(plain.stdout, 'notty\n');
    assert.equal(plain.code, 7);
    const tty = await inPty(['exec', '-it', 'sleepy', 'sh', '-c', 'tty; test -t 0 && echo istty'], '');
    assert.match(tty.out, /\/dev\/pts\/\d+/);
    assert.match(tty.out, /istty/);

    const stop = await t.cli(['stop', '-t', '1', 'sleepy']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match((await t.cli(['ps', '-a'])).stdout, /Exited \(137\).* sleepy$/m);
    assert.doesNotMatch((await t.cli(['ps'])).stdout, /sleepy/);
    assert.equal((await t.cli(['rm', 'sleepy'])).code, 0);
    assert.deepEqual(await t.engine.listContainers(true), []);
  });

  test('rm refuses a running container without -f', async () => {
    await t.cli(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '300']);
    const r = await t.cli(['rm', 'busy']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is running/);
    assert.equal((await t.cli(['rm', '-f', 'busy'])).code, 0);
    assert.deepEqual(await t.engine.listContainers(true), []);
  });

  for (const sig of ['SIGINT', 'SIGHUP'] as const) {
    test(`${sig} (Ctrl-C, closed terminal) with --rm leaves nothing behind`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'run', '--rm', '--name', `sig-${sig}`, 'busybox', 'sh', '-c', 'echo up; exec sleep 300'], {
        env: t.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => { if (b.toString().includes('up')) resolve(); }));
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      child.kill(sig);
      const code = await closed;
      assert.equal(code, sig === 'SIGINT' ? 130 : 129);
      assert.deepEqual(await t.engine.listContainers(true), []);
    });
  }

  test('-p publishes a port through a sandbox with CNI and portmap', async () => {
    const hostPort = 20000 + Math.floor(Math.random() * 20000);
    const d = await t.cli(['run', '-d', '--name', 'web', '-p', `${hostPort}:8080`, 'busybox', 'sh', '-c', 'echo hello-from-pod > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']);
    assert.equal(d.code, 0, d.stderr);
    const [sb] = await t.engine.sandboxes.list();
    assert.ok(sb?.ip);
    t.sandboxIds.add(sb.id);
    // The bridge's address (the pods' gateway) is the host's own: portmap DNATs it in OUTPUT.
    const base = t.subnet.split('/')[0]!.split('.').map(Number);
    const gateway = `${base[0]}.${base[1]}.${base[2]}.${base[3]! + 1}`;
    let body = '';
    for (let i = 0; i < 50 && !body.includes('hello'); i++) {
      body = await httpGet(`http://${gateway}:${hostPort}/index.html`);
      if (!body.includes('hello')) await sleep(50);
    }
    assert.match(body, /hello-from-pod/);
    assert.match(await httpGet(`http://${sb.ip}:8080/index.html`), /hello-from-pod/);
    assert.equal((await t.cli(['rm', '-f', 'web'])).code, 0);
    assert.deepEqual(await t.engine.sandboxes.list(), []);
  });
});
