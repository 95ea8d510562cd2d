// skiff's informers, listers and work queue against a real `skiff server`: a paged initial list,
// events in order to every handler, shared informers, re-watches at the watch timeout, and a
// controller-style sync loop (sample-controller: informer → work queue → sync(key)).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeList, KubeObject } from '../../src/api/meta.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { Informer, objectKeyOf } from '../../src/client/informer.ts';
import { Lister } from '../../src/client/lister.ts';
import { ResourceClient, type ListOptions } from '../../src/client/resource-client.ts';
import { WorkQueue } from '../../src/client/work-queue.ts';
import { removeDir, startServer, waitUntil, type RunningServer } from './harness.ts';

interface ConfigMap extends KubeObject { data?: Record<string, string> }

/** A resource client that counts list calls, to see the informer page through a list. */
class CountingClient<T extends KubeObject> extends ResourceClient<T> {
  listCalls: ListOptions[] = [];
  override list(namespace?: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    this.listCalls.push(opts);
    return super.list(namespace, opts);
  }
}

function recorder(): { events: string[]; handlers: { add(o: ConfigMap): void; update(a: ConfigMap, b: ConfigMap): void; delete(o: ConfigMap): void } } {
  const events: string[] = [];
  return {
    events,
    handlers: {
      add: (o) => events.push(`add ${o.metadata.name ?? ''}`),
      update: (a, b) => events.push(`update ${b.metadata.name ?? ''} ${a.data?.v ?? '-'}->${b.data?.v ?? '-'}`),
      delete: (o) => events.push(`delete ${o.metadata.name ?? ''}`),
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('client-lib: informers against a real server', () => {
  let srv: RunningServer;
  let cs: Clientset;
  const ac = new AbortController();
  const runs: Array<Promise<void>> = [];

  before(async () => {
    srv = await startServer();
    cs = await Clientset.fromKubeconfig(srv.kubeconfig, 'client-lib-test');
    const ns = cs.resource('v1', 'namespaces');
    for (const name of ['inf', 'rewatch', 'ctl', 'shared']) await ns.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  });

  after(async () => {
    ac.abort();
    await Promise.all(runs);
    cs?.rest.close();
    await srv?.stop();
    if (srv) await removeDir(srv.dataDir);
  });

  test('paged initial list, then adds/updates/deletes in order to two handlers; Lister by label', async () => {
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    for (let i = 0; i < 23; i++) {
      await cms.create('inf', { metadata: { name: `pre-${String(i).padStart(2, '0')}`, labels: { app: i % 2 === 0 ? 'x' : 'y' } }, data: { v: '0' } });
    }
    const client = new CountingClient<ConfigMap>(cs.rest, cms.ref);
    const errors: unknown[] = [];
    const inf = new Informer<ConfigMap>(client, { namespace: 'inf', pageSize: 5, onError: (e) => errors.push(e) });
    const a = recorder();
    const b = recorder();
    inf.addHandlers(a.handlers);
    inf.addHandlers(b.handlers);
    runs.push(inf.run(ac.signal));
    await inf.waitForSync();
    assert.equal(inf.hasSynced(), true);
    assert.equal(inf.size, 23);
    assert.equal(inf.lists, 1);
    assert.equal(client.listCalls.length, 5, 'five pages of five');
    assert.equal(client.listCalls.filter((c) => c.continue).length, 4, 'pages after the first carry the continue token');
    assert.equal(a.events.length, 23);
    assert.ok(a.events.every((e) => e.startsWith('add pre-')));

    const lister = new Lister(inf);
    assert.equal(lister.list('inf', 'app=x').length, 12);
    assert.equal(lister.list('inf', 'app=y').length, 11);
    assert.equal(lister.list('other').length, 0);
    assert.equal(lister.list().length, 23);
    assert.equal(lister.get('inf', 'pre-03')?.metadata.labels?.app, 'y');

    // A third handler added after sync gets the current objects as adds first.
    const late = recorder();
    inf.addHandlers(late.handlers);
    assert.equal(late.events.length, 23);

    a.events.length = 0;
    b.events.length = 0;
    await cms.create('inf', { metadata: { name: 'n1', labels: { app: 'x' } }, data: { v: '1' } });
    await cms.patch('inf', 'n1', 'merge', { data: { v: '2' } });
    await cms.patch('inf', 'n1', 'merge', { data: { v: '3' } });
    await cms.delete('inf', 'pre-00');
    await cms.patch('inf', 'pre-01', 'merge', { metadata: { labels: { app: 'x' } } });
    await cms.delete('inf', 'n1');
    await cms.create('inf', { metadata: { name: 'n2' }, data: { v: '9' } });
    const want = ['add n1', 'update n1 1->2', 'update n1 2->3', 'delete pre-00', 'update pre-01 0->0', 'delete n1', 'add n2'];
    await waitUntil(() => a.events.length >= want.length && b.events.length >= want.length, 10_000, 'events');
    assert.deepEqual(a.events, want);
    assert.deepEqual(b.events, want);
    assert.equal(inf.size, 23);
    assert.equal(lister.list('inf', 'app=x').map((o) => o.metadata.name).sort().join(','), 'pre-01,pre-02,pre-04,pre-06,pre-08,pre-10,pre-12,pre-14,pre-16,pre-18,pre-20,pre-22');
    assert.equal(lister.get('inf', 'n1'), undefined);
    assert.equal(lister.get('inf', 'n2')?.data?.v, '9');
    assert.equal(inf.lists, 1);
    assert.deepEqual(errors, []);
  });

  test('a handler that throws does not keep events from the other handlers', async () => {
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    const errors: unknown[] = [];
    const inf = new Informer<ConfigMap>(cms, { namespace: 'inf', labelSelector: 'thrower=yes', onError: (e) => errors.push(e) });
    const good = recorder();
    inf.addHandlers({ add: () => { throw new Error('handler bug'); } });
    inf.addHandlers(good.handlers);
    runs.push(inf.run(ac.signal));
    await inf.waitForSync();
    await cms.create('inf', { metadata: { name: 't1', labels: { thrower: 'yes' } }, data: { v: '1' } });
    await cms.patch('inf', 't1', 'merge', { data: { v: '2' } });
    await waitUntil(() => good.events.length >= 2, 10_000, 'events after a throwing handler');
    assert.deepEqual(good.events, ['add t1', 'update t1 1->2']);
    assert.equal(errors.length, 1);
    assert.equal(inf.watches, 1, 'the watch was not restarted');
  });

  test('shared informers: one instance per resource and options', async () => {
    const cms = cs.resource('v1', 'configmaps').ref;
    const i1 = cs.informer(cms, { namespace: 'shared' });
    const i2 = cs.informer(cms, { namespace: 'shared' });
    const i3 = cs.informer(cms, { namespace: 'shared', labelSelector: 'app=x' });
    const i4 = cs.informer(cs.kind('apps/v1', 'Deployment').ref, { namespace: 'shared' });
    assert.equal(i1, i2);
    assert.notEqual(i1, i3);
    assert.notEqual(i1, i4);
    await cs.resource<ConfigMap>('v1', 'configmaps').create('shared', { metadata: { name: 's1', labels: { app: 'x' } } });
    await cs.resource<ConfigMap>('v1', 'configmaps').create('shared', { metadata: { name: 's2' } });
    cs.start(ac.signal);
    // An informer asked for after start() runs at once.
    const i5 = cs.informer(cms, { namespace: 'shared', labelSelector: 'app' });
    await cs.waitForSync();
    assert.equal(i1.size, 2);
    assert.equal(i3.size, 1);
    assert.equal(i4.size, 0);
    assert.equal(i5.size, 1);
    assert.equal(cs.lister(cms, { namespace: 'shared' }).list('shared', 'app=x').length, 1);
    assert.equal(i1.lists, 1, 'the shared informer was listed once, not once per user');
  });

  test('re-watch at the watch timeout: nothing lost, no re-list', async () => {
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    const errors: unknown[] = [];
    const inf = new Informer<ConfigMap>(cms, { namespace: 'rewatch', watchTimeoutSeconds: 1, onError: (e) => errors.push(e) });
    const rec = recorder();
    inf.addHandlers(rec.handlers);
    runs.push(inf.run(ac.signal));
    await inf.waitForSync();
    const want: string[] = [];
    // Writes spread over ~4.5 s, across at least three watch timeouts.
    for (let i = 0; i < 30; i++) {
      if (i % 3 === 0) {
        await cms.create('rewatch', { metadata: { name: `r${i}` }, data: { v: '1' } });
        want.push(`add r${i}`);
      } else if (i % 3 === 1) {
        await cms.patch('rewatch', `r${i - 1}`, 'merge', { data: { v: '2' } });
        want.push(`update r${i - 1} 1->2`);
      } else {
        await cms.delete('rewatch', `r${i - 2}`);
        want.push(`delete r${i - 2}`);
      }
      await sleep(150);
    }
    await waitUntil(() => rec.events.length >= want.length, 10_000, 'all events');
    assert.deepEqual(rec.events, want);
    assert.ok(inf.watches >= 4, `watches: ${inf.watches}`);
    assert.equal(inf.lists, 1);
    assert.equal(inf.size, 0);
    assert.deepEqual(errors, []);
  });

  test('work queue + informer: a key updated 50 times is never synced concurrently', async () => {
    const cms = cs.resource<ConfigMap>('v1', 'configmaps');
    const inf = new Informer<ConfigMap>(cms, { namespace: 'ctl' });
    const lister = new Lister(inf);
    const queue = new WorkQueue<string>();
    const enqueue = (o: ConfigMap): void => queue.add(objectKeyOf(o));
    inf.addHandlers({ add: enqueue, update: (_old, o) => enqueue(o), delete: enqueue });
    runs.push(inf.run(ac.signal));
    await inf.waitForSync();

    const inFlight = new Set<string>();
    let overlaps = 0;
    const synced: Array<{ key: string; v: string | undefined }> = [];
    const sync = async (key: string): Promise<void> => {
      if (inFlight.has(key)) overlaps += 1;
      inFlight.add(key);
      try {
        await sleep(Math.random() * 5);
        const [ns, name] = key.split('/') as [string, string];
        // Level-triggered: read the current state from the cache, not from the event.
        synced.push({ key, v: lister.get(ns, name)?.data?.v });
        await sleep(Math.random() * 5);
      } finally {
        inFlight.delete(key);
      }
    };
    const worker = async (): Promise<void> => {
      for (;;) {
        const key = await queue.get();
        if (key === undefined) return;
        try {
          await sync(key);
          queue.forget(key);
        } catch {
          queue.addRateLimited(key);
        } finally {
          queue.done(key);
        }
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    try {
      await cms.create('ctl', { metadata: { name: 'hot' }, data: { v: '0' } });
      await cms.create('ctl', { metadata: { name: 'cold' }, data: { v: '0' } });
      // 50 quick updates, several in flight at once.
      const writes: Array<Promise<unknown>> = [];
      for (let i = 1; i <= 50; i++) {
        writes.push(cms.patch('ctl', 'hot', 'merge', { data: { v: String(i) } }));
        if (i % 5 === 0) await Promise.all(writes.splice(0));
      }
      await cms.patch('ctl', 'cold', 'merge', { data: { v: 'done' } });
      const last = await cms.get('ctl', 'hot');
      await waitUntil(() => {
        const lastHot = synced.filter((s) => s.key === 'ctl/hot').at(-1);
        return lastHot?.v === last.data?.v && synced.some((s) => s.key === 'ctl/cold' && s.v === 'done') && queue.length === 0 && inFlight.size === 0;
      }, 10_000, 'the last state to be synced');
    } finally {
      queue.shutDown();
      await Promise.all(workers);
    }
    assert.equal(overlaps, 0, 'a key was synced by two workers at once');
    const hotSyncs = synced.filter((s) => s.key === 'ctl/hot').length;
    assert.ok(hotSyncs >= 1 && hotSyncs <= 51, `hot synced ${hotSyncs} times`);
  });
});
