import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conmonArgs } from './conmon.ts';
import { parseSyncMessages } from './conmon-exec.ts';
import { isProcessAlive, processStartTime } from './process.ts';

test('conmon flags: never -s, always -u and -l, runtime args forwarded', () => {
  const args = conmonArgs({
    conmon: '/usr/bin/conmon',
    id: 'abc',
    name: 'web',
    runtime: '/data/bin/crun-hybrid',
    runtimeArgs: ['--root', '/data/runtime/crun'],
    bundle: '/b',
    pidFile: '/c/pid',
    conmonPidFile: '/c/conmon.pid',
    logPath: '/l/c.log',
    exitDir: '/e',
    socketDir: '/s',
    persistDir: '/p',
    workDir: '/c',
    stderrPath: '/c/err',
    tty: true,
  });
  assert.ok(!args.includes('-s'));
  assert.deepEqual(args.slice(0, 10), ['--api-version', '1', '-c', 'abc', '-u', 'abc', '-n', 'web', '-r', '/data/bin/crun-hybrid']);
  assert.deepEqual(args.slice(10, 14), ['--runtime-arg', '--root', '--runtime-arg', '/data/runtime/crun']);
  assert.equal(args[args.indexOf('-l') + 1], 'k8s-file:/l/c.log');
  assert.equal(args[args.indexOf('--exit-dir') + 1], '/e');
  assert.equal(args[args.indexOf('-0') + 1], '/p');
  assert.ok(args.includes('-t'));
  assert.ok(!args.includes('-i'));
});

test('sync pipe messages', () => {
  assert.deepEqual(parseSyncMessages('{"data": 123}\n{"data": 0}\n'), [{ data: 123 }, { data: 0 }]);
  assert.deepEqual(parseSyncMessages('{"data": -1, "message": "exec failed"}'), [{ data: -1, message: 'exec failed' }]);
  assert.deepEqual(parseSyncMessages(''), []);
});

test('process liveness by pid and start time', () => {
  const start = processStartTime(process.pid);
  assert.ok(start);
  assert.equal(isProcessAlive(process.pid, start), true);
  assert.equal(isProcessAlive(process.pid, `${start}1`), false);
  assert.equal(isProcessAlive(0), false);
  assert.equal(isProcessAlive(2 ** 22 + 1), false);
});
