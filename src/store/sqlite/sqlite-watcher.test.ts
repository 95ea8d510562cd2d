import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCompacted, StoreError } from '../errors.ts';
import type { Store, StoreEvent, Watcher } from '../types.ts';
import { tempStore } from './testdata/temp-store.ts';

const code = (err: unknown): string | undefined => (err instanceof StoreError ? err.code : undefined);

/** Takes n events from a watcher (without ending it). */
async function take(it: AsyncIterator<StoreEvent>, n: number): Promise<StoreEvent[]> {
  const out: StoreEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

const revs = (evs: StoreEvent[]): number[] => evs.map((e) => e.kv.modRevision);

async function writeMany(s: Store, prefix: string, n: number, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        await s.create(`${prefix}${String(i).padStart(5, '0')}`, String(i));
      }
    }),
  );
}

describe('SqliteStore watch', () => {
  it('delivers puts and deletes with prev values, filtered by prefix', async () => {
    const t = await tempStore();
    try {
      const s = t.store;
      const ac = new AbortController();
      const it = s.watch('/w/', { afterRevision: 0, signal: ac.signal })[Symbol.asyncIterator]();
      await s.create('/w/a', '1');
      await s.create('/other/a', 'x');
      await s.update('/w/a', '2', 1);
      await s.delete('/w/a');
      const evs = await take(it, 3);
      assert.deepEqual(evs, [
        { type: 'put', kv: { key: '/w/a', value: '1', createRevision: 1, modRevision: 1 } },
        {
          type: 'put',
          kv: { key: '/w/a', value: '2', createRevision: 1, modRevision: 3 },
          prev: { key: '/w/a', value: '1', createRevision: 1, modRevision: 1 },
        },
        {
          type: 'delete',
          kv: { key: '/w/a', value: '2', createRevision: 1, modRevision: 4 },
          prev: { key: '/w/a', value: '2', createRevision: 1, modRevision: 3 },
        },
      ]);
      // The same events replayed from history look identical.
      const replay = s.watch('/w/', { afterRevision: 0, signal: ac.signal })[Symbol.asyncIterator]();
      assert.deepEqual(await take(replay, 3), evs);
      ac.abort();
      assert.deepEqual(await it.next(), { done: true, value: undefined });
      assert.deepEqual(await replay.next(), { done: true, value: undefined });
    } finally {
      await t.cleanup();
    }
  });

  it('has no gap or duplicate across the history-to-live seam', async () => {
    const t = await tempStore();
    try {
      const s = t.store;
      await writeMany(s, '/seam/pre-', 3_000, 16);
      const ac = new AbortController();
      // Several watchers from old revisions, started and consumed while writes are going on,
      // so each crosses from log replay to live pushes mid-stream.
      const total = 6_000;
      const starts = [0, 17, 1_500, 2_999];
      const writing = writeMany(s, '/seam/live-', 3_000, 16);
      const consuming = starts.map(async (after, i) => {
        const it = s.watch('/seam/', { afterRevision: after, signal: ac.signal })[Symbol.asyncIterator]();
        const got: number[] = [];
        while (got.length < total - after) {
          const r = await it.next();
          if (r.done === true) break;
          got.push(r.value.kv.modRevision);
          // Consumers of different speeds.
          if (i % 2 === 1 && got.length % 100 === 0) await new Promise((res) => setImmediate(res));
        }
        return got;
      });
      const [, ...results] = await Promise.all([writing, ...consuming]);
      assert.equal(await s.currentRevision(), total);
      for (const [i, got] of results.entries()) {
        const after = starts[i]!;
        assert.deepEqual(got, Array.from({ length: total - after }, (_, j) => after + 1 + j));
      }
      ac.abort();
    } finally {
      await t.cleanup();
    }
  });

  it('does not deliver revisions at or below afterRevision even if it is in the future', async () => {
    const t = await tempStore();
    try {
      const s = t.store;
      const ac = new AbortController();
      const it = s.watch('', { afterRevision: 2, signal: ac.signal })[Symbol.asyncIterator]();
      for (const k of ['/1', '/2', '/3', '/4']) await s.create(k, k);
      assert.deepEqual(revs(await take(it, 2)), [3, 4]);
      ac.abort();
    } finally {
      await t.cleanup();
    }
  });

  it('ends on abort while waiting, and on return()', async () => {
    const t = await tempStore();
    try {
      const s = t.store;
      const ac = new AbortController();
      const w: Watcher = s.watch('/', { afterRevision: 0, signal: ac.signal });
      const waiting = w[Symbol.asyncIterator]().next();
      setTimeout(() => ac.abort(), 5);
      assert.deepEqual(await waiting, { done: true, value: undefined });

      const ac2 = new AbortController();
      await s.create('/k', 'v');
      const seen: StoreEvent[] = [];
      for await (const ev of s.watch('/', { afterRevision: 0, signal: ac2.signal })) {
        seen.push(ev);
        break;
      }
      assert.equal(seen.length, 1);
      // An already-aborted signal yields an empty watch.
      const none: StoreEvent[] = [];
      for await (const ev of s.watch('/', { afterRevision: 0, signal: AbortSignal.abort() })) none.push(ev);
      assert.deepEqual(none, []);
    } finally {
      await t.cleanup();
    }
  });

  it('ends with Compacted when starting at or below the compacted revision', async () => {
    const t = await tempStore();
    try {
      const s = t.store;
      for (const k of ['/a', '/b', '/c', '/d']) await s.create(k, k);
      await s.compact(2);
      const ac = new AbortController();
      for (const after of [0, 1, 2]) {
        const it = s.watch('/', { afterRevision: after, signal: ac.signal })[Symbol.asyncIterator]();
        await assert.rejects(it.next(), isCompacted);
        assert.deepEqual(await it.next(), { done: true, value: undefined });
      }
      const ok = s.watch('/', { afterRevision: 3, signal: ac.signal })[Symbol.asyncIterator]();
      assert.deepEqual(revs(await take(ok, 1)), [4]);
      ac.abort();
    } finally {
      await t.cleanup();
    }
  });

  it('ends with Closed when the store closes', async () => {
    const t = await tempStore();
    try {
      const s = t.store;
      const it = s.watch('/', { afterRevision: 0, signal: new AbortController().signal })[Symbol.asyncIterator]();
      const waiting = it.next();
      await s.close();
      await assert.rejects(waiting, (err) => code(err) === 'Closed');
      const late = s.watch('/', { afterRevision: 0, signal: new AbortController().signal })[Symbol.asyncIterator]();
      await assert.rejects(late.next(), (err) => code(err) === 'Closed');
    } finally {
      await t.cleanup();
    }
  });

  it('falls back to reading the log when a consumer is too slow, keeping every event', async () => {
    const t = await tempStore({ maxWatchBuffer: 50 });
    try {
      const s = t.store;
      const ac = new AbortController();
      const it = s.watch('/slow/', { afterRevision: 0, signal: ac.signal })[Symbol.asyncIterator]();
      assert.equal((await take(it, 0)).length, 0);
      // Get the watcher live, then write far more than its buffer without reading.
      await s.create('/slow/first', '0');
      assert.deepEqual(revs(await take(it, 1)), [1]);
      await writeMany(s, '/slow/k', 500, 8);
      await s.create('/other', 'x');
      await writeMany(s, '/slow/m', 100, 8);
      const got = revs(await take(it, 600));
      assert.deepEqual(got, [...Array.from({ length: 500 }, (_, i) => i + 2), ...Array.from({ length: 100 }, (_, i) => i + 503)]);
      // And it is live again afterwards.
      await s.create('/slow/last', 'z');
      assert.deepEqual(revs(await take(it, 1)), [603]);
      ac.abort();
    } finally {
      await t.cleanup();
    }
  });
});
