import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolParam, parseBool } from './query-params.ts';

test('booleans convert as apimachinery Convert_Slice_string_To_bool: only 0 and false (any case) are false', () => {
  // strconv.ParseBool's spellings, which other clients send (the Python client sends "True").
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseBool(v), true, v);
  for (const v of ['0', 'FALSE', 'false', 'False']) assert.equal(parseBool(v), false, v);
  // Upstream refuses nothing: anything else, even a bare key, is true.
  for (const v of ['yes', 'on', '', 'maybe', '2', ' false']) assert.equal(parseBool(v), true, JSON.stringify(v));
  // EqualFold: every casing of "false" is false; f/F are not "false".
  for (const v of ['fAlSe', 'falsE']) assert.equal(parseBool(v), false, v);
  for (const v of ['f', 'F', 'no', 'off']) assert.equal(parseBool(v), true, v);
});

test('boolParam: absent is undefined, present is converted, the first value wins', () => {
  const q = (s: string): URLSearchParams => new URLSearchParams(s);
  assert.equal(boolParam(q(''), 'watch'), undefined);
  assert.equal(boolParam(q('watch'), 'watch'), true);
  assert.equal(boolParam(q('watch='), 'watch'), true);
  assert.equal(boolParam(q('watch=True'), 'watch'), true);
  assert.equal(boolParam(q('watch=False'), 'watch'), false);
  assert.equal(boolParam(q('watch=0&watch=1'), 'watch'), false);
});
