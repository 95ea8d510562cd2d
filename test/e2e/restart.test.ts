// D4: the control plane restarts without losing an acknowledged write; a watch resumes from the
// last version it saw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clientset } from '../../src/client/clientset.ts';
import { removeDir, startServer, tempDir } from './harness.ts';

test('kill -9 of the server loses no acknowledged write; a watch resumes from its last version', async () => {
  const dataDir = await tempDir('restart');
  let srv = await startServer({ dataDir });
  try {
    let cs = await Clientset.fromKubeconfig(srv.kubeconfig);
    const cms = cs.resource('v1', 'configmaps');
    const acked: string[] = [];
    let watchedUpTo = '';
    // Writes in flight when the server dies: everything acknowledged must survive.
    const writer = (async () => {
      for (let i = 0; i < 100000; i++) {
        try {
          const created = await cms.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { i: String(i) } });
          acked.push(`cm-${i}`);
          // A watcher that saw everything up to cm-150 resumes from here after the restart.
          if (i === 150) watchedUpTo = created.metadata.resourceVersion!;
        } catch {
          return;
        }
      }
    })();
    while (acked.length < 200) await new Promise((r) => setTimeout(r, 5));
    await srv.kill9();
    await writer;
    cs.rest.close();

    srv = await startServer({ dataDir });
    cs = await Clientset.fromKubeconfig(srv.kubeconfig);
    const after = await cs.resource('v1', 'configmaps').list('default');
    const names = new Set(after.items.map((o) => o.metadata.name));
    const missing = acked.filter((n) => !names.has(n));
    assert.deepEqual(missing, [], `${missing.length} acknowledged writes lost`);

    // Resume a watch from the version seen before the crash: it replays what came after.
    const ac = new AbortController();
    const seen: string[] = [];
    const timer = setTimeout(() => ac.abort(), 10_000);
    for await (const ev of cs.resource('v1', 'configmaps').watch('default', { resourceVersion: watchedUpTo, signal: ac.signal, timeoutSeconds: 5 })) {
      if (ev.type === 'ERROR') assert.fail(`watch error after restart: ${JSON.stringify(ev.object)}`);
      const name = (ev.object).metadata.name ?? '';
      seen.push(name);
      if (name === acked[acked.length - 1]) break;
    }
    clearTimeout(timer);
    ac.abort();
    assert.equal(seen[seen.length - 1], acked[acked.length - 1], 'the resumed watch delivered every write up to the last acknowledged one');
    assert.ok(Number((await cs.resource('v1', 'configmaps').list('default')).metadata.resourceVersion) > Number(watchedUpTo));
    cs.rest.close();
  } finally {
    await srv.stop();
    await removeDir(dataDir);
  }
});
