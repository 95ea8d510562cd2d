// skiff's informer across server deaths: a kill -9 and restart on the same data dir and port is
// survived by re-watching from the last version; a restart after the store compacted past that
// version makes the watch answer 410 Expired, and the informer re-lists to the right state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { Informer } from '../../src/client/informer.ts';
import { removeDir, startServer, tempDir, waitUntil, type RunningServer } from './harness.ts';

interface ConfigMap extends KubeObject { data?: Record<string, string> }

function recorder(events: string[]): { add(o: ConfigMap): void; update(a: ConfigMap, b: ConfigMap): void; delete(o: ConfigMap): void } {
  return {
    add: (o) => events.push(`add ${o.metadata.name ?? ''}`),
    update: (_a, b) => events.push(`update ${b.metadata.name ?? ''} ${b.data?.v ?? '-'}`),
    delete: (o) => events.push(`delete ${o.metadata.name ?? ''}`),
  };
}

/** name → data.v of everything the server has in a namespace. */
async function serverState(cs: Clientset, ns: string): Promise<string> {
  const list = await cs.resource<ConfigMap>('v1', 'configmaps').list(ns);
  return list.items.map((o) => `${o.metadata.name ?? ''}=${o.data?.v ?? '-'}`).sort().join(',');
}

function cacheState(inf: Informer<ConfigMap>): string {
  return [...inf.values()].map((o) => `${o.metadata.name ?? ''}=${o.data?.v ?? '-'}`).sort().join(',');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('client-lib: an informer survives kill -9 and a restart on the same data dir and port', async () => {
  const dataDir = await tempDir('client-lib-restart');
  const servers: RunningServer[] = [];
  const ac = new AbortController();
  let run: Promise<void> | undefined;
  let cs: Clientset | undefined;
  try {
    const a = await startServer({ dataDir });
    servers.push(a);
    const port = new URL(a.url).port;
    cs = await Clientset.fromKubeconfig(a.kubeconfig);
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    for (let i = 0; i < 5; i++) await cms.create('default', { metadata: { name: `a${i}` }, data: { v: '0' } });

    const errors: unknown[] = [];
    const events: string[] = [];
    const inf = new Informer<ConfigMap>(cms, { namespace: 'default', onError: (e) => errors.push(e) });
    inf.addHandlers(recorder(events));
    run = inf.run(ac.signal);
    await inf.waitForSync();
    await cms.patch('default', 'a0', 'merge', { data: { v: '1' } });
    await waitUntil(() => events.includes('update a0 1'), 10_000, 'the update before the crash');

    await a.kill9();
    // The informer now meets connection errors: it must keep trying, not crash.
    await waitUntil(() => errors.length >= 2, 10_000, 'connection errors while the server is down');
    await sleep(500);

    const b = await startServer({ dataDir, listen: `127.0.0.1:${port}` });
    servers.push(b);
    assert.equal(b.url, a.url);
    events.length = 0;
    // The same Clientset, with the kubeconfig from before the crash: the certificates persist.
    await cms.patch('default', 'a1', 'merge', { data: { v: '2' } });
    await cms.delete('default', 'a2');
    for (let i = 0; i < 10; i++) await cms.create('default', { metadata: { name: `b${i}` }, data: { v: '0' } });
    await cms.patch('default', 'b3', 'merge', { data: { v: '5' } });
    await cms.delete('default', 'b4');

    const want = await serverState(cs, 'default');
    await waitUntil(() => cacheState(inf) === want, 20_000, 'the informer to catch up after the restart');
    assert.deepEqual(events, [
      'update a1 2', 'delete a2',
      ...Array.from({ length: 10 }, (_, i) => `add b${i}`),
      'update b3 5', 'delete b4',
    ]);
    assert.equal(inf.lists, 1, 'the watch resumed from its version: no re-list');
    assert.ok(inf.watches >= 2);
    assert.ok(errors.every((e) => e instanceof Error), 'errors reported as Errors');
  } finally {
    ac.abort();
    await run;
    cs?.rest.close();
    for (const s of servers) await s.stop();
    await removeDir(dataDir);
  }
});

test('client-lib: a watch from a compacted version gets 410 and the informer re-lists', async () => {
  const dataDir = await tempDir('client-lib-expired');
  const servers: RunningServer[] = [];
  const ac = new AbortController();
  let run: Promise<void> | undefined;
  let cs: Clientset | undefined;
  let other: Clientset | undefined;
  try {
    const a = await startServer({ dataDir });
    servers.push(a);
    const port = new URL(a.url).port;
    cs = await Clientset.fromKubeconfig(a.kubeconfig);
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    for (let i = 0; i < 3; i++) await cms.create('default', { metadata: { name: `x${i}` }, data: { v: '0' } });
    const errors: unknown[] = [];
    const events: string[] = [];
    const inf = new Informer<ConfigMap>(cms, { namespace: 'default', onError: (e) => errors.push(e) });
    inf.addHandlers(recorder(events));
    run = inf.run(ac.signal);
    await inf.waitForSync();
    assert.equal(inf.lists, 1);
    const seenAt = Number(inf.resourceVersion);
    assert.ok(seenAt > 0);
    await a.kill9();

    // While the informer cannot reach its server, the data dir moves on under a server (elsewhere)
    // that keeps 1 s of history: its compaction removes the revisions after the informer's.
    const b = await startServer({ dataDir, extraArgs: ['--history-retention', '1'] });
    servers.push(b);
    assert.notEqual(new URL(b.url).port, port, 'the second server must not take the informer\'s port');
    other = await Clientset.fromKubeconfig(b.kubeconfig);
    const ocms = other.resource<ConfigMap>('v1', 'configmaps');
    await ocms.delete('default', 'x0');
    await ocms.patch('default', 'x1', 'merge', { data: { v: '7' } });
    for (let i = 0; i < 5; i++) await ocms.create('default', { metadata: { name: `y${i}` }, data: { v: '0' } });
    // The store compacts every second up to the revision that was current a second ago; the
    // revision at its start (after everything the informer saw) counts as written at start.
    const compactedBy = Date.now() + 3000;
    while (Date.now() < compactedBy) {
      await ocms.patch('default', 'y0', 'merge', { data: { v: String(Date.now() % 1000) } });
      await sleep(100);
    }
    await ocms.patch('default', 'y0', 'merge', { data: { v: 'last' } });
    other.rest.close();
    other = undefined;
    await b.stop();

    // A fresh server's watch cache starts at the compacted revision: the informer's version is too old.
    const c = await startServer({ dataDir, listen: `127.0.0.1:${port}` });
    servers.push(c);
    // Prove the precondition directly: a watch from the informer's version is refused with 410.
    const probe = new AbortController();
    const probed: Array<{ type: string; code?: number; reason?: string }> = [];
    for await (const ev of cms.watch('default', { resourceVersion: String(seenAt), timeoutSeconds: 2, signal: probe.signal })) {
      const st = ev.object as unknown as { code?: number; reason?: string };
      probed.push({ type: ev.type, ...(st.code !== undefined ? { code: st.code } : {}), ...(st.reason !== undefined ? { reason: st.reason } : {}) });
      if (ev.type === 'ERROR') break;
    }
    probe.abort();
    assert.deepEqual(probed, [{ type: 'ERROR', code: 410, reason: 'Expired' }]);

    const want = await serverState(cs, 'default');
    assert.equal(want, 'x1=7,x2=0,y0=last,y1=0,y2=0,y3=0,y4=0');
    await waitUntil(() => cacheState(inf) === want, 20_000, 'the informer to re-list');
    assert.equal(inf.lists, 2, 'one re-list after 410');
    // The re-list delivers the difference as events.
    assert.deepEqual(events.slice(3).sort(), ['add y0', 'add y1', 'add y2', 'add y3', 'add y4', 'delete x0', 'update x1 7'].sort());
    // And the informer keeps watching from the re-list's version.
    await cms.create('default', { metadata: { name: 'z0' }, data: { v: '1' } });
    await waitUntil(() => inf.get('default/z0') !== undefined, 10_000, 'an event after the re-list');
    assert.equal(inf.lists, 2);
  } finally {
    ac.abort();
    await run;
    other?.rest.close();
    cs?.rest.close();
    for (const s of servers) await s.stop();
    await removeDir(dataDir);
  }
});
