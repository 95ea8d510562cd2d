import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../../../api/types/apiextensions-v1.ts';
import { validateRuleDefinitions, validateRules } from './cel-rules.ts';

const SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.minReplicas <= self.replicas', message: 'replicas should be greater than or equal to minReplicas' },
        { rule: 'self.replicas <= 100', messageExpression: "'replicas ' + string(self.replicas) + ' is over 100'" },
        { rule: "!has(self.forbidden)", reason: 'FieldValueForbidden', fieldPath: '.forbidden', message: 'must not be set' },
      ],
      properties: {
        replicas: { type: 'integer' },
        minReplicas: { type: 'integer' },
        forbidden: { type: 'string' },
        mode: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }] },
        ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self < 1.5' }] },
      },
    },
  },
};

const run = (obj: unknown, old?: unknown): string[] => validateRules(SCHEMA, obj, old).map((e) => `${e.field}: ${e.type}: ${e.detail}${e.badValue !== undefined ? ` (${String(e.badValue)})` : ''}`);

test('rules hold: no errors', () => {
  assert.deepEqual(run({ spec: { replicas: 3, minReplicas: 1, mode: 'a', ratio: 1 } }), []);
});

test('failed rules: message, messageExpression, reason and fieldPath; the bad value is the node type', () => {
  assert.deepEqual(run({ spec: { replicas: 1, minReplicas: 2 } }), ['spec: FieldValueInvalid: replicas should be greater than or equal to minReplicas (object)']);
  assert.deepEqual(run({ spec: { replicas: 101, minReplicas: 2 } }), ['spec: FieldValueInvalid: replicas 101 is over 100 (object)']);
  assert.deepEqual(run({ spec: { replicas: 1, minReplicas: 0, forbidden: 'x' } }), ['spec.forbidden: FieldValueForbidden: must not be set']);
  assert.deepEqual(run({ spec: { replicas: 1, minReplicas: 0, ratio: 2 } }), ['spec.ratio: FieldValueInvalid: failed rule: self < 1.5 (number)']);
});

test('transition rules see oldSelf on update only', () => {
  assert.deepEqual(run({ spec: { replicas: 1, minReplicas: 0, mode: 'a' } }), []);
  assert.deepEqual(run({ spec: { replicas: 1, minReplicas: 0, mode: 'b' } }, { spec: { replicas: 1, minReplicas: 0, mode: 'a' } }), ['spec.mode: FieldValueInvalid: mode is immutable (string)']);
});

test('rules that do not compile are refused when the CRD is written', () => {
  const errs = validateRuleDefinitions({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >' }, { rule: '' }] }, 'spec.versions[0].schema.openAPIV3Schema');
  assert.equal(errs.length, 2);
  assert.equal(errs[0]!.field, 'spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule');
  assert.match(errs[0]!.detail, /^compilation failed: ERROR: <input>:1:/);
  assert.equal(errs[1]!.type, 'FieldValueRequired');
});
