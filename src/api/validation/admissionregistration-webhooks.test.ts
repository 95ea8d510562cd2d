import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { validateMutatingWebhookConfiguration, validateValidatingWebhookConfiguration } from './admissionregistration-webhooks.ts';

const base = {
  name: 'a.example.com', clientConfig: { url: 'https://hook.example.com/x' }, sideEffects: 'None', admissionReviewVersions: ['v1'],
  rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
};
const cfg = (...webhooks: Array<Record<string, unknown>>): KubeObject => ({ metadata: { name: 'c' }, webhooks });
const msgs = (o: KubeObject, mutating = true): string[] => (mutating ? validateMutatingWebhookConfiguration(o) : validateValidatingWebhookConfiguration(o)).map((e) => `${e.field}: ${e.detail}`);

test('a well-formed configuration passes', () => {
  assert.deepEqual(msgs(cfg(base, { ...base, name: 'b.example.com', clientConfig: { service: { namespace: 'ns', name: 'svc', path: '/mutate', port: 8443 } }, matchConditions: [{ name: 'not-kube-system', expression: "request.namespace != 'kube-system'" }] })), []);
});

test('webhook fields are checked as upstream checks them', () => {
  assert.deepEqual(msgs(cfg({ ...base, name: 'short', sideEffects: 'Some', timeoutSeconds: 0, admissionReviewVersions: [], reinvocationPolicy: 'Always', failurePolicy: 'Maybe', matchPolicy: 'Loose' })), [
    'webhooks[0].name: should be a domain with at least three segments separated by dots',
    'webhooks[0].failurePolicy: supported values: "Fail", "Ignore"',
    'webhooks[0].matchPolicy: supported values: "Equivalent", "Exact"',
    'webhooks[0].sideEffects: supported values: "None", "NoneOnDryRun"',
    'webhooks[0].timeoutSeconds: the timeout value must be between 1 and 30 seconds',
    'webhooks[0].reinvocationPolicy: supported values: "IfNeeded", "Never"',
    'webhooks[0].admissionReviewVersions: must specify one of v1, v1beta1',
  ]);
  assert.deepEqual(msgs(cfg({ ...base, sideEffects: undefined, clientConfig: {} })), [
    'webhooks[0].sideEffects: must specify one of None, NoneOnDryRun',
    'webhooks[0].clientConfig: exactly one of url or service is required',
  ]);
  assert.deepEqual(msgs(cfg(base, base), false), ['webhooks[1].name: ']);
});

test('client config: https URLs without user info, query or fragment; service references', () => {
  assert.deepEqual(msgs(cfg({ ...base, clientConfig: { url: 'http://u:p@h/x?q=1#f' } })), [
    "webhooks[0].clientConfig.url: 'https' is the only allowed URL scheme; desired format: https://host[/path]",
    'webhooks[0].clientConfig.url: user information is not permitted in the URL',
    'webhooks[0].clientConfig.url: fragments are not permitted in the URL',
    'webhooks[0].clientConfig.url: query parameters are not permitted in the URL',
  ]);
  assert.deepEqual(msgs(cfg({ ...base, clientConfig: { service: { name: '', namespace: 'n', port: 70000, path: 'x//Y' } } })), [
    'webhooks[0].clientConfig.service.name: service name is required',
    'webhooks[0].clientConfig.service.port: port is not valid: must be between 1 and 65535, inclusive',
    "webhooks[0].clientConfig.service.path: must start with a '/'",
    // Upstream drops the first character whatever it is, then checks the segments.
    'webhooks[0].clientConfig.service.path: segment[0] may not be empty',
    'webhooks[0].clientConfig.service.path: segment[1] may not be empty',
    "webhooks[0].clientConfig.service.path: segment[2]: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
});

test('rules: wildcards exclusive, resources with subresources, scope', () => {
  assert.deepEqual(msgs(cfg({ ...base, rules: [{ operations: ['*', 'CREATE', 'PATCH'], apiGroups: ['*', 'apps'], apiVersions: [''], resources: ['*/*', 'pods/*', 'pods/status'], scope: 'Everywhere' }] })), [
    "webhooks[0].rules[0].operations: if '*' is present, must not specify other operations",
    'webhooks[0].rules[0].operations[2]: supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
    "webhooks[0].rules[0].apiGroups: if '*' is present, must not specify other API groups",
    'webhooks[0].rules[0].apiVersions[0]: ',
    "webhooks[0].rules[0].resources[1]: if '*/*' is present, must not specify pods/*",
    "webhooks[0].rules[0].resources[2]: if 'pods/*' is present, must not specify pods/status",
    "webhooks[0].rules[0].resources: if '*/*' is present, must not specify other resources",
    'webhooks[0].rules[0].scope: supported values: "*", "Cluster", "Namespaced"',
  ]);
});

test('matchConditions: names, duplicates and CEL compilation', () => {
  const out = msgs(cfg({ ...base, matchConditions: [{ name: 'a', expression: 'object.metadata.name ==' }, { name: 'a', expression: '' }, { name: 'b', expression: "'x'" }] }));
  assert.match(out[0]!, /^webhooks\[0\]\.matchConditions\[0\]\.expression: compilation failed: ERROR: <input>:1:\d+: Syntax error: /);
  assert.deepEqual(out.slice(1), ['webhooks[0].matchConditions[1].name: ', 'webhooks[0].matchConditions[1].expression: ', 'webhooks[0].matchConditions[2].expression: must evaluate to bool']);
});
