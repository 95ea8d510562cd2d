import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../api/scheme.ts';
import { openStore } from '../store/index.ts';
import { WatchCache } from './cache/watch-cache.ts';
import { expireEvents, lastSeen } from './event-ttl.ts';
import { builtinHooks } from './hooks.ts';
import { Registry } from './registry/registry.ts';

test('events last seen longer ago than the TTL are deleted, others stay', async () => {
  const store = await openStore({ backend: 'sqlite', path: ':memory:' });
  const cache = new WatchCache(store);
  const ac = new AbortController();
  const done = cache.run(ac.signal);
  await cache.whenReady();
  const info = RESOURCES.find((r) => r.group === '' && r.resource === 'events')!;
  const events = new Registry(info, { store, cache, hooks: builtinHooks, admission: [] });
  const ctx = { user: { name: 't', groups: [] }, manager: 't', apiVersion: 'v1', dryRun: false, now: new Date() };
  const ev = (name: string, last: string) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'm', type: 'Normal', lastTimestamp: last, firstTimestamp: last });
  const now = Date.now();
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  await events.create('default', ev('old', stamp(now)), ctx);
  // Seen again 90 minutes later (a repeated event's lastTimestamp moves on).
  await events.create('default', ev('new', stamp(now + 90 * 60_000)), ctx);
  assert.equal(await expireEvents(events, 3600_000, now), 0, 'nothing is an hour old yet');
  assert.equal(await expireEvents(events, 3600_000, now + 2 * 3600_000), 1);
  const left = (await events.listCached('', true)).items.map((o) => o.obj.metadata.name);
  assert.deepEqual(left, ['new']);
  assert.ok(lastSeen(ev('x', '2026-01-01T00:00:00Z')) > 0);
  ac.abort();
  await done;
  await store.close();
});
