import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { FieldPathError } from './errors.ts';
import { extractFieldPathAsString, formatMap, podFieldValue } from './fieldpath.ts';
import { goQuote } from './go-quote.ts';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { b: '2', a: '1' }, annotations: { 'example.com/x': 'say "hi"\n' } },
  spec: { containers: [], nodeName: 'node-a', serviceAccountName: 'sa' },
};

test('metadata paths and subscripts', () => {
  assert.equal(extractFieldPathAsString(pod, 'metadata.name'), 'p');
  assert.equal(extractFieldPathAsString(pod, 'metadata.namespace'), 'ns');
  assert.equal(extractFieldPathAsString(pod, 'metadata.uid'), 'u-1');
  assert.equal(extractFieldPathAsString(pod, 'metadata.labels'), 'a="1"\nb="2"');
  assert.equal(extractFieldPathAsString(pod, 'metadata.annotations'), 'example.com/x="say \\"hi\\"\\n"');
  assert.equal(extractFieldPathAsString(pod, "metadata.labels['b']"), '2');
  assert.equal(extractFieldPathAsString(pod, "metadata.labels['missing']"), '');
  assert.equal(extractFieldPathAsString(pod, "metadata.annotations['example.com/x']"), 'say "hi"\n');
});

test('unsupported paths fail with upstream messages', () => {
  assert.throws(() => extractFieldPathAsString(pod, 'spec.nodeName'), { message: 'unsupported fieldPath: spec.nodeName' });
  assert.throws(() => extractFieldPathAsString(pod, "metadata.name['x']"), { message: `fieldPath "metadata.name['x']" does not support subscript` });
  assert.throws(() => extractFieldPathAsString(pod, "metadata.labels['-bad-']"), (e) => e instanceof FieldPathError && e.message.startsWith("invalid key subscript in metadata.labels['-bad-']: "));
});

test('DownwardAPI, environment for name, namespace and ip: spec and status paths', () => {
  const facts = { hostIPs: ['192.168.1.5', 'fd00::5'], podIPs: ['10.42.0.7', 'fd01::7'] };
  assert.equal(podFieldValue(pod, 'spec.nodeName', facts), 'node-a');
  assert.equal(podFieldValue(pod, 'spec.serviceAccountName', facts), 'sa');
  assert.equal(podFieldValue(pod, 'status.hostIP', facts), '192.168.1.5');
  assert.equal(podFieldValue(pod, 'status.hostIPs', facts), '192.168.1.5,fd00::5');
  assert.equal(podFieldValue(pod, 'status.podIP', facts), '10.42.0.7');
  assert.equal(podFieldValue(pod, 'status.podIPs', facts), '10.42.0.7,fd01::7');
  assert.equal(podFieldValue(pod, 'metadata.name', facts), 'p');
});

test('Go %q quoting', () => {
  assert.equal(goQuote('plain'), '"plain"');
  assert.equal(goQuote('tab\there\\'), '"tab\\there\\\\"');
  assert.equal(goQuote('\x01\x7f'), '"\\x01\\x7f"');
  assert.equal(goQuote('héllo 世界'), '"héllo 世界"');
  assert.equal(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
  assert.equal(formatMap(undefined), '');
});
