import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFields } from './json-duplicates.ts';

test('finds duplicate keys with their paths, and nothing in a clean document', () => {
  assert.deepEqual(duplicateFields('{"a":1,"b":{"c":"x,\\"y","c":2},"l":[{"k":1},{"k":1,"k":2}],"a":3}'), ['b.c', 'l[1].k', 'a']);
  assert.deepEqual(duplicateFields('{"spec":{"paused":true,"paused":false}}'), ['spec.paused']);
  assert.deepEqual(duplicateFields('{"a":[1,2,{"b":1}],"b":{"a":1}}'), []);
});
