import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SliceTracker } from './slice-tracker.ts';
import type { EndpointSlice } from './types.ts';

const slice = (name: string, rv: string): EndpointSlice => ({ metadata: { name, resourceVersion: rv }, addressType: 'IPv4', endpoints: [] });

test('a sync waits until the cache shows the controller\'s own writes; echoes are not news, others\' changes are', () => {
  const t = new SliceTracker();
  const cache = new Map<string, EndpointSlice>();
  const cached = (n: string): EndpointSlice | undefined => cache.get(n);
  t.wrote('ns/web', slice('web-a', '10'));
  assert.equal(t.stale('ns/web', cached), true, 'created slice not seen yet');
  cache.set('web-a', slice('web-a', '10'));
  assert.equal(t.observe('ns/web', slice('web-a', '10'), false), false, 'our own echo');
  assert.equal(t.stale('ns/web', cached), false);
  assert.equal(t.observe('ns/web', slice('web-a', '11'), false), true, 'a change by someone else');
  t.deleted('ns/web', 'web-a');
  assert.equal(t.stale('ns/web', cached), true, 'deleted slice still cached');
  cache.delete('web-a');
  assert.equal(t.stale('ns/web', cached), false, 'the cache may run ahead of the events');
  t.wrote('ns/web', slice('web-b', '20'));
  assert.equal(t.stale('ns/web', cached, Date.now() + 60_000), false, 'expectations expire');
});
