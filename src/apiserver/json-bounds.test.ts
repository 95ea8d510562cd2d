import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../api/errors.ts';
import { checkJsonDepth, checkValueBounds, jsonDepth, MAX_NESTING_DEPTH, parseJsonBounded } from './json-bounds.ts';

const badRequestMatching = (re: RegExp) => (err: unknown): boolean =>
  isStatusError(err) && err.code === 400 && err.reason === 'BadRequest' && re.test(err.message);

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

test('jsonDepth counts arrays and objects, not brackets inside strings', () => {
  assert.equal(jsonDepth('1'), 0);
  assert.equal(jsonDepth('{"a":[{"b":"[[[{{{"}]}'), 3);
  assert.equal(jsonDepth('{"a\\"[[[":"\\\\"}'), 1);
  assert.equal(jsonDepth(Buffer.from('{"ü":["[ä"]}')), 2);
  assert.equal(jsonDepth(nested(100_000)), 100_000);
});

test('checkJsonDepth refuses text deeper than the cap with a 400, and accepts the cap itself', () => {
  assert.doesNotThrow(() => checkJsonDepth(nested(MAX_NESTING_DEPTH)));
  assert.throws(() => checkJsonDepth(nested(MAX_NESTING_DEPTH + 1)), badRequestMatching(/nested too deeply: more than 500 levels/));
  assert.throws(() => checkJsonDepth('{"a":'.repeat(1_000_000), 'the patch'), badRequestMatching(/^the patch is nested too deeply/));
});

test('parseJsonBounded parses, and answers 400 for bad or deep JSON with a bounded message', () => {
  assert.deepEqual(parseJsonBounded('{"a":[1]}'), { a: [1] });
  assert.throws(() => parseJsonBounded('{"a":'), badRequestMatching(/^the request body is not valid JSON: /));
  assert.throws(() => parseJsonBounded(`"${'x'.repeat(1_000_000)}`), (err: unknown) => isStatusError(err) && err.message.length < 400);
  assert.throws(() => parseJsonBounded(nested(10_000)), badRequestMatching(/nested too deeply/));
});

test('checkValueBounds walks any depth without recursion and counts shared values each time', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.throws(() => checkValueBounds(deep), badRequestMatching(/nested too deeply/));
  assert.doesNotThrow(() => checkValueBounds({ a: { b: [1, 2] } }));
  const shared = Array.from({ length: 1000 }, (_, i) => i);
  const fanOut = Array.from({ length: 100 }, () => shared);
  assert.doesNotThrow(() => checkValueBounds(fanOut, 'x', { maxNodes: 100_100 }));
  assert.throws(() => checkValueBounds(fanOut, 'x', { maxNodes: 100_000 }), badRequestMatching(/^x expands to too many values/));
});
