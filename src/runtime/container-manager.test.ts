// Real containers on the real kernel through crun and conmon: lifecycle, logs, isolation, exec,
// stop, recovery after a restart of the engine, cleanup.
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { isContainerNotFound, isInvalidContainerState } from './errors.ts';
import { containerPaths } from './container-record.ts';
import { isProcessAlive } from './monitor/process.ts';
import { mountPoints } from './mounts/mountinfo.ts';
import { makeTestEnv, rawLogLines } from './test-support.ts';
import type { TestEnv } from './test-support.ts';

let env: TestEnv;

before(() => {
  env = makeTestEnv('mgr');
});
after(async () => {
  await env.cleanup();
});

async function runToEnd(args: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const m = env.manager;
  const id = await m.createContainer({ name: 'once', rootfs: { directory: env.rootfs }, args, ...extra });
  await m.start(id);
  await m.waitForExit(id, 10_000);
  return id;
}

async function sleeper(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const m = env.manager;
  const id = await m.createContainer({ name, rootfs: { directory: env.rootfs }, args: ['/bin/sleep', '300'], ...extra });
  await m.start(id);
  return id;
}

describe('container lifecycle', () => {
  test('echo hi: CRI log line, exit code 0, Completed', async () => {
    const m = env.manager;
    const id = await m.createContainer({ name: 'hello', rootfs: { directory: env.rootfs }, args: ['/bin/sh', '-c', 'echo hi; printf part; sleep 0.05; echo ial >&2'] });
    assert.equal((await m.state(id)).status, 'created');
    await m.start(id);
    const st = await m.waitForExit(id, 10_000);
    assert.equal(st.status, 'stopped');
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, 'Completed');
    assert.ok(st.startedAt && st.finishedAt && st.finishedAt >= st.startedAt);
    const raw = rawLogLines(readFileSync(st.logPath, 'utf8'));
    assert.match(raw[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hi$/);
    const lines = [];
    for await (const l of m.readLogs(id)) lines.push(l);
    // `part` never got its newline: it comes out when the reader reaches the end.
    assert.deepEqual(lines.map((l) => [l.stream, l.content]), [['stdout', 'hi'], ['stderr', 'ial'], ['stdout', 'part']]);
    assert.ok(raw.some((l) => / stdout P part$/.test(l)));
    const tail = [];
    for await (const l of m.readLogs(id, { tail: 1 })) tail.push(l.content);
    assert.equal(tail.length, 1);
    await m.remove(id);
    await assert.rejects(m.state(id), isContainerNotFound);
  });

  test('PID 1 is the container process and ps sees only it and ps', async () => {
    const m = env.manager;
    const id = await sleeper('pid-one');
    const r = await m.exec(id, ['ps', '-o', 'pid,comm']);
    assert.equal(r.exitCode, 0);
    const rows = r.stdout.toString().trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows.find((row) => row[0] === '1')?.[1], 'sleep');
    assert.deepEqual(rows.map((row) => row[1]).sort(), ['ps', 'sleep']);
    assert.equal((await m.state(id)).status, 'running');
    await m.remove(id);
  });

  test('hostname is the container name; namespaces differ from the host', async () => {
    const m = env.manager;
    const id = await sleeper('named-box');
    const h = await m.exec(id, ['hostname']);
    assert.equal(h.stdout.toString().trim(), 'named-box');
    for (const ns of ['pid', 'net', 'mnt', 'uts', 'ipc']) {
      const inside = (await m.exec(id, ['readlink', `/proc/self/ns/${ns}`])).stdout.toString().trim();
      assert.match(inside, new RegExp(`^${ns}:\\[\\d+\\]$`));
      assert.notEqual(inside, readlinkSync(`/proc/self/ns/${ns}`), `${ns} namespace is shared with the host`);
    }
    await m.remove(id);
  });

  test('joining another container\'s namespaces by path; no hostname is set there', async () => {
    const m = env.manager;
    const pause = await sleeper('pod-sandbox');
    const pausePid = (await m.state(pause)).pid;
    const app = await sleeper('app', {
      namespaces: { network: { path: `/proc/${pausePid}/ns/net` }, uts: { path: `/proc/${pausePid}/ns/uts` }, ipc: { path: `/proc/${pausePid}/ns/ipc` } },
    });
    const spec = JSON.parse(readFileSync(containerPaths(env.dataDir, app).config, 'utf8'));
    assert.equal(spec.hostname, undefined);
    assert.equal((await m.exec(app, ['hostname'])).stdout.toString().trim(), 'pod-sandbox');
    const netApp = (await m.exec(app, ['readlink', '/proc/self/ns/net'])).stdout.toString();
    const netPause = (await m.exec(pause, ['readlink', '/proc/self/ns/net'])).stdout.toString();
    assert.equal(netApp, netPause);
    await m.remove(app);
    await m.remove(pause);
  });

  test('bind mounts: visible inside, read-only honoured, invisible on the host', async () => {
    const m = env.manager;
    const vol = join(env.root, 'vol');
    mkdirSync(vol);
    writeFileSync(join(vol, 'file'), 'from-host\n');
    const id = await sleeper('binds', { mounts: [{ source: vol, destination: '/data', readonly: true }, { source: vol, destination: '/rw' }] });
    assert.equal((await m.exec(id, ['cat', '/data/file'])).stdout.toString(), 'from-host\n');
    const ro = await m.exec(id, ['touch', '/data/new']);
    assert.notEqual(ro.exitCode, 0);
    assert.equal((await m.exec(id, ['sh', '-c', 'echo x > /rw/written'])).exitCode, 0);
    assert.ok(existsSync(join(vol, 'written')));
    const hostMounts = mountPoints();
    assert.ok(!hostMounts.includes(join(env.rootfs, 'data')), 'the bind mount leaked to the host');
    assert.ok(!hostMounts.some((p) => p.startsWith(env.rootfs)));
    await m.remove(id);
  });

  test('overlay rootfs: writes land in the upper dir; unmounted on remove', async () => {
    const m = env.manager;
    const id = await m.createContainer({ name: 'ovl', rootfs: { lowerDirs: [env.rootfs] }, args: ['/bin/sh', '-c', 'echo layer > /made-here; rm /bin/true; sleep 300'] });
    const paths = containerPaths(env.dataDir, id);
    assert.ok(mountPoints().includes(paths.rootfs));
    await m.start(id);
    // The shell creates the file before it writes to it: wait for the content, not the name.
    const madeHere = join(paths.overlayState, 'upper', 'made-here');
    const content = (): string => (existsSync(madeHere) ? readFileSync(madeHere, 'utf8') : '');
    for (let i = 0; i < 250 && content() !== 'layer\n'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(content(), 'layer\n');
    assert.ok(!existsSync(join(env.rootfs, 'made-here')));
    assert.ok(existsSync(join(env.rootfs, 'bin', 'true')) || readlinkSync(join(env.rootfs, 'bin', 'true')));
    await m.remove(id);
    assert.ok(!mountPoints().includes(paths.rootfs));
    assert.ok(!existsSync(paths.dir));
  });
});

