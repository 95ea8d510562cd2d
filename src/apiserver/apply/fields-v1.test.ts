import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NESTING_DEPTH } from '../json-bounds.ts';
import { FieldSet } from './field-set.ts';
import { fieldSetToFieldsV1, fieldsV1ToFieldSet } from './fields-v1.ts';
import { fieldSetOf } from './field-set-of.ts';
import {
  describePath, fieldElement as f, keyElement, parsePathElement, serializePathElement, valueElement, indexElement,
} from './path-element.ts';
import { DEPLOYMENT, testLookup } from './test-schemas.ts';

const DEPLOYMENT_FIELDS = '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}';

test('fieldsV1 round trips byte for byte', () => {
  const parsed = fieldsV1ToFieldSet(JSON.parse(DEPLOYMENT_FIELDS));
  assert.equal(JSON.stringify(fieldSetToFieldsV1(parsed)), DEPLOYMENT_FIELDS);
  const web = keyElement([['name', 'web']]);
  assert.ok(parsed.has([f('metadata'), f('labels')]));
  assert.ok(parsed.has([f('metadata'), f('labels'), f('app')]));
  assert.ok(!parsed.has([f('metadata')]));
  assert.ok(parsed.has([f('spec'), f('template'), f('spec'), f('containers'), web]));
  assert.ok(parsed.has([f('spec'), f('template'), f('spec'), f('containers'), web, f('image')]));
});

test('fieldSetOf a Deployment gives upstream apply shape', () => {
  const set = fieldSetOf({
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, resourceVersion: '5', uid: 'u1' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
    },
  }, DEPLOYMENT, testLookup);
  assert.equal(JSON.stringify(fieldSetToFieldsV1(set)),
    '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},'
    + '"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:name":{},'
    + '"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}}}');
});

test('path elements serialize, parse and order as upstream', () => {
  const k = keyElement([['protocol', 'TCP'], ['containerPort', 80]]);
  assert.equal(serializePathElement(k), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.deepEqual(parsePathElement('k:{"protocol":"TCP","containerPort":80}'), k);
  assert.equal(serializePathElement(valueElement('a<b')), 'v:"a\\u003cb"');
  assert.equal(serializePathElement(indexElement(3)), 'i:3');
  assert.throws(() => parsePathElement('x'), /key must be 2 characters long/);
  assert.throws(() => parsePathElement('fx'), /missing colon: fx/);
  assert.equal(describePath([f('spec'), f('containers'), keyElement([['name', 'web']]), f('image')]), '.spec.containers[name="web"].image');
  assert.equal(describePath([f('metadata'), f('finalizers'), valueElement('x')]), '.metadata.finalizers[="x"]');
  // fields before keys before values before indexes; numbers before strings
  const set = FieldSet.of([indexElement(0)], [valueElement('a')], [valueElement(2)], [keyElement([['a', 1]])], [f('z')]);
  assert.deepEqual(Object.keys(fieldSetToFieldsV1(set)), ['f:z', 'k:{"a":1}', 'v:2', 'v:"a"', 'i:0']);
});

test('fieldsV1 parsing skips unknown element types and rejects malformed keys', () => {
  const set = fieldsV1ToFieldSet({ 'f:a': {}, 'z:b': {}, 'f:c': { '.': {}, 'f:d': {} } });
  assert.equal(JSON.stringify(fieldSetToFieldsV1(set)), '{"f:a":{},"f:c":{".":{},"f:d":{}}}');
  assert.throws(() => fieldsV1ToFieldSet({ 'k:notjson': {} }), /parsing key as path element/);
  assert.throws(() => fieldsV1ToFieldSet({ 'f:a': 1 }), /ReadMapCB/);
});

test('set algebra keeps children non-empty', () => {
  const a = FieldSet.of([f('a'), f('b')], [f('a'), f('c')], [f('d')]);
  const b = FieldSet.of([f('a'), f('b')], [f('a'), f('c')]);
  assert.equal(JSON.stringify(fieldSetToFieldsV1(a.difference(b))), '{"f:d":{}}');
  assert.equal(JSON.stringify(fieldSetToFieldsV1(a.intersection(b))), '{"f:a":{"f:b":{},"f:c":{}}}');
  assert.equal(JSON.stringify(fieldSetToFieldsV1(a.recursiveDifference(FieldSet.of([f('a')])))), '{"f:d":{}}');
  assert.ok(a.union(b).equals(a));
});

test('fieldsV1 nested deeper than a request body may is a decode error', () => {
  let deep: Record<string, unknown> = {};
  for (let i = 0; i <= MAX_NESTING_DEPTH; i++) deep = { 'f:a': deep };
  assert.throws(() => fieldsV1ToFieldSet(deep), /nested deeper than/);
});
