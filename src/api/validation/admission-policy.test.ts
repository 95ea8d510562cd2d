import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalid } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { RESOURCES, type ResourceInfo } from '../scheme.ts';
import { applyDefaults } from '../defaults/index.ts';
import { validateCreate } from './index.ts';

const vap = RESOURCES.find((r) => r.resource === 'validatingadmissionpolicies') as ResourceInfo;
const vapb = RESOURCES.find((r) => r.resource === 'validatingadmissionpolicybindings') as ResourceInfo;

function policy(spec: Record<string, unknown>): KubeObject {
  const o = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p.example.com' },
    spec: { matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] }, ...spec },
  } as KubeObject;
  applyDefaults(vap, o);
  return o;
}

test('defaults: failurePolicy Fail, matchPolicy Equivalent, selectors, scope', () => {
  const o = policy({ validations: [{ expression: 'true' }] }) as KubeObject & { spec: Record<string, any> };
  assert.equal(o.spec.failurePolicy, 'Fail');
  assert.equal(o.spec.matchConstraints.matchPolicy, 'Equivalent');
  assert.deepEqual(o.spec.matchConstraints.namespaceSelector, {});
  assert.equal(o.spec.matchConstraints.resourceRules[0].scope, '*');
  assert.deepEqual(validateCreate(vap, o), []);
});

test('a policy whose expression does not compile is refused, naming the field', () => {
  const errs = validateCreate(vap, policy({ validations: [{ expression: 'object.spec.replicas <=' }] }));
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec.validations[0].expression');
  const status = invalid('ValidatingAdmissionPolicy', 'admissionregistration.k8s.io', 'p.example.com', errs);
  assert.match(status.message, /^ValidatingAdmissionPolicy\.admissionregistration\.k8s\.io "p\.example\.com" is invalid: spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <=": compilation failed: ERROR: <input>:1:24: Syntax error: /);
  // Undeclared references: params without a paramKind.
  assert.match(validateCreate(vap, policy({ validations: [{ expression: 'params.x == 1' }] }))[0]!.detail, /undeclared reference to 'params'/);
  assert.deepEqual(validateCreate(vap, policy({ paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'params.x == 1' }] })), []);
  assert.equal(validateCreate(vap, policy({ validations: [{ expression: '"x"' }] }))[0]!.detail, 'must evaluate to bool');
  assert.equal(validateCreate(vap, policy({ validations: [{ expression: 'true', messageExpression: '1 +' }] }))[0]!.field, 'spec.validations[0].messageExpression');
});

test('variables: references to undeclared (or later) variables do not compile; matchConditions have none', () => {
  const detail = (o: KubeObject): string[] => validateCreate(vap, o).map((e) => `${e.field}: ${e.detail}`);
  assert.deepEqual(detail(policy({ variables: [{ name: 'a', expression: '1' }, { name: 'b', expression: 'variables.a + 1' }], validations: [{ expression: 'variables.b > 0 && "variables.nope" != ""' }] })), []);
  assert.deepEqual(detail(policy({ variables: [{ name: 'a', expression: 'variables.b' }, { name: 'b', expression: '1' }], validations: [{ expression: 'variables.c > 0' }] })), [
    "spec.variables[0].expression: compilation failed: ERROR: <input>:1:11: undefined field 'b'\n | variables.b\n | ..........^",
    "spec.validations[0].expression: compilation failed: ERROR: <input>:1:11: undefined field 'c'\n | variables.c > 0\n | ..........^",
  ]);
  assert.match(detail(policy({ variables: [{ name: 'a', expression: '1' }], matchConditions: [{ name: 'm', expression: 'variables.a == 1' }], validations: [{ expression: 'true' }] }))[0]!, /^spec\.matchConditions\[0\]\.expression: .*undeclared reference to 'variables'/);
});

test('policy field checks', () => {
  const fields = (o: KubeObject): string[] => validateCreate(vap, o).map((e) => `${e.field} ${e.type}`);
  assert.deepEqual(fields(policy({})), ['spec.validations FieldValueRequired', 'spec.auditAnnotations FieldValueRequired']);
  assert.deepEqual(fields(policy({ failurePolicy: 'Maybe', validations: [{ expression: 'true', reason: 'Teapot', message: 'a\nb' }] })),
    ['spec.failurePolicy FieldValueNotSupported', 'spec.validations[0].message FieldValueInvalid', 'spec.validations[0].reason FieldValueNotSupported']);
  assert.deepEqual(fields(policy({ variables: [{ name: 'in', expression: '1' }], validations: [{ expression: 'true' }] })), ['spec.variables[0].name FieldValueInvalid']);
  const noRules = policy({ validations: [{ expression: 'true' }] }) as KubeObject & { spec: Record<string, any> };
  noRules.spec.matchConstraints.resourceRules = [];
  assert.deepEqual(fields(noRules), ['spec.matchConstraints.resourceRules FieldValueRequired']);
});

test('binding checks: policyName, validationActions, paramRef', () => {
  const b = (spec: Record<string, unknown>): string[] => validateCreate(vapb, { metadata: { name: 'b' }, spec }).map((e) => `${e.field} ${e.type}${e.detail ? `: ${e.detail}` : ''}`);
  assert.deepEqual(b({ policyName: 'p', validationActions: ['Deny'] }), []);
  assert.deepEqual(b({ validationActions: [] }), ['spec.policyName FieldValueRequired', 'spec.validationActions FieldValueRequired: at least one validation action is required']);
  assert.deepEqual(b({ policyName: 'p', validationActions: ['Deny', 'Warn'] }), ['spec.validationActions FieldValueInvalid: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)']);
  assert.deepEqual(b({ policyName: 'p', validationActions: ['Deny'], paramRef: {} }), ['spec.paramRef FieldValueRequired: one of name or selector must be specified', 'spec.paramRef.parameterNotFoundAction FieldValueRequired']);
  assert.deepEqual(b({ policyName: 'p', validationActions: ['Audit'], paramRef: { name: 'x', parameterNotFoundAction: 'Allow' } }), []);
});
