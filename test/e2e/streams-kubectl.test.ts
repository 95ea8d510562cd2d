// kubectl logs, exec, attach and port-forward through the API server to a kubelet server, with
// real kubectl binaries: 1.33 (exec over WebSocket v5, port-forward SPDY tunneled in a WebSocket)
// and 1.27 (exec and port-forward over SPDY/3.1).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { kubectl, kubectlBackground, waitUntil } from './harness.ts';
import { startStreamFixture, POD_NAME, type StreamFixture } from './streams-fixture.ts';
import { spawnCollect } from './engine-helpers.ts';

let f: StreamFixture;

before(async () => {
  f = await startStreamFixture('streams');
});

after(async () => {
  await f?.close();
});

describe('kubectl logs', () => {
  test('prints the container log; --tail, --timestamps, -c', async () => {
    const all = await kubectl('1.33', f.server, ['logs', POD_NAME, '-c', 'app']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, 'line 1\nline 2\nline 3\nline 4\nline 5\nerr-line\n');
    const tail = await kubectl('1.27', f.server, ['logs', POD_NAME, '-c', 'app', '--tail=2']);
    assert.equal(tail.stdout, 'line 5\nerr-line\n');
    const ts = await kubectl('1.33', f.server, ['logs', POD_NAME, '-c', 'app', '--timestamps', '--tail=1']);
    assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z err-line\n$/);
    const limited = await kubectl('1.33', f.server, ['logs', POD_NAME, '-c', 'app', '--limit-bytes=9']);
    assert.equal(limited.stdout, 'line 1\nli');
  });

  test('the default container is the first one; errors name the pod and its containers', async () => {
    const def = await kubectl('1.33', f.server, ['logs', POD_NAME, '--tail=1']);
    assert.equal(def.stdout, 'err-line\n');
    const bad = await kubectl('1.33', f.server, ['logs', POD_NAME, '-c', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod web/);
    const raw = await kubectl('1.33', f.server, ['get', '--raw', `/api/v1/namespaces/default/pods/${POD_NAME}/log`]);
    assert.notEqual(raw.code, 0);
    assert.match(raw.stderr, /a container name must be specified for pod web, choose one of: \[app ticker shell\]/);
    const prev = await kubectl('1.33', f.server, ['logs', POD_NAME, '-c', 'app', '--previous']);
    assert.notEqual(prev.code, 0);
    assert.match(prev.stderr, /previous terminated container "app" in pod "web" not found/);
    const missing = await kubectl('1.33', f.server, ['logs', 'no-such-pod']);
    assert.match(missing.stderr, /pods "no-such-pod" not found/);
  });
});

