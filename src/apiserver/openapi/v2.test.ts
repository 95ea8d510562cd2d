import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFINITIONS } from '../../api/schema/index.ts';
import { RESOURCES } from '../../api/scheme.ts';
import { FAKE_DEFINITIONS, FAKE_RESOURCES } from './fake-registry.ts';
import { encodeSwaggerDocument } from './gnostic-v2.ts';
import { bytesOf, stringOf } from './protobuf-reader.ts';
import { buildV2Document, openapiV2Document, openapiV2Protobuf } from './v2.ts';

type Json = { [k: string]: any };

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function assertRefsResolve(doc: Json): void {
  for (const ref of refs(doc)) {
    assert.match(ref, /^#\/definitions\//);
    assert.ok(Object.hasOwn(doc.definitions, ref.slice('#/definitions/'.length)), `${ref} resolves`);
  }
}

describe('OpenAPI v2 from a fake registry', () => {
  const doc: Json = buildV2Document(FAKE_RESOURCES, FAKE_DEFINITIONS);

  it('is a Swagger 2.0 document with every definition', () => {
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.33.0' });
    assert.deepEqual(Object.keys(doc.definitions), Object.keys(FAKE_DEFINITIONS).sort());
    assertRefsResolve(doc);
  });

  it('keeps a description beside $ref instead of wrapping it', () => {
    const widget = doc.definitions['io.k8s.api.core.v1.Widget'];
    assert.deepEqual(widget.properties.spec, { $ref: '#/definitions/io.k8s.api.core.v1.WidgetSpec', description: 'The desired state.' });
    assert.deepEqual(doc.definitions['io.k8s.api.core.v1.WidgetSpec'].properties.extra, { description: 'Points nowhere.' });
  });

  it('gives patch operations the GVK, the patch content types and the validation parameters', () => {
    const patch = doc.paths['/api/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Widget', version: 'v1' });
    assert.deepEqual(patch.consumes, ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    assert.deepEqual(patch.parameters.map((p: Json) => `${p.in}:${p.name}`), ['body:body', 'query:dryRun', 'query:fieldManager', 'query:fieldValidation', 'query:force']);
    assert.equal(patch.parameters[0].schema.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    assert.equal(patch.responses['200'].schema.$ref, '#/definitions/io.k8s.api.core.v1.Widget');
    const list = doc.paths['/api/v1/widgets'].get;
    assert.equal(list['x-kubernetes-action'], 'list');
    assert.equal(list.operationId, 'listCoreV1WidgetForAllNamespaces');
    assert.equal(doc.paths['/apis/fruit.example.com/v1/apples/{name}'].get.operationId, 'readFruitExampleComV1Apple');
  });
});

describe('OpenAPI v2 for the built-in registry', () => {
  const doc = openapiV2Document() as Json;

  it('covers every resource and every definition, with resolvable refs', () => {
    assert.equal(Object.keys(doc.definitions).length, Object.keys(DEFINITIONS).length);
    assertRefsResolve(doc);
    for (const r of RESOURCES) {
      const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const path = `${base}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
      assert.ok(doc.paths[path] ?? doc.paths[`${path}/{name}`], path);
    }
  });

  it('encodes to gnostic protobuf with the version at field 1 and the definitions at field 9', () => {
    const buf = openapiV2Protobuf();
    assert.equal(stringOf(buf, 1), '2.0');
    const defs = bytesOf(bytesOf(buf, 9)[0]!, 1).map((named) => stringOf(named, 1));
    assert.deepEqual(defs, Object.keys(doc.definitions));
    const paths = bytesOf(bytesOf(buf, 8)[0]!, 2).map((named) => stringOf(named, 1));
    assert.deepEqual(paths, Object.keys(doc.paths));
  });

  it('is deterministic and cached', () => {
    assert.ok(encodeSwaggerDocument(JSON.parse(JSON.stringify(doc))).equals(openapiV2Protobuf()));
    assert.equal(openapiV2Protobuf(), openapiV2Protobuf());
  });
});
