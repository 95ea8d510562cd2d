import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slowStartBatch } from './slow-start.ts';

test('slowStartBatch: batches of 1, 2, 4, … until the count is reached', async () => {
  const batches: number[] = [];
  let inFlight = 0;
  let started = 0;
  const r = await slowStartBatch(10, 1, async () => {
    started++;
    inFlight++;
    await new Promise((res) => setImmediate(res));
    if (inFlight > 0) batches.push(inFlight);
    inFlight = 0;
  });
  assert.equal(r.successes, 10);
  assert.equal(r.error, undefined);
  assert.equal(started, 10);
  assert.deepEqual(batches, [1, 2, 4, 3]);
});

test('slowStartBatch: stops after the first batch with a failure and counts its successes', async () => {
  let calls = 0;
  const r = await slowStartBatch(100, 1, async (i) => {
    calls++;
    if (i === 4) throw new Error('exceeded quota');
  });
  // Batches 1 (i=0), 2 (i=1,2), 4 (i=3..6): i=4 fails, the other three of that batch succeed.
  assert.equal(calls, 7);
  assert.equal(r.successes, 6);
  assert.match(String(r.error), /exceeded quota/);
});

test('slowStartBatch: nothing to do', async () => {
  assert.deepEqual(await slowStartBatch(0, 1, async () => { throw new Error('never'); }), { successes: 0 });
});
