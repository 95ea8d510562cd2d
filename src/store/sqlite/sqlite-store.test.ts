import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isCompacted, isKeyExists, isKeyNotFound, isRVConflict, StoreError } from '../errors.ts';
import { openStore } from '../index.ts';
import { guaranteedUpdate } from '../types.ts';
import { compactionChannel, openSqliteStore } from './sqlite-store.ts';
import { tempStore } from './testdata/temp-store.ts';
import type { TempStore } from './testdata/temp-store.ts';

const code = (err: unknown): string | undefined => (err instanceof StoreError ? err.code : undefined);

describe('SqliteStore CRUD', () => {
  let t: TempStore;
  before(async () => {
    t = await tempStore();
  });
  after(async () => {
    await t.cleanup();
  });

  it('creates, gets, updates and deletes with strictly increasing revisions', async () => {
    const s = t.store;
    assert.equal(await s.currentRevision(), 0);
    const a = await s.create('/a', 'v1');
    assert.deepEqual(a, { key: '/a', value: 'v1', createRevision: 1, modRevision: 1 });
    assert.deepEqual(await s.get('/a'), a);
    await assert.rejects(s.create('/a', 'again'), isKeyExists);
    await assert.rejects(s.get('/missing'), isKeyNotFound);

    const a2 = await s.update('/a', 'v2', 1);
    assert.deepEqual(a2, { key: '/a', value: 'v2', createRevision: 1, modRevision: 2 });
    await assert.rejects(s.update('/a', 'v3', 1), isRVConflict);
    await assert.rejects(s.update('/missing', 'x', 1), isKeyNotFound);

    await assert.rejects(s.delete('/a', 1), isRVConflict);
    const d = await s.delete('/a', 2);
    assert.deepEqual(d, { key: '/a', value: 'v2', createRevision: 1, modRevision: 3 });
    await assert.rejects(s.get('/a'), isKeyNotFound);
    await assert.rejects(s.delete('/a'), isKeyNotFound);

    const again = await s.create('/a', 'v4');
    assert.equal(again.createRevision, 4);
    assert.equal(await s.currentRevision(), 4);
    const unconditional = await s.delete('/a');
    assert.equal(unconditional.modRevision, 5);
  });

  it('gives every write in one batch its own revision and fails only the bad ones', async () => {
    const s = t.store;
    const base = await s.currentRevision();
    await s.create('/batch/dup', 'x');
    const results = await Promise.allSettled([
      s.create('/batch/1', '1'),
      s.create('/batch/dup', 'y'),
      s.create('/batch/2', '2'),
      s.update('/batch/nope', 'z', 1),
      s.create('/batch/3', '3'),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const revs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.modRevision] : []));
    assert.deepEqual(revs, [base + 2, base + 3, base + 4]);
    assert.equal(code((results[1] as PromiseRejectedResult).reason), 'KeyExists');
    assert.equal(code((results[3] as PromiseRejectedResult).reason), 'KeyNotFound');
    assert.equal(await s.currentRevision(), base + 4);
  });

  it('sees earlier writes of the same batch', async () => {
    const s = t.store;
    const c = s.create('/same/k', 'a');
    const u = s.update('/same/k', 'b', (await s.currentRevision()) + 1);
    const [cr, ur] = await Promise.all([c, u]);
    assert.equal(ur.modRevision, cr.modRevision + 1);
    assert.equal((await s.get('/same/k')).value, 'b');
  });

  it('serialises 50 concurrent guaranteedUpdate increments', async () => {
    const s = t.store;
    await s.create('/counter', '0');
    await Promise.all(
      Array.from({ length: 50 }, () =>
        guaranteedUpdate(s, '/counter', (cur) => String(Number(cur.value) + 1), { maxRetries: 100 }),
      ),
    );
    assert.equal((await s.get('/counter')).value, '50');
  });
});

