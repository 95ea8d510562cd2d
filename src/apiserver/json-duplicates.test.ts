import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFields } from './json-duplicates.ts';

test('finds duplicate keys with their paths, and nothing in a clean document', () => {
  assert.deepEqual(duplicateFields('{"a":1,"b":{"c":"x,\\"y","c":2},"l":[{"k":1},{"k":1,"k":2}],"a":3}'), ['b.c', 'l[1].k', 'a']);
  assert.deepEqual(duplicateFields('{"spec":{"paused":true,"paused":false}}'), ['spec.paused']);
  assert.deepEqual(duplicateFields('{"a":[1,2,{"b":1}],"b":{"a":1}}'), []);
});

test('keys are compared decoded, and values with escapes or brackets are skipped', () => {
  assert.deepEqual(duplicateFields('{"a":1,"\\u0061":2}'), ['a']);
  assert.deepEqual(duplicateFields('{"s":"{\\"x\\":1,\\"x\\":2}","t":"\\\\"}'), []);
});

test('no recursion and no per-character string building: deep and large documents pass', () => {
  assert.deepEqual(duplicateFields(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`), []);
  const big = `{"v":"${'x'.repeat(3_000_000)}","k":${JSON.stringify(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])))}}`;
  assert.deepEqual(duplicateFields(big), []);
});