describe('failures', () => {
  test('a failed create reports the runtime error and leaves nothing behind', async () => {
    const m = env.manager;
    const before = (await m.list()).length;
    await assert.rejects(
      m.createContainer({ name: 'bad', rootfs: { directory: env.rootfs }, args: ['/nonexistent'] }),
      (err: Error & { code?: string }) => err.code === 'RUNTIME_COMMAND_FAILED' && /nonexistent/.test(err.message),
    );
    await assert.rejects(
      m.createContainer({ name: 'bad-ns', runtime: 'runc', rootfs: { directory: env.rootfs }, args: ['/bin/true'], namespaces: { network: { path: '/proc/999999999/ns/net' } } }),
      /999999999/,
    );
    assert.equal((await m.list()).length, before);
    assert.deepEqual(readdirSync(join(env.dataDir, 'containers')).length, before);
  });
});

describe('security settings', () => {
  test('TTY main process, user, read-only root, no_new_privs, seccomp filter', async () => {
    const m = env.manager;
    const id = await runToEnd(['/bin/sh', '-c', 'tty; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; id -u; touch /x || echo ro-ok'], {
      tty: true,
      user: { uid: 65534, gid: 65534 },
      readonlyRootfs: true,
      noNewPrivileges: true,
    });
    const st = await m.state(id);
    assert.equal(st.exitCode, 0);
    const text = readFileSync(st.logPath, 'utf8');
    assert.match(text, / stdout F \/dev\/pts\/0\r?\n/);
    assert.match(text, /NoNewPrivs:\s+1/);
    assert.match(text, /Seccomp:\s+2/);
    assert.match(text, / stdout F 65534\r?\n/);
    assert.match(text, /ro-ok/);
    await m.remove(id);
  });

  test('the default seccomp profile refuses new namespaces; unconfined allows them', async () => {
    const m = env.manager;
    const confined = await sleeper('confined');
    const denied = await m.exec(confined, ['unshare', '-U', 'true']);
    assert.notEqual(denied.exitCode, 0);
    assert.match(denied.stderr.toString(), /not permitted/i);
    const open = await sleeper('unconfined', { seccomp: 'unconfined' });
    assert.equal((await m.exec(open, ['unshare', '-U', 'true'])).exitCode, 0);
    await m.remove(confined);
    await m.remove(open);
  });
});

