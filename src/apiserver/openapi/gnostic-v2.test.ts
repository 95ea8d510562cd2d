import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeSwaggerDocument } from './gnostic-v2.ts';
import { bytesOf, readFields, stringOf, varintOf } from './protobuf-reader.ts';

const DOC = {
  swagger: '2.0',
  info: { title: 'Kubernetes', version: 'v1.33.0' },
  paths: {
    '/api/v1/namespaces/{namespace}/pods/{name}': {
      patch: {
        description: 'partially update',
        consumes: ['application/merge-patch+json'],
        produces: ['application/json'],
        tags: ['core_v1'],
        operationId: 'patchCoreV1NamespacedPod',
        parameters: [
          { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } },
          { name: 'fieldValidation', in: 'query', description: 'how', type: 'string', uniqueItems: true },
        ],
        responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.Pod' } } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: '', kind: 'Pod', version: 'v1' },
      },
      parameters: [{ name: 'name', in: 'path', required: true, type: 'string', uniqueItems: true }],
    },
  },
  definitions: {
    'io.k8s.api.core.v1.Pod': {
      type: 'object',
      description: 'A pod.',
      properties: {
        metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', description: 'meta' },
        labels: { type: 'object', additionalProperties: { type: 'string', default: '' } },
        any: { type: 'object', additionalProperties: false },
        empty: { type: 'object', properties: {} },
        ports: { type: 'array', items: { type: 'integer', format: 'int32', minimum: 1, maximum: 65535 }, 'x-kubernetes-list-type': 'set' },
        phase: { type: 'string', enum: ['Pending', 'Running'] },
      },
      required: ['spec'],
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Pod', version: 'v1' }],
    },
  },
  securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'tok' } },
  security: [{ BearerToken: [] }],
};

const one = (buf: Buffer, field: number): Buffer => {
  const b = bytesOf(buf, field);
  assert.equal(b.length, 1, `field ${field} once`);
  return b[0]!;
};
const yamlOf = (namedAny: Buffer): [string, string] => [stringOf(namedAny, 1)!, stringOf(one(namedAny, 2), 2)!];

describe('encodeSwaggerDocument (gnostic openapi.v2.Document)', () => {
  const buf = encodeSwaggerDocument(DOC);

  it('puts the document fields at their proto numbers', () => {
    assert.equal(stringOf(buf, 1), '2.0');
    const info = one(buf, 2);
    assert.equal(stringOf(info, 1), 'Kubernetes');
    assert.equal(stringOf(info, 2), 'v1.33.0');
    assert.deepEqual(readFields(buf).map((f) => f.field), [1, 2, 8, 9, 12, 13]);
  });

  it('encodes paths, operations, parameters and vendor extensions', () => {
    const named = one(one(buf, 8), 2); // Paths.path → NamedPathItem
    assert.equal(stringOf(named, 1), '/api/v1/namespaces/{namespace}/pods/{name}');
    const item = one(named, 2);
    const patch = one(item, 8); // PathItem.patch
    assert.deepEqual(bytesOf(patch, 1).map(String), ['core_v1']);
    assert.equal(stringOf(patch, 3), 'partially update');
    assert.equal(stringOf(patch, 5), 'patchCoreV1NamespacedPod');
    assert.deepEqual(bytesOf(patch, 6).map(String), ['application/json']);
    assert.deepEqual(bytesOf(patch, 7).map(String), ['application/merge-patch+json']);
    const [bodyItem, queryItem] = bytesOf(patch, 8); // ParametersItem
    const body = one(one(bodyItem!, 1), 1); // Parameter.body_parameter
    assert.equal(stringOf(body, 2), 'body');
    assert.equal(stringOf(body, 3), 'body');
    assert.equal(varintOf(body, 4), 1n);
    assert.equal(stringOf(one(body, 5), 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    const query = one(one(one(queryItem!, 1), 2), 3); // non_body_parameter → query_parameter_sub_schema
    assert.equal(stringOf(query, 2), 'query');
    assert.equal(stringOf(query, 3), 'how');
    assert.equal(stringOf(query, 4), 'fieldValidation');
    assert.equal(stringOf(query, 6), 'string');
    assert.equal(varintOf(query, 20), 1n);
    const ext = bytesOf(patch, 13).map(yamlOf);
    assert.deepEqual(ext.map(([k]) => k), ['x-kubernetes-action', 'x-kubernetes-group-version-kind']);
    assert.deepEqual(JSON.parse(ext[1]![1]), { group: '', kind: 'Pod', version: 'v1' });
    const resp = one(one(one(one(patch, 9), 1), 2), 1); // Responses → NamedResponseValue → ResponseValue → Response
    assert.equal(stringOf(resp, 1), 'OK');
    assert.equal(stringOf(one(one(resp, 2), 1), 1), '#/definitions/io.k8s.api.core.v1.Pod');
    const pathParam = one(one(one(one(item, 9), 1), 2), 4); // path_parameter_sub_schema
    assert.equal(stringOf(pathParam, 4), 'name');
    assert.equal(stringOf(pathParam, 5), 'string');
    assert.equal(varintOf(pathParam, 1), 1n);
    assert.equal(varintOf(pathParam, 19), 1n);
  });

  it('encodes definitions as NamedSchema with the Schema field numbers', () => {
    const named = one(one(buf, 9), 1);
    assert.equal(stringOf(named, 1), 'io.k8s.api.core.v1.Pod');
    const pod = one(named, 2);
    assert.equal(stringOf(pod, 4), 'A pod.');
    assert.deepEqual(bytesOf(one(pod, 22), 1).map(String), ['object']);
    assert.deepEqual(bytesOf(pod, 19).map(String), ['spec']);
    const [k, v] = yamlOf(one(pod, 31));
    assert.equal(k, 'x-kubernetes-group-version-kind');
    assert.deepEqual(JSON.parse(v), [{ group: '', kind: 'Pod', version: 'v1' }]);
    const props = new Map(bytesOf(one(pod, 25), 1).map((p) => [stringOf(p, 1)!, one(p, 2)]));
    assert.deepEqual([...props.keys()], ['metadata', 'labels', 'any', 'empty', 'ports', 'phase']);
    assert.equal(stringOf(props.get('metadata')!, 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.equal(stringOf(props.get('metadata')!, 4), 'meta');
    const labelsValue = one(one(props.get('labels')!, 21), 1);
    assert.equal(stringOf(one(labelsValue, 5), 2), '""\n');
    assert.deepEqual(readFields(one(props.get('any')!, 21)), [{ field: 2, wire: 0, value: 0n }]);
    assert.equal(one(props.get('empty')!, 25).length, 0, 'empty properties are present');
    const item = one(one(props.get('ports')!, 23), 1);
    assert.equal(stringOf(item, 2), 'int32');
    assert.equal(one(item, 7).readDoubleLE(), 65535);
    assert.equal(one(item, 9).readDoubleLE(), 1);
    assert.deepEqual(bytesOf(props.get('phase')!, 20).map((a) => JSON.parse(stringOf(a, 2)!)), ['Pending', 'Running']);
  });

  it('encodes security definitions and requirements', () => {
    const item = one(one(one(buf, 13), 1), 2);
    const apiKey = one(item, 2);
    assert.deepEqual([1, 2, 3, 4].map((f) => stringOf(apiKey, f)), ['apiKey', 'authorization', 'header', 'tok']);
    const req = one(one(buf, 12), 1);
    assert.equal(stringOf(req, 1), 'BearerToken');
  });

  it('is deterministic', () => {
    assert.ok(encodeSwaggerDocument(structuredClone(DOC)).equals(buf));
  });
});
