import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControllerExpectations } from './expectations.ts';

test('expectations: unknown keys are satisfied; adds must all be observed', () => {
  const e = new ControllerExpectations();
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectCreations('ns/rs', 2);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
  e.delete('ns/rs');
  assert.equal(e.get('ns/rs'), undefined);
});

test('expectations: a deletion counts once per expected object, others not at all', () => {
  const e = new ControllerExpectations();
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a'); // the same pod again (update with deletionTimestamp, then delete)
  e.deletionObserved('ns/rs', 'ns/zzz'); // not one we deleted
  assert.deepEqual(e.get('ns/rs'), { add: 0, del: 1 });
  assert.equal(e.satisfied('ns/rs'), false);
  e.deletionObserved('ns/rs', 'ns/b');
  assert.equal(e.satisfied('ns/rs'), true);
});

test('expectations: expire after the TTL so a lost event cannot wedge a controller', () => {
  let now = 1000;
  const e = new ControllerExpectations({ ttlMs: 5 * 60_000, now: () => now });
  e.expectCreations('k', 3);
  now += 5 * 60_000;
  assert.equal(e.satisfied('k'), false);
  now += 1;
  assert.equal(e.satisfied('k'), true);
});

test('expectations: raise adds to what is pending; set replaces it', () => {
  const e = new ControllerExpectations();
  e.raise('k', 1, 0);
  e.raise('k', 2, 1);
  assert.deepEqual(e.get('k'), { add: 3, del: 1 });
  e.set('k', 0, 0);
  assert.equal(e.satisfied('k'), true);
});
