import assert from 'node:assert/strict';
import { test } from 'node:test';
import { add, format, milliValue, parse, quantity, roundUpToUnit } from './quantity.ts';

test('quantities print in canonical form, as resource.Quantity.String does', () => {
  const cases: Array<[string, string]> = [
    ['0', '0'], ['3', '3'], ['500m', '500m'], ['0.5', '500m'], ['1000m', '1'], ['1500m', '1500m'], ['12000', '12k'],
    ['100Mi', '100Mi'], ['1024Mi', '1Gi'], ['1536Mi', '1536Mi'], ['0.5Gi', '512Mi'], ['512', '512'], ['1e3', '1e3'], ['100M', '100M'],
    ['1.5Ki', '1536'], ['1n', '1n'], ['2.5', '2500m'],
  ];
  for (const [input, want] of cases) assert.equal(format(parse(input)), want, input);
});

test('a sum keeps the first non-zero operand\'s format (Quantity.Add)', () => {
  assert.equal(format(add(parse('100Mi'), parse('100Mi'))), '200Mi');
  assert.equal(format(add(quantity(0), parse('64Mi'))), '64Mi');
  assert.equal(format(add(parse('100Mi'), parse('1G'))), '1104857600');
  assert.equal(format(add(parse('250m'), parse('750m'))), '1');
  assert.equal(format(add(parse('3'), quantity(1))), '4');
});

test('milli values round up and storage rounds up to whole units', () => {
  assert.equal(milliValue(parse('1n')), 1n);
  assert.equal(milliValue(parse('1.5')), 1500n);
  assert.equal(format(roundUpToUnit(parse('1500m'))), '2');
  assert.throws(() => parse('abc'));
});
