import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SharedLock } from './shared-lock.ts';

test('shared holders run together; an exclusive holder runs alone', async () => {
  const lock = new SharedLock();
  let inside = 0;
  let maxShared = 0;
  const log: string[] = [];
  const shared = (name: string): Promise<void> => lock.shared(async () => {
    inside++;
    maxShared = Math.max(maxShared, inside);
    await sleep(20);
    inside--;
    log.push(name);
  });
  const exclusive = (name: string): Promise<void> => lock.exclusive(async () => {
    assert.equal(inside, 0, 'no shared holder while exclusive');
    inside++;
    await sleep(10);
    inside--;
    log.push(name);
  });
  await Promise.all([shared('s1'), shared('s2'), exclusive('x'), shared('s3')]);
  assert.equal(maxShared, 2);
  // The exclusive waiter went before the shared holder that came after it.
  assert.deepEqual(log.slice(2), ['x', 's3']);
});

test('a failing holder releases the lock', async () => {
  const lock = new SharedLock();
  await assert.rejects(lock.exclusive(async () => { throw new Error('boom'); }), /boom/);
  await assert.rejects(lock.shared(async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await lock.exclusive(async () => 'ok'), 'ok');
});