describe('exec', () => {
  test('captured output, stderr and exit code; env and cwd', async () => {
    const m = env.manager;
    const id = await sleeper('exec');
    const r = await m.exec(id, ['sh', '-c', 'echo out; echo err >&2; echo "$GREETING $(pwd)"; exit 3'], { env: ['GREETING=hello'], cwd: '/tmp' });
    assert.equal(r.exitCode, 3);
    assert.equal(r.stdout.toString(), 'out\nhello /tmp\n');
    assert.equal(r.stderr.toString(), 'err\n');
    await m.remove(id);
  });

  test('with a TTY the process sees a /dev/pts terminal', async () => {
    const m = env.manager;
    const id = await sleeper('tty');
    const r = await m.exec(id, ['tty'], { tty: true });
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout.toString(), /^\/dev\/pts\/\d+\r?\n$/);
    const noTty = await m.exec(id, ['tty']);
    assert.notEqual(noTty.exitCode, 0);
    await m.remove(id);
  });

  test('interactive: stdin through a TTY, exit code of the shell', async () => {
    const m = env.manager;
    const id = await sleeper('interactive');
    const stdin = new Readable({ read() {} });
    const running = m.exec(id, ['sh'], { tty: true, stdin });
    setTimeout(() => stdin.push('tty; echo hel""lo\n'), 100);
    setTimeout(() => stdin.push('exit 5\n'), 300);
    const r = await running;
    assert.equal(r.exitCode, 5);
    assert.match(r.stdout.toString(), /\/dev\/pts\/\d+\r?\r?\nhello/);
    await m.remove(id);
  });

  test('refused in a stopped container', async () => {
    const id = await runToEnd(['/bin/true']);
    await assert.rejects(env.manager.exec(id, ['true']), isInvalidContainerState);
    await env.manager.remove(id);
  });
});

