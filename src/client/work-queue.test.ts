import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './work-queue.ts';

test('a key is queued once however often it is added', async () => {
  const q = new WorkQueue<string>();
  q.add('a'); q.add('a'); q.add('b');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  q.shutDown();
});

test('a key being processed is never handed out twice; added meanwhile it comes back after done', async () => {
  const q = new WorkQueue<string>();
  q.add('a');
  const k = await q.get();
  assert.equal(k, 'a');
  q.add('a');
  assert.equal(q.length, 0, 'held back while processing');
  let second: string | undefined;
  const p = q.get().then((v) => { second = v; });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(second, undefined);
  q.done('a');
  await p;
  assert.equal(second, 'a');
  q.done('a');
  q.shutDown();
});

test('concurrent workers never run one key at once', async () => {
  const q = new WorkQueue<string>();
  const running = new Set<string>();
  let overlaps = 0;
  let handled = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const k = await q.get();
      if (k === undefined) return;
      if (running.has(k)) overlaps++;
      running.add(k);
      await new Promise((r) => setTimeout(r, 1));
      running.delete(k);
      handled++;
      q.done(k);
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  for (let i = 0; i < 200; i++) { q.add(`k${i % 5}`); if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1)); }
  await new Promise((r) => setTimeout(r, 100));
  q.shutDown();
  await Promise.all(workers);
  assert.equal(overlaps, 0);
  assert.ok(handled >= 5);
});

test('rate-limited re-adds back off per key and forget resets', async () => {
  const q = new WorkQueue<string>({ baseDelayMs: 10 });
  q.addRateLimited('x');
  assert.equal(q.numRequeues('x'), 1);
  const t0 = Date.now();
  assert.equal(await q.get(), 'x');
  assert.ok(Date.now() - t0 >= 5);
  q.done('x');
  q.addRateLimited('x');
  q.addRateLimited('x');
  assert.equal(q.numRequeues('x'), 3);
  q.forget('x');
  assert.equal(q.numRequeues('x'), 0);
  q.shutDown();
  assert.equal(await q.get(), undefined);
});

test('addAfter: a key waits once; an earlier time replaces a later one, a later one is ignored', async () => {
  const q = new WorkQueue<string>();
  const got: string[] = [];
  q.addAfter('a', 40);
  q.addAfter('a', 60); // later: ignored
  q.addAfter('b', 80);
  q.addAfter('b', 20); // earlier: replaces
  for (let i = 0; i < 2; i++) {
    const k = (await q.get())!;
    got.push(k);
    q.done(k);
  }
  assert.deepEqual(got, ['b', 'a']);
  // Nothing else comes: no second 'a' (60 ms) and no second 'b' (80 ms).
  const extra = await Promise.race([q.get(), new Promise((r) => setTimeout(() => r('none'), 150))]);
  assert.equal(extra, 'none');
  q.shutDown();
});
