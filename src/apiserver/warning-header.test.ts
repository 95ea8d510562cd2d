import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateHeaderValue } from 'node:http';
import { MAX_WARNING_TOTAL, quoteAscii, warningHeaderValues } from './warning-header.ts';

test('quoteAscii escapes quotes, control characters and everything past ASCII', () => {
  assert.equal(quoteAscii('unknown field "spec.x"'), '"unknown field \\"spec.x\\""');
  assert.equal(quoteAscii('a\nb\\c\u0001'), '"a\\nb\\\\c\\u0001"');
  assert.equal(quoteAscii('ünïcødé 字 😀'), '"\\u00fcn\\u00efc\\u00f8d\\u00e9 \\u5b57 \\ud83d\\ude00"');
});

test('every header value is one node:http accepts', () => {
  for (const v of warningHeaderValues(['unknown field "spec.字段"', 'x\r\nSet-Cookie: a=b', '\u0000\u007f\u00ff'])) {
    assert.doesNotThrow(() => validateHeaderValue('Warning', v), v);
    assert.match(v, /^299 - "[\x20-\x7e]*"$/);
  }
});

test('warnings are capped: all while they fit in 4 KiB, else each cut to 256 characters', () => {
  assert.equal(warningHeaderValues(['a', 'b']).length, 2);
  const many = Array.from({ length: 10_000 }, (_, i) => `unknown field "f${i}"`);
  const out = warningHeaderValues(many);
  assert.ok(out.length > 10 && out.length < 500, String(out.length));
  const long = warningHeaderValues([`unknown field "${'x'.repeat(1_000_000)}"`]);
  assert.equal(long.length, 1);
  assert.ok(long[0]!.length < 300);
  assert.ok(out.join('').length < 2 * MAX_WARNING_TOTAL);
});
