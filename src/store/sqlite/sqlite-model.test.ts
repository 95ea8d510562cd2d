// Randomised check against a plain in-memory model: every revision's state, list at every
// revision, watch replay of every event, before and after compaction.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isCompacted } from '../errors.ts';
import type { KeyValue, StoreEvent } from '../types.ts';
import { tempStore } from './testdata/temp-store.ts';

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

it('matches a model through random writes, lists at every revision and compaction', async () => {
  const t = await tempStore({ compactionChunk: 7 });
  try {
    const s = t.store;
    const rand = rng(42);
    const keys = Array.from({ length: 12 }, (_, i) => `/m/${i % 3}/k${i}`);
    const state = new Map<string, KeyValue>();
    const snapshots: Map<string, KeyValue>[] = [new Map()];
    const events: StoreEvent[] = [];
    const ac = new AbortController();
    const live = s.watch('/m/', { afterRevision: 0, signal: ac.signal })[Symbol.asyncIterator]();

    for (let i = 0; i < 400; i++) {
      const key = keys[Math.floor(rand() * keys.length)]!;
      const cur = state.get(key);
      const r = rand();
      try {
        if (cur === undefined) {
          const kv = await s.create(key, `v${i}`);
          events.push({ type: 'put', kv });
          state.set(key, kv);
        } else if (r < 0.6) {
          const stale = r < 0.1;
          const kv = await s.update(key, `v${i}`, stale ? cur.modRevision - 1 : cur.modRevision);
          assert.ok(!stale, 'stale update must fail');
          events.push({ type: 'put', kv, prev: cur });
          state.set(key, kv);
        } else {
          const kv = await s.delete(key, r < 0.8 ? cur.modRevision : undefined);
          events.push({ type: 'delete', kv, prev: cur });
          state.delete(key);
        }
        snapshots.push(new Map(state));
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        assert.equal((err as { code?: string }).code, 'ResourceVersionConflict');
      }
    }
    const current = await s.currentRevision();
    assert.equal(current, snapshots.length - 1);

    const expectAt = (rev: number, prefix: string): KeyValue[] =>
      [...snapshots[rev]!.values()].filter((kv) => kv.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
    const check = async (from: number): Promise<void> => {
      for (let rev = from; rev <= current; rev++) {
        for (const prefix of ['/m/', '/m/1/']) {
          // Paginate with a small page to cross page boundaries at every revision.
          const got: KeyValue[] = [];
          let page = await s.list(prefix, { revision: rev, limit: 2 });
          got.push(...page.items);
          while (page.more) {
            page = await s.list(prefix, { revision: rev, limit: 2, startAfter: page.items.at(-1)!.key });
            got.push(...page.items);
          }
          assert.deepEqual(got, expectAt(rev, prefix), `list ${prefix} at ${rev}`);
        }
      }
    };
    await check(1);

    const liveEvents: StoreEvent[] = [];
    for (let i = 0; i < events.length; i++) liveEvents.push((await live.next()).value as StoreEvent);
    assert.deepEqual(liveEvents, events);
    const replay = s.watch('/m/', { afterRevision: 0, signal: ac.signal })[Symbol.asyncIterator]();
    for (const ev of events) assert.deepEqual((await replay.next()).value, ev);

    const c = Math.floor(current / 2);
    await s.compact(c);
    await assert.rejects(s.list('/m/', { revision: c }), isCompacted);
    await check(c + 1);
    // After compaction, replayed events keep kv; prev may be gone only when it was at or below c.
    const after = s.watch('/m/', { afterRevision: c + 1, signal: ac.signal })[Symbol.asyncIterator]();
    for (const ev of events.filter((e) => e.kv.modRevision > c + 1)) {
      const got = (await after.next()).value as StoreEvent;
      assert.deepEqual(got.kv, ev.kv);
      if (ev.prev !== undefined && (ev.type === 'delete' || ev.prev.modRevision > c)) assert.deepEqual(got.prev, ev.prev);
    }
    ac.abort();
  } finally {
    await t.cleanup();
  }
});
