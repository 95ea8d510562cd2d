// The `skiff` command itself: help, first-start material, clean shutdown, bad flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'node:https';
import { promisify } from 'node:util';
import { removeDir, ROOT, startServer, tempDir } from './harness.ts';

const run = promisify(execFile);
const SKIFF = [join(ROOT, 'bin', 'skiff.js')];

test('skiff --help and skiff server --help describe the commands and every flag', async () => {
  const top = await run(process.execPath, [...SKIFF, '--help'], { cwd: ROOT });
  assert.match(top.stdout, /server/);
  const srv = await run(process.execPath, [...SKIFF, 'server', '--help'], { cwd: ROOT });
  for (const flag of ['--data-dir', '--listen', '--token-file', '--history-retention', '--event-ttl', '--log-level', '--no-controllers']) assert.match(srv.stdout, new RegExp(flag));
});

test('a bad flag value gets a one-line error naming it', async () => {
  const dir = await tempDir('cli-bad');
  try {
    await assert.rejects(run(process.execPath, [...SKIFF, 'server', '--data-dir', dir, '--listen', 'nonsense'], { cwd: ROOT }), (err: { stderr: string; code: number }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /--listen "nonsense": expected ADDRESS:PORT/);
      return true;
    });
  } finally {
    await removeDir(dir);
  }
});

test('first start writes certificates and a 0600 kubeconfig; unauthenticated requests get 401; Ctrl-C exits cleanly', async () => {
  const srv = await startServer();
  try {
    assert.equal((await stat(srv.kubeconfig)).mode & 0o777, 0o600);
    for (const key of ['ca.key', 'apiserver.key', 'admin.key']) assert.equal((await stat(join(srv.dataDir, 'pki', key))).mode & 0o777, 0o600);
    const url = new URL(srv.url);
    const answer = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path, rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    const denied = await answer('/api/v1/namespaces');
    assert.equal(denied.status, 401);
    assert.equal(JSON.parse(denied.body).reason, 'Unauthorized');
    assert.equal((await answer('/readyz')).status, 200);
  } finally {
    assert.equal(await srv.stop(), 0, `skiff server exits 0 on SIGINT:\n${srv.logs()}`);
    await removeDir(srv.dataDir);
  }
});