describe('stop and kill', () => {
  test('SIGTERM handled within the grace period', async () => {
    const m = env.manager;
    const id = await m.createContainer({ name: 'graceful', rootfs: { directory: env.rootfs }, args: ['/bin/sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] });
    await m.start(id);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const st = await m.stop(id, 10);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, 'Completed');
    await m.remove(id);
  });

  test('SIGKILL after the grace period when TERM is ignored (PID 1 without a handler)', async () => {
    const m = env.manager;
    const id = await sleeper('stubborn');
    const t0 = Date.now();
    const st = await m.stop(id, 1);
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 6000, `stop took ${took} ms`);
    assert.equal(st.exitCode, 137);
    assert.equal(st.reason, 'Error');
    await m.remove(id);
  });

  test('kill with a signal', async () => {
    const m = env.manager;
    const id = await m.createContainer({ name: 'usr1', rootfs: { directory: env.rootfs }, args: ['/bin/sh', '-c', 'trap "exit 7" USR1; while true; do sleep 0.1; done'] });
    await m.start(id);
    await new Promise((r) => setTimeout(r, 100));
    await m.kill(id, 'SIGUSR1');
    const st = await m.waitForExit(id, 5000);
    assert.equal(st.exitCode, 7);
    await m.remove(id);
  });
});

describe('recovery', () => {
  test('a new manager on the same data dir finds a running container and controls it', async () => {
    const id = await sleeper('survivor');
    const second = env.newManager();
    const found = await second.recover();
    const mine = found.find((c) => c.id === id);
    assert.equal(mine?.status, 'running');
    assert.equal(mine?.name, 'survivor');
    assert.equal((await second.exec(id, ['echo', 'still-here'])).stdout.toString(), 'still-here\n');
    const st = await second.stop(id, 0);
    assert.equal(st.status, 'stopped');
    await second.remove(id);
  });

  test('recover() ends containers whose conmon died and clears dangling mounts and half-created dirs', async () => {
    const id = await sleeper('orphan');
    const record = JSON.parse(readFileSync(containerPaths(env.dataDir, id).record, 'utf8'));
    const pid = record.pid as number;
    process.kill(record.conmonPid as number, 'SIGKILL'); // the conmon this test's manager started
    // A signal is delivered, not waited for: on a busy machine conmon may still be alive a moment
    // after kill() returns, and recover() would rightly find it running.
    for (let i = 0; i < 500 && isProcessAlive(record.conmonPid as number); i++) await new Promise((r) => setTimeout(r, 10));
    // A crash mid-create: a directory with a mount and no record.
    const ghost = containerPaths(env.dataDir, 'f'.repeat(64));
    mkdirSync(ghost.rootfs, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', ghost.rootfs]);
    const second = env.newManager();
    await second.recover();
    const st = await second.state(id);
    assert.equal(st.status, 'stopped');
    assert.match(st.message ?? '', /conmon/);
    assert.equal(isProcessAlive(pid), false);
    assert.ok(!mountPoints().includes(ghost.rootfs));
    assert.ok(!existsSync(ghost.dir));
    await second.remove(id);
  });
});

describe('logs', () => {
  test('follow streams lines until the container exits; rotation by size', async () => {
    const m = env.manager;
    const id = await m.createContainer({ name: 'chatty', rootfs: { directory: env.rootfs }, args: ['/bin/sh', '-c', 'i=0; while [ $i -lt 30 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); sleep 0.02; done'] });
    await m.start(id);
    const followed: string[] = [];
    const reading = (async () => {
      for await (const l of m.readLogs(id, { follow: true, pollMs: 20 })) followed.push(l.content);
    })();
    await new Promise((r) => setTimeout(r, 250));
    await m.rotateLogs(id, { maxBytes: 200, maxFiles: 2 });
    await reading;
    const st = await m.state(id);
    assert.equal(st.exitCode, 0);
    const dir = containerPaths(env.dataDir, id).dir;
    const rotated = readdirSync(dir).filter((n) => n.startsWith('container.log.'));
    assert.equal(rotated.length, 1);
    assert.ok(followed.length >= 25, `followed ${followed.length} lines`);
    assert.equal(followed.at(-1)?.startsWith('line-29-'), true);
    await m.remove(id);
  });
});