describe('SqliteStore list and count', () => {
  let t: TempStore;
  before(async () => {
    t = await tempStore();
  });
  after(async () => {
    await t.cleanup();
  });

  it('lists by prefix in key order and counts', async () => {
    const s = t.store;
    for (const k of ['/pods/b', '/pods/a', '/pods/c', '/podsx', '/svc/a', '/pod']) await s.create(k, k);
    const all = await s.list('/pods/');
    assert.deepEqual(all.items.map((i) => i.key), ['/pods/a', '/pods/b', '/pods/c']);
    assert.equal(all.revision, await s.currentRevision());
    assert.equal(all.more, false);
    assert.equal(await s.count('/pods/'), 3);
    assert.equal(await s.count('/pods'), 4);
    assert.equal(await s.count(''), 6);
    assert.deepEqual((await s.list('')).items.map((i) => i.key), ['/pod', '/pods/a', '/pods/b', '/pods/c', '/podsx', '/svc/a']);
    assert.deepEqual((await s.list('/nothing/')).items, []);
  });

  it('reads an older revision from history after later writes', async () => {
    const s = t.store;
    const snap = await s.list('/pods/');
    const rev = snap.revision;
    await s.update('/pods/a', 'changed', snap.items[0]!.modRevision);
    await s.delete('/pods/b');
    await s.create('/pods/d', 'new');
    const old = await s.list('/pods/', { revision: rev });
    assert.equal(old.revision, rev);
    assert.deepEqual(old.items, snap.items);
    const now = await s.list('/pods/');
    assert.deepEqual(now.items.map((i) => [i.key, i.value]), [['/pods/a', 'changed'], ['/pods/c', '/pods/c'], ['/pods/d', 'new']]);
    await assert.rejects(s.list('/pods/', { revision: now.revision + 10 }), (err) => code(err) === 'Internal');
  });

  it('paginates at one snapshot across concurrent writes', async () => {
    const s = t.store;
    for (let i = 0; i < 25; i++) await s.create(`/page/${String(i).padStart(2, '0')}`, `v${i}`);
    const first = await s.list('/page/', { limit: 10 });
    assert.equal(first.items.length, 10);
    assert.equal(first.more, true);
    assert.equal(first.remaining, 15);
    const seen = first.items.map((i) => i.key);
    // Writes between pages must not show up in later pages.
    await s.create('/page/05a', 'late');
    await s.delete('/page/20');
    await s.update('/page/15', 'late', (await s.get('/page/15')).modRevision);
    let page = first;
    while (page.more) {
      page = await s.list('/page/', { limit: 10, revision: first.revision, startAfter: page.items.at(-1)!.key });
      assert.equal(page.revision, first.revision);
      seen.push(...page.items.map((i) => i.key));
      // The rest is counted at the snapshot revision, whatever was written since.
      assert.equal(page.remaining, 25 - seen.length);
      for (const it of page.items) if (it.key === '/page/15') assert.equal(it.value, 'v15');
    }
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `/page/${String(i).padStart(2, '0')}`));
    // startAfter at the current revision too, and exact limit boundaries.
    const tail = await s.list('/page/', { startAfter: '/page/22', limit: 2 });
    assert.deepEqual(tail.items.map((i) => i.key), ['/page/23', '/page/24']);
    assert.equal(tail.more, false);
    assert.equal(tail.remaining, 0);
    const before = await s.list('/page/', { startAfter: '/pa', limit: 1 });
    assert.equal(before.items[0]?.key, '/page/00');
  });
});

