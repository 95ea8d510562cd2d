import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../../../api/types/apiextensions-v1.ts';
import { invalid } from '../../../api/errors.ts';
import { validateValue } from './validate.ts';
import { applySchemaDefaults } from './defaults.ts';
import { validateStructuralSchema } from './structural.ts';
import { customDefinitions } from './definition.ts';
import { pruneUnknownFields } from '../../../api/validation/unknown-fields.ts';
import { setCustomDefinitions } from '../../../api/schema/index.ts';

const CRONTAB: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object', required: ['cronSpec'],
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string', maxLength: 5 },
        replicas: { type: 'integer', format: 'int32', minimum: 1, maximum: 10, default: 1 },
        mode: { type: 'string', enum: ['a', 'b'] },
        ports: { type: 'array', maxItems: 2, items: { type: 'integer' }, 'x-kubernetes-list-type': 'set' },
        port: { 'x-kubernetes-int-or-string': true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        nested: { type: 'object', properties: { on: { type: 'boolean', default: true } } },
        either: { type: 'string', oneOf: [{ pattern: '^a' }, { pattern: 'z$' }] },
        ratio: { type: 'number', nullable: true, exclusiveMinimum: true, minimum: 0 },
      },
    },
  },
};

/** The message of the 422 the errors make, as the API answers it. */
function message(value: unknown): string {
  const errs = validateValue(CRONTAB, value, '');
  return errs.length ? invalid('CronTab', 'stable.example.com', 'x', errs).status.message ?? '' : '';
}

test('values that fit the schema pass', () => {
  assert.equal(message({ spec: { cronSpec: '* * * * */5', image: 'abc', replicas: 3, mode: 'a', ports: [1, 2], port: 'http', extra: { any: [1] }, either: 'ab', ratio: null } }), '');
  assert.equal(message({ spec: { cronSpec: '* * * * *', port: 80 } }), '');
});

test('upstream messages: pattern, maximum, type, enum, required, maxLength, maxItems, duplicates in a set', () => {
  assert.equal(message({ spec: { cronSpec: '* * * *', replicas: 15 } }),
    `CronTab.stable.example.com "x" is invalid: [spec.cronSpec: Invalid value: "* * * *": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$', spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10]`);
  assert.equal(message({ spec: { cronSpec: '* * * * *', replicas: 'x' } }),
    'CronTab.stable.example.com "x" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
  assert.equal(message({ spec: { cronSpec: '* * * * *', mode: 'c' } }), 'CronTab.stable.example.com "x" is invalid: spec.mode: Unsupported value: "c": supported values: "a", "b"');
  assert.equal(message({ spec: {} }), 'CronTab.stable.example.com "x" is invalid: spec.cronSpec: Required value');
  assert.equal(message({ spec: { cronSpec: '* * * * *', image: 'toolong' } }), 'CronTab.stable.example.com "x" is invalid: spec.image: Too long: may not be more than 5 bytes');
  assert.match(message({ spec: { cronSpec: '* * * * *', ports: [1, 2, 3] } }), /spec\.ports: Too many: must have at most 2 items/);
  assert.equal(message({ spec: { cronSpec: '* * * * *', ports: [1, 1] } }), 'CronTab.stable.example.com "x" is invalid: spec.ports[1]: Duplicate value: 1');
  assert.equal(message({ spec: { cronSpec: '* * * * *', replicas: 0 } }), 'CronTab.stable.example.com "x" is invalid: spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1');
  assert.equal(message({ spec: { cronSpec: '* * * * *', ratio: 0 } }), 'CronTab.stable.example.com "x" is invalid: spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0');
  assert.match(message({ spec: { cronSpec: '* * * * *', port: true } }), /spec\.port: Invalid value: "boolean": spec\.port in body must be of type integer,string: "boolean"/);
  assert.match(message({ spec: { cronSpec: '* * * * *', replicas: 2 ** 40 } }), /spec\.replicas in body must be of type int32/);
  assert.match(message({ spec: { cronSpec: '* * * * *', either: 'az' } }), /spec\.either in body must validate one and only one schema \(oneOf\)/);
  assert.match(message({ spec: { cronSpec: '* * * * *', image: null } }), /spec\.image: Invalid value: "null": spec\.image in body must be of type string: "null"/);
});

test('defaults fill absent fields at every depth, and replace nulls of non-nullable fields', () => {
  const obj: Record<string, any> = { spec: { cronSpec: '* * * * *', nested: {} } };
  applySchemaDefaults(CRONTAB, obj);
  assert.deepEqual(obj.spec, { cronSpec: '* * * * *', nested: { on: true }, replicas: 1 });
  const withNull: Record<string, any> = { spec: { replicas: null } };
  applySchemaDefaults(CRONTAB, withNull);
  assert.equal(withNull.spec.replicas, 1);
});

test('pruning through the registered definition: unknown fields go, preserved ones stay; embedded resources keep their type and metadata', () => {
  const schema: JSONSchemaProps = {
    type: 'object', properties: {
      spec: { type: 'object', properties: { a: { type: 'string' }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, empty: { type: 'object' },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } } } },
    },
  };
  setCustomDefinitions('prune-test', customDefinitions({ group: 'p.example.com', version: 'v1', kind: 'P' }, 'PList', schema));
  try {
    const obj = {
      apiVersion: 'p.example.com/v1', kind: 'P', metadata: { name: 'p' },
      spec: { a: 'x', b: 1, free: { anything: { goes: 1 } }, empty: { gone: 1 }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { x: 'y', z: 1 } } },
    };
    const unknown = pruneUnknownFields('com.example.p.v1.P', obj);
    assert.deepEqual(unknown.sort(), ['spec.b', 'spec.empty.gone', 'spec.template.spec.z']);
    assert.deepEqual(obj.spec, { a: 'x', free: { anything: { goes: 1 } }, empty: {}, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { x: 'y' } } });
  } finally {
    setCustomDefinitions('prune-test', {});
  }
});

