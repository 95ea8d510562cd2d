// The Kubelet's own streaming server (src/kubelet/server) answering from the pod workers: kubectl
// logs (also --previous) and exec reach real pods through the API server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Node } from '../../src/api/types/core-v1.ts';
import { kubectl, waitUntil } from './harness.ts';
import { busyboxPod, podsClient, running, startKubeletEnv, waitForPod } from './kubelet-helpers.ts';
import type { KubeletEnv } from './kubelet-helpers.ts';

let t: KubeletEnv;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  const port = await freePort();
  t = await startKubeletEnv('ks', {
    serverPort: port,
    serverHost: '127.0.0.1',
    clientCaPemFrom: (dataDir: string) => readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
  });
});

after(async () => {
  await t?.cleanup();
});

test('Kubelet, log output, default: kubectl logs and exec reach the pod through the node agent\'s server', async () => {
  const node = await t.cs.resource<Node>('v1', 'nodes').get(undefined, t.nodeName);
  assert.ok(node.status!.daemonEndpoints!.kubeletEndpoint!.Port > 0);
  await podsClient(t.cs).create('default', busyboxPod('talker', t.nodeName, {}, 'echo hello from talker; sleep 3600'));
  await waitForPod(t.cs, 'talker', running());
  await waitUntil(async () => (await kubectl('1.33', t.server, ['logs', 'talker'])).stdout === 'hello from talker\n', 10_000, 'kubectl logs');
  const ex = await kubectl('1.33', t.server, ['exec', 'talker', '--', 'sh', '-c', 'echo $((6*7))']);
  assert.equal(ex.stdout, '42\n', ex.stderr);
});

test('kubectl logs --previous shows the last terminated run of a restarted container', async () => {
  await podsClient(t.cs).create('default', busyboxPod('restarter', t.nodeName, {}, 'echo run at $(date +%s); sleep 1; exit 1'));
  await waitForPod(t.cs, 'restarter', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000, 'a restart');
  const prev = await kubectl('1.33', t.server, ['logs', 'restarter', '--previous']);
  assert.equal(prev.code, 0, prev.stderr);
  assert.match(prev.stdout, /^run at \d+\n$/);
  // The current run started after the previous one ended: a different line.
  await waitUntil(async () => /^run at \d+\n$/.test((await kubectl('1.33', t.server, ['logs', 'restarter'])).stdout), 10_000, 'current run logs');
  const cur = await kubectl('1.33', t.server, ['logs', 'restarter']);
  assert.notEqual(cur.stdout, prev.stdout);
  const none = await kubectl('1.33', t.server, ['logs', 'talker', '--previous']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /previous terminated container "main" in pod "talker" not found/);
});