describe('SqliteStore compaction', () => {
  it('forgets history at or below the compacted revision', async () => {
    const t = await tempStore();
    try {
      const s = t.store;
      await s.create('/c/a', '1');
      const r2 = (await s.create('/c/b', '1')).modRevision;
      await s.update('/c/a', '2', 1);
      await s.delete('/c/b');
      const r5 = (await s.create('/c/c', '1')).modRevision;
      await s.update('/c/a', '3', 3);
      const snap5 = await s.list('/c/', { revision: r5 });
      await s.compact(r5 - 1);
      assert.equal(await s.compactedRevision(), r5 - 1);
      await assert.rejects(s.list('/c/', { revision: r2 }), isCompacted);
      await assert.rejects(s.list('/c/', { revision: r5 - 1 }), isCompacted);
      assert.deepEqual(await s.list('/c/', { revision: r5 }), snap5);
      assert.deepEqual((await s.list('/c/')).items.map((i) => i.value), ['3', '1']);
      // Compacting below the compacted revision is a no-op; above current is clamped.
      await s.compact(1);
      await s.compact(1_000);
      assert.equal(await s.compactedRevision(), await s.currentRevision());
      assert.deepEqual((await s.list('/c/')).items.map((i) => i.key), ['/c/a', '/c/c']);
      // The current revision stays readable even when it is the compacted one.
      assert.equal((await s.list('/c/', { revision: await s.currentRevision() })).items.length, 2);
      // Revisions are never reused, even when compaction removed the newest log row.
      await s.delete('/c/c');
      const last = await s.currentRevision();
      await s.compact(last);
      const s2 = await t.reopen();
      assert.equal(await s2.currentRevision(), last);
      assert.equal(await s2.compactedRevision(), last);
      assert.equal((await s2.create('/c/z', '1')).modRevision, last + 1);
    } finally {
      await t.cleanup();
    }
  });

  it('compacts by retention on a timer', async () => {
    const t = await tempStore({ historyRetentionMs: 40, compactionIntervalMs: 10 });
    try {
      const s = t.store;
      const first = await s.create('/r/a', '1');
      await s.update('/r/a', '2', first.modRevision);
      const published: unknown[] = [];
      const onCompaction = (msg: unknown): void => {
        published.push(msg);
      };
      compactionChannel.subscribe(onCompaction);
      const deadline = Date.now() + 3_000;
      while ((await s.compactedRevision()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await s.compactedRevision(), 2);
      await assert.rejects(s.list('/r/', { revision: 1 }), isCompacted);
      assert.equal((await s.get('/r/a')).value, '2');
      compactionChannel.unsubscribe(onCompaction);
      assert.equal((published[0] as { revision: number }).revision, 2);
    } finally {
      await t.cleanup();
    }
  });
});

describe('SqliteStore lifecycle', () => {
  it('continues revisions after reopen and keeps data', async () => {
    const t = await tempStore();
    try {
      await t.store.create('/x', '1');
      await t.store.create('/y', '1');
      await t.store.delete('/y');
      const s2 = await t.reopen();
      assert.equal(await s2.currentRevision(), 3);
      assert.equal((await s2.get('/x')).value, '1');
      assert.equal((await s2.create('/y', '2')).modRevision, 4);
      // History from before the reopen is still there.
      assert.deepEqual((await s2.list('/', { revision: 2 })).items.map((i) => i.key), ['/x', '/y']);
    } finally {
      await t.cleanup();
    }
  });

  it('commits queued writes on close and rejects later calls with Closed', async () => {
    const t = await tempStore();
    try {
      const pending = t.store.create('/queued', 'v');
      await t.store.close();
      assert.equal((await pending).modRevision, 1);
      await assert.rejects(t.store.create('/after', 'v'), (err) => code(err) === 'Closed');
      await assert.rejects(t.store.get('/queued'), (err) => code(err) === 'Closed');
      const s2 = await t.reopen();
      assert.equal((await s2.get('/queued')).value, 'v');
    } finally {
      await t.cleanup();
    }
  });

  it('refuses a second opener of the same file', async () => {
    const t = await tempStore();
    try {
      assert.throws(() => openSqliteStore({ path: t.path }), (err) => (err as { code?: string }).code === 'StoreLocked');
      await t.store.create('/still', 'works');
    } finally {
      await t.cleanup();
    }
  });

  it('opens through openStore', async () => {
    const s = await openStore({ backend: 'sqlite', path: ':memory:', historyRetentionMs: 1_000 });
    try {
      assert.equal((await s.create('/m', 'v')).modRevision, 1);
    } finally {
      await s.close();
    }
  });
});