describe('kubectl exec', () => {
  for (const version of ['1.33', '1.27']) {
    test(`${version}: stdout, stderr and the exit code`, async () => {
      const r = await kubectl(version, f.server, ['exec', POD_NAME, '-c', 'app', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /err\n/);
      assert.equal(r.code, 3, r.stderr);
      const ok = await kubectl(version, f.server, ['exec', POD_NAME, '-c', 'app', '--', 'cat', '/www/index.html']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'hello-from-pod\n');
      // 1.30+ speak WebSocket v5 (no fallback to SPDY); older ones SPDY.
      const verbose = await kubectl(version, f.server, ['exec', POD_NAME, '-c', 'app', '-v=6', '--', 'true']);
      assert.equal(verbose.code, 0, verbose.stderr);
      if (version === '1.33') assert.match(verbose.stderr, /The subprotocol is v5\.channel\.k8s\.io/);
    });

    test(`${version}: stdin is streamed to the command (-i)`, async () => {
      const input = Array.from({ length: 2000 }, (_, i) => `input line ${i}`).join('\n') + '\n';
      const r = await kubectl(version, f.server, ['exec', '-i', POD_NAME, '-c', 'app', '--', 'sh', '-c', 'wc -l; echo done'], { input });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split(/\s+/).join(' '), '2000 done');
    });

    test(`${version}: -it gives a real terminal of the client's size, and input reaches the shell`, async () => {
      // script(1) gives kubectl a terminal of its own (45 rows, 123 columns); the command runs on a
      // pty in the container, sized by kubectl's resize messages (which arrive on their own
      // schedule: the shell asks a few times; a stty interrupted by the resize is asked again).
      const cmd = `stty rows 45 cols 123; ${kubectlCommand(version)} exec -it ${POD_NAME} -c app -- sh -c 'tty; for i in 1 2 3 4 5; do s=$(stty size 2>/dev/null); [ "$s" = "45 123" ] && break; sleep 0.3; done; echo size:$s; read line; echo got:$line'`;
      const r = await spawnCollect('script', ['-qec', cmd, '/dev/null'], { ...process.env, HOME: f.server.dataDir, TERM: 'xterm' }, { timeoutMs: 30_000, input: 'typed-text\n' });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /\/dev\/pts\/\d+/);
      assert.match(r.stdout, /size:45 123/);
      assert.match(r.stdout, /got:typed-text/);
    });
  }

  test('kubectl cp into the pod and back (tar over exec stdin/stdout)', async () => {
    const dir = await mkdtemp(join(f.server.dataDir, 'cp-'));
    const payload = randomBytes(200_000).toString('base64');
    await writeFile(join(dir, 'in.txt'), payload);
    const up = await kubectl('1.33', f.server, ['cp', join(dir, 'in.txt'), `default/${POD_NAME}:/tmp/copied.txt`, '-c', 'app']);
    assert.equal(up.code, 0, up.stderr);
    const sum = await kubectl('1.27', f.server, ['exec', POD_NAME, '-c', 'app', '--', 'sha256sum', '/tmp/copied.txt']);
    assert.equal(sum.stdout.split(' ')[0], createHash('sha256').update(payload).digest('hex'));
    const down = await kubectl('1.27', f.server, ['cp', `default/${POD_NAME}:/tmp/copied.txt`, join(dir, 'out.txt'), '-c', 'app']);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await readFile(join(dir, 'out.txt'), 'utf8'), payload);
  });

  test('a pod without a node cannot be exec\'d into', async () => {
    await f.clients.kind<Pod>('v1', 'Pod').create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unscheduled' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const r = await kubectl('1.33', f.server, ['exec', 'unscheduled', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pod unscheduled does not have a host assigned/);
  });
});

function kubectlCommand(version: string): string {
  return `/usr/lib/google-cloud-sdk/bin/kubectl.${version} --kubeconfig ${f.server.kubeconfig} --cache-dir ${f.server.dataDir}/kubectl-cache-${version}`;
}

describe('kubectl port-forward', () => {
  let bigSha = '';
  before(async () => {
    const r = await kubectl('1.33', f.server, ['exec', POD_NAME, '-c', 'app', '--', 'sh', '-c', 'head -c 3000000 /dev/urandom > /www/big && sha256sum /www/big']);
    assert.equal(r.code, 0, r.stderr);
    bigSha = r.stdout.split(' ')[0]!;
  });

  for (const version of ['1.33', '1.27']) {
    test(`${version}: a 3 MB file, concurrent connections, and exec output of the same file arrive intact`, async () => {
      const pf = kubectlBackground(version, f.server, ['port-forward', `pod/${POD_NAME}`, ':8080']);
      try {
        await waitUntil(() => /Forwarding from 127\.0\.0\.1:(\d+)/.test(pf.output()), 20_000, `kubectl ${version} port-forward to listen`);
        const port = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.output())![1]!;
        const results = await Promise.all([0, 1, 2].map(() => spawnCollect('sh', ['-c', `curl -sS --max-time 30 http://127.0.0.1:${port}/big | sha256sum`], process.env, { timeoutMs: 40_000 })));
        for (const r of results) assert.equal(r.stdout.split(' ')[0], bigSha, r.stderr);
      } finally {
        pf.proc.kill('SIGINT');
        await pf.done;
      }
      const ex = await kubectl(version, f.server, ['exec', POD_NAME, '-c', 'app', '--', 'base64', '/www/big'], { timeoutMs: 60_000 });
      assert.equal(ex.code, 0, ex.stderr);
      assert.equal(createHash('sha256').update(Buffer.from(ex.stdout.replace(/\s+/g, ''), 'base64')).digest('hex'), bigSha);
    });

    test(`${version}: curl through the forwarded port reaches the pod's 127.0.0.1:8080`, async () => {
      const pf = kubectlBackground(version, f.server, ['port-forward', `pod/${POD_NAME}`, ':8080', '-v=4']);
      try {
        await waitUntil(() => /Forwarding from 127\.0\.0\.1:(\d+)/.test(pf.output()), 20_000, `kubectl ${version} port-forward to listen`);
        const port = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.output())![1]!;
        for (let i = 0; i < 3; i++) {
          const r = await spawnCollect('curl', ['-sS', '--max-time', '10', `http://127.0.0.1:${port}/index.html`], process.env);
          assert.equal(r.stdout, 'hello-from-pod\n', r.stderr + pf.output());
        }
        // 1.31+ tunnel SPDY through a WebSocket; the kubelet accepted it (no fallback).
        if (version === '1.33') assert.match(pf.output(), /negotiated protocol: portforward\.k8s\.io/);
        // Nothing listens on 9999 in the pod: kubectl reports the kubelet's error.
        const pf2 = kubectlBackground(version, f.server, ['port-forward', `pod/${POD_NAME}`, ':9999']);
        try {
          await waitUntil(() => /Forwarding from 127\.0\.0\.1:(\d+)/.test(pf2.output()), 20_000, 'second port-forward');
          const port2 = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf2.output())![1]!;
          await spawnCollect('curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${port2}/`], process.env);
          await waitUntil(() => /error forwarding port 9999/.test(pf2.output()), 10_000, 'the forwarding error');
        } finally {
          pf2.proc.kill('SIGINT');
          await pf2.done;
        }
      } finally {
        pf.proc.kill('SIGINT');
        await pf.done;
      }
    });
  }
});

