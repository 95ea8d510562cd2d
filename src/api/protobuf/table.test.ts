import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkTables } from './table.ts';

test('rows parse into field definitions, across packages', () => {
  const defs = linkTables([
    { proto: 'x.a', alias: 'a', messages: { Outer: ['1 name *string', '2 items b.Inner[]', '3 labels {string}', '4 ...part Part', '5 when Time'], Part: ['1 size int64'] } },
    { proto: 'x.b', alias: 'b', messages: { Inner: ['1 value bytes'] } },
  ]);
  const outer = defs.get('a.Outer')!;
  assert.equal(outer.fullName, 'x.a.Outer');
  assert.deepEqual({ ...outer.fields.get(1)!, type: undefined }, { no: 1, json: 'name', keep: true, inline: false, cardinality: 'single', type: undefined });
  assert.equal(outer.fields.get(2)!.cardinality, 'repeated');
  const items = outer.fields.get(2)!.type;
  assert.equal(items.kind === 'message' ? items.message.fullName : '', 'x.b.Inner');
  assert.equal(outer.fields.get(3)!.cardinality, 'map');
  assert.equal(outer.fields.get(4)!.inline, true);
  assert.deepEqual(outer.fields.get(5)!.type, { kind: 'wellKnown', name: 'Time' });
});

test('malformed rows, dangling references and duplicate numbers are rejected', () => {
  const one = (rows: string[]) => () => linkTables([{ proto: 'x.a', alias: 'a', messages: { M: rows } }]);
  assert.throws(one(['1 name']), /malformed wire table row "1 name" in x\.a\.M/);
  assert.throws(one(['1 other Missing']), /malformed/);
  assert.throws(one(['1 bad {string}[]']), /malformed/);
  assert.throws(one(['1 ...inline string']), /malformed/);
  assert.throws(one(['1 a string', '1 b string']), /duplicate field 1 in x\.a\.M/);
});