test('structural schema rules, with upstream messages', () => {
  const p = 'spec.versions[0].schema.openAPIV3Schema';
  const errs = (s: JSONSchemaProps) => validateStructuralSchema(s, p).map((e) => `${e.field}: ${e.type}: ${e.detail}`);
  assert.deepEqual(errs(CRONTAB), []);
  assert.deepEqual(errs({ type: 'string' }), [`${p}.type: FieldValueInvalid: must be object at the root`]);
  assert.deepEqual(errs({ type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }),
    [`${p}.properties[spec].type: FieldValueRequired: must not be empty for specified object fields`]);
  assert.deepEqual(errs({ type: 'object', properties: { l: { type: 'array' } } }), [`${p}.properties[l].items: FieldValueRequired: must be specified`]);
  assert.deepEqual(errs({ type: 'object', properties: { m: { type: 'object', properties: {}, additionalProperties: { type: 'string' } } } }),
    [`${p}.properties[m].additionalProperties: FieldValueForbidden: additionalProperties and properties are mutual exclusive`]);
  assert.deepEqual(errs({ type: 'object', properties: { l: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } }, 'x-kubernetes-list-type': 'map' } } }),
    [`${p}.properties[l].x-kubernetes-list-map-keys: FieldValueRequired: must not be empty if x-kubernetes-list-type is map`]);
  assert.deepEqual(errs({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }),
    [`${p}.properties[metadata]: FieldValueForbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]);
  assert.deepEqual(errs({ type: 'object', properties: { s: { type: 'string', anyOf: [{ type: 'string' }] } } }),
    [`${p}.properties[s].anyOf[0].type: FieldValueForbidden: must be empty to be structural`]);
  assert.deepEqual(errs({ type: 'object', properties: { s: { type: 'array', items: { type: 'string' }, uniqueItems: true } } }),
    [`${p}.properties[s].uniqueItems: FieldValueForbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]);
});
