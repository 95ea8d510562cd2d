import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../store/index.ts';
import { isTooLargeResourceVersion } from './resource-version.ts';
import { WatchCache, TooOldError, type CacheEvent } from './watch-cache.ts';

const cm = (name: string, v: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: { v } });
const key = (name: string) => `/registry/core/configmaps/ns/${name}`;

async function setup(): Promise<{ store: Awaited<ReturnType<typeof openStore>>; cache: WatchCache; ac: AbortController; done: Promise<void> }> {
  const store = await openStore({ backend: 'sqlite', path: ':memory:' });
  const cache = new WatchCache(store);
  const ac = new AbortController();
  const done = cache.run(ac.signal);
  await cache.whenReady();
  return { store, cache, ac, done };
}

test('lists follow writes, in key order, with resourceVersion set', async () => {
  const { store, cache, ac, done } = await setup();
  await store.create(key('b'), cm('b', '1'));
  const a = await store.create(key('a'), cm('a', '1'));
  await store.create('/registry/core/secrets/ns/s', JSON.stringify({ metadata: { name: 's' } }));
  await cache.sync();
  const l = cache.list('/registry/core/configmaps/ns/');
  assert.deepEqual(l.items.map((o) => o.obj.metadata.name), ['a', 'b']);
  assert.equal(l.items[0]!.obj.metadata.resourceVersion, String(a.modRevision));
  assert.match(l.items[0]!.json, new RegExp(`"resourceVersion":"${a.modRevision}"`));
  await store.update(key('a'), cm('a', '2'), a.modRevision);
  await cache.sync();
  assert.equal((cache.get(key('a'))!.obj as any).data.v, '2');
  assert.deepEqual(cache.list('/registry/core/configmaps/ns/').items.map((o) => o.obj.metadata.name), ['a', 'b'], 'a modification keeps the order');
  ac.abort();
  await done;
  await store.close();
});

test('subscribers get current state then events; a resume replays history; too old is refused', async () => {
  const { store, cache, ac, done } = await setup();
  const first = await store.create(key('x'), cm('x', '0'));
  await cache.sync();
  const seen: CacheEvent[] = [];
  const { subscription } = cache.subscribe('/registry/core/configmaps/', undefined, (ev) => seen.push(ev));
  const u = await store.update(key('x'), cm('x', '1'), first.modRevision);
  await store.delete(key('x'));
  await cache.sync();
  assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.equal(seen[2]!.prev?.rev, u.modRevision);
  subscription.close();
  const replay: string[] = [];
  cache.subscribe('/registry/core/configmaps/', first.modRevision, (ev) => replay.push(ev.type)).subscription.close();
  assert.deepEqual(replay, ['MODIFIED', 'DELETED']);
  ac.abort();
  await done;
  await store.close();

  const small = await openStore({ backend: 'sqlite', path: ':memory:' });
  const c2 = new WatchCache(small, { historyLimit: 2 });
  const ac2 = new AbortController();
  const d2 = c2.run(ac2.signal);
  await c2.whenReady();
  let rev = (await small.create(key('y'), cm('y', '0'))).modRevision;
  const start = rev;
  for (let i = 1; i <= 5; i++) rev = (await small.update(key('y'), cm('y', String(i)), rev)).modRevision;
  await c2.sync();
  assert.throws(() => c2.subscribe('/registry/core/configmaps/', start, () => {}), TooOldError);
  ac2.abort();
  await d2;
  await small.close();
});

test('a new cache replays the store history, so watches from before a restart resume', async () => {
  const store = await openStore({ backend: 'sqlite', path: ':memory:' });
  const a = await store.create(key('a'), cm('a', '0'));
  await store.update(key('a'), cm('a', '1'), a.modRevision);
  await store.create(key('b'), cm('b', '0'));
  const cache = new WatchCache(store);
  const ac = new AbortController();
  const done = cache.run(ac.signal);
  await cache.whenReady();
  const seen: string[] = [];
  cache.subscribe('/registry/core/configmaps/', a.modRevision, (ev) => seen.push(`${ev.type}:${ev.obj.obj.metadata.name}`)).subscription.close();
  assert.deepEqual(seen, ['MODIFIED:a', 'ADDED:b']);
  assert.deepEqual(cache.list('/registry/core/configmaps/').items.map((o) => (o.obj as any).data.v), ['1', '0']);
  ac.abort();
  await done;
  await store.close();
});

test('waitFor is woken by the cache catching up, and answers a 504 ResourceVersionTooLarge for a version never reached', async () => {
  const { store, cache, ac, done } = await setup();
  const at = cache.revision;
  const waiting = cache.waitFor(at + 1, 60_000);
  await store.create(key('w'), cm('w', '1'));
  await waiting;
  await assert.rejects(cache.waitFor(1e20, 20), (err: unknown) => {
    assert.ok(isTooLargeResourceVersion(err));
    assert.equal(err.code, 504);
    assert.equal(err.reason, 'Timeout');
    assert.equal(err.status.message, `Timeout: Too large resource version: 100000000000000000000, current: ${cache.revision}`);
    assert.deepEqual(err.status.details?.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
    return true;
  });
  ac.abort();
  await done;
  await store.close();
});

test('an exact-key subscription starts with that object alone and replays only its history', async () => {
  const { store, cache, ac, done } = await setup();
  const fan = await store.create(key('fan'), cm('fan', '0'));
  await store.create(key('fan2'), cm('fan2', '0'));
  await store.create(key('other'), cm('other', '0'));
  await store.update(key('fan'), cm('fan', '1'), fan.modRevision);
  await cache.sync();
  const initial: string[] = [];
  const sub = cache.subscribe(key('fan'), undefined, (ev) => initial.push(`${ev.type} ${ev.obj.obj.metadata.name}`), true);
  assert.deepEqual(initial, ['ADDED fan']);
  sub.subscription.close();
  const replay: string[] = [];
  cache.subscribe(key('fan'), fan.modRevision - 1, (ev) => replay.push(`${ev.type} ${ev.obj.obj.metadata.name}`), true).subscription.close();
  assert.deepEqual(replay, ['ADDED fan', 'MODIFIED fan']);
  const none: string[] = [];
  cache.subscribe(key('nope'), undefined, (ev) => none.push(ev.key), true).subscription.close();
  assert.deepEqual(none, []);
  ac.abort();
  await done;
  await store.close();
});