describe('kubectl attach and logs -f', () => {
  for (const version of ['1.33', '1.27']) {
    test(`${version}: attach shows the running container's output`, async () => {
      const at = kubectlBackground(version, f.server, ['attach', POD_NAME, '-c', 'ticker']);
      try {
        await waitUntil(() => /tick \d+\n.*tick \d+/s.test(at.output()), 15_000, 'attach output');
      } finally {
        at.proc.kill('SIGINT');
        await at.done;
      }
    });
  }

  test('attach -it to a terminal container: input, terminal size, and the session ends when the shell exits', async () => {
    const cmd = `stty rows 30 cols 90; ${kubectlCommand('1.33')} attach -it ${POD_NAME} -c shell`;
    const input = 'sleep 0.5; stty size; echo attached-$((2+3)); exit\n';
    const r = await spawnCollect('script', ['-qec', cmd, '/dev/null'], { ...process.env, HOME: f.server.dataDir, TERM: 'xterm' }, { timeoutMs: 30_000, input });
    assert.match(r.stdout, /30 90/, r.stdout + r.stderr);
    assert.match(r.stdout, /attached-5/);
    await waitUntil(async () => (await f.t.engine.containers.state(f.ids['shell']!)).status === 'stopped', 10_000, 'the shell to exit');
  });

  test('logs -f follows new lines and ends when the container exits', async () => {
    const follow = kubectlBackground('1.27', f.server, ['logs', '-f', POD_NAME, '-c', 'ticker', '--tail=1']);
    await waitUntil(() => (follow.output().match(/tick \d+\n/g) ?? []).length >= 3, 15_000, 'three followed lines');
    await f.t.engine.containers.stop(f.ids['ticker']!, 1);
    const code = await follow.done;
    assert.equal(code, 0, follow.output());
    // A stopped container still has its log, but cannot be exec'd into.
    const logs = await kubectl('1.33', f.server, ['logs', POD_NAME, '-c', 'ticker', '--since=1h']);
    assert.match(logs.stdout, /^tick 0\ntick 1\n/);
    const ex = await kubectl('1.33', f.server, ['exec', POD_NAME, '-c', 'ticker', '--', 'true']);
    assert.notEqual(ex.code, 0);
    assert.match(ex.stderr, /container ticker is not running in pod web/);
  });
});

describe('the kubelet server', () => {
  test('refuses requests without a client certificate signed by the cluster CA', async () => {
    const res = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: f.kubeletPort, path: `/containerLogs/default/${POD_NAME}/app`, rejectUnauthorized: false }, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => { body += c; });
        r.on('end', () => resolve({ code: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.code, 401);
    assert.match(res.body, /Unauthorized/);
  });
});

