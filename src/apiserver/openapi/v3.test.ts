import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEFINITIONS } from '../../api/schema/index.ts';
import { RESOURCES, REVIEW_RESOURCES } from '../../api/scheme.ts';
import { FAKE_DEFINITIONS, FAKE_RESOURCES } from './fake-registry.ts';
import { PATCH_CONTENT_TYPES } from './operations.ts';
import { buildV3Documents, openapiV3Document, openapiV3Index, serializeV3, v3Key } from './v3.ts';

type Json = { [k: string]: any };

/** Every `$ref` in a document, with the path where it was found. */
function refs(node: unknown, at = '', out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(node)) node.forEach((n, i) => refs(n, `${at}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push([at, v]);
      else refs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

function assertRefsResolve(doc: Json): void {
  const schemas = doc.components.schemas as Json;
  for (const [at, ref] of refs(doc)) {
    assert.match(ref, /^#\/components\/schemas\//, at);
    assert.ok(Object.hasOwn(schemas, ref.slice('#/components/schemas/'.length)), `${at}: ${ref} resolves`);
  }
}

describe('OpenAPI v3 documents from a fake registry', () => {
  const docs = buildV3Documents(FAKE_RESOURCES, FAKE_DEFINITIONS);
  const core = docs.get('api/v1') as Json;

  it('has one document per group-version', () => {
    assert.deepEqual([...docs.keys()], ['api/v1', 'apis/fruit.example.com/v1']);
    assert.equal(core.openapi, '3.0.0');
    assert.deepEqual(core.info, { title: 'Kubernetes', version: 'v1.33.0' });
  });

  it('describes collection, item and subresource paths', () => {
    assert.deepEqual(Object.keys(core.paths), [
      '/api/v1/namespaces/{namespace}/widgets',
      '/api/v1/namespaces/{namespace}/widgets/{name}',
      '/api/v1/namespaces/{namespace}/widgets/{name}/scale',
      '/api/v1/namespaces/{namespace}/widgets/{name}/status',
      '/api/v1/widgets',
    ]);
    const coll = core.paths['/api/v1/namespaces/{namespace}/widgets'];
    assert.deepEqual(Object.keys(coll).filter((k) => k !== 'parameters'), ['get', 'post', 'delete']);
    assert.deepEqual(['get', 'post', 'delete'].map((m) => coll[m]['x-kubernetes-action']), ['list', 'post', 'deletecollection']);
    assert.equal(coll.get.operationId, 'listCoreV1NamespacedWidget');
    assert.equal(coll.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.WidgetList');
    const item = core.paths['/api/v1/namespaces/{namespace}/widgets/{name}'];
    assert.deepEqual(Object.keys(item), ['get', 'put', 'delete', 'patch', 'parameters']);
    assert.deepEqual(item.parameters.map((p: Json) => `${p.in}:${p.name}`), ['path:name', 'path:namespace', 'query:pretty']);
    for (const m of ['get', 'put', 'delete', 'patch']) {
      assert.deepEqual(item[m]['x-kubernetes-group-version-kind'], { group: '', kind: 'Widget', version: 'v1' });
    }
    assert.deepEqual(core.paths['/api/v1/namespaces/{namespace}/widgets/{name}/scale'].patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  });

  it('lets kubectl hand validation to the server through the patch operation', () => {
    const patch = core.paths['/api/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(Object.keys(patch.requestBody.content), PATCH_CONTENT_TYPES);
    assert.equal(patch.requestBody.content['application/apply-patch+yaml'].schema.$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    assert.deepEqual(patch.parameters.map((p: Json) => p.name), ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    assert.ok(patch.parameters.every((p: Json) => p.in === 'query'));
  });

  it('carries the closure of the kinds and bodies, with wrapped and dangling refs handled', () => {
    const schemas = core.components.schemas;
    assert.deepEqual(Object.keys(schemas), [
      'io.k8s.api.core.v1.Part', 'io.k8s.api.core.v1.Widget', 'io.k8s.api.core.v1.WidgetList', 'io.k8s.api.core.v1.WidgetSpec',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Patch', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
    ]);
    assert.deepEqual(schemas['io.k8s.api.core.v1.Widget']['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Widget' }]);
    assert.deepEqual(schemas['io.k8s.api.core.v1.Widget'].properties.spec, { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.WidgetSpec' }], description: 'The desired state.' });
    const spec = schemas['io.k8s.api.core.v1.WidgetSpec'];
    assert.deepEqual(spec.properties.parts.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Part' });
    assert.equal(spec.properties.parts['x-kubernetes-patch-merge-key'], 'name');
    assert.deepEqual(spec.properties.extra, { description: 'Points nowhere.' });
    assertRefsResolve(core);
    const fruit = docs.get('apis/fruit.example.com/v1') as Json;
    assert.ok(fruit.components.schemas['io.k8s.api.fruit.v1.Apple']);
    assert.ok(!fruit.components.schemas['io.k8s.api.core.v1.Widget']);
    // The list kind has no definition here: operations fall back to an open object.
    assert.deepEqual(fruit.paths['/apis/fruit.example.com/v1/apples'].get.responses['200'].content['application/json'].schema, { type: 'object' });
    assertRefsResolve(fruit);
  });

  it('hashes the serialized bytes (SHA-512, upper-case hex) and is deterministic', () => {
    const a = serializeV3(core);
    const b = serializeV3(buildV3Documents(FAKE_RESOURCES, FAKE_DEFINITIONS).get('api/v1')!);
    assert.ok(a.body.equals(b.body));
    assert.equal(a.hash, createHash('sha512').update(a.body).digest('hex').toUpperCase());
    assert.match(a.hash, /^[0-9A-F]{128}$/);
  });
});

describe('OpenAPI v3 for the built-in registry', () => {
  const index = openapiV3Index();

  it('indexes every served group-version with a hash-pinned URL', () => {
    const expected = [...new Set(RESOURCES.map((r) => v3Key(r.group, r.version)))].sort();
    assert.deepEqual(Object.keys(index.paths).sort(), expected);
    for (const [key, { serverRelativeURL }] of Object.entries(index.paths)) {
      const doc = openapiV3Document(key);
      assert.ok(doc, key);
      assert.equal(serverRelativeURL, `/openapi/v3/${key}?hash=${doc.hash}`);
    }
    assert.equal(openapiV3Document('apis/nope/v1'), undefined);
    assert.equal(openapiV3Document('/api/v1'), openapiV3Document('api/v1'));
  });

  it('renders self-contained documents whose patch operations name their kind', () => {
    for (const key of Object.keys(index.paths)) {
      const doc = JSON.parse(openapiV3Document(key)!.body.toString()) as Json;
      assertRefsResolve(doc);
      const patches = Object.values(doc.paths as Json).map((p: Json) => p.patch).filter(Boolean);
      // Groups of create-only reviews alone (authentication.k8s.io, authorization.k8s.io) have none.
      const reviewsOnly = RESOURCES.filter((x) => v3Key(x.group, x.version) === key).every((x) => REVIEW_RESOURCES.has(x.resource));
      assert.ok(patches.length > 0 || reviewsOnly, `${key} has patch operations`);
      for (const p of patches) {
        assert.ok(p['x-kubernetes-group-version-kind'], `${key} ${p.operationId}`);
        assert.ok(p.parameters.some((q: Json) => q.name === 'fieldValidation'));
      }
      // Every kind of the group-version that the registry defines is among the schemas.
      for (const r of RESOURCES.filter((x) => v3Key(x.group, x.version) === key)) {
        const def = Object.entries(DEFINITIONS).find(([, s]) => (s['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind));
        if (def) assert.ok(doc.components.schemas[def[0]], `${key}: ${def[0]}`);
      }
    }
  });

  it('caches documents', () => {
    assert.equal(openapiV3Document('api/v1'), openapiV3Document('api/v1'));
  });
});
