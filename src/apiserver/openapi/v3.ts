// OpenAPI v3: an index at /openapi/v3 and one document per group-version, each carrying only the
// schemas its operations and kinds reach (k8s.io/kube-openapi/pkg/handler3/handler.go; documents
// as built by kube-openapi pkg/builder3). The index pins every document by a hash of its bytes,
// so a schema change changes the URL and clients' caches miss.
import { createHash } from 'node:crypto';
import { DEFINITIONS } from '../../api/schema/index.ts';
import type { Definitions } from '../../api/schema/index.ts';
import { allResources, onResourcesChanged, type ResourceInfo } from '../../api/scheme.ts';
import { openapiInfo } from './info.ts';
import { bodyDefinition, bodySchema, gvkExtension, indexKinds, type KindIndex } from './kinds.ts';
import { allPaths, type OperationSpec, type ParamSpec } from './operations.ts';
import { definitionClosure, renderSchema, type JsonSchema } from './render-schema.ts';

export interface V3Document {
  body: Buffer;
  hash: string;
}

/** `api/v1`, `apis/apps/v1`: the index key of a group-version. */
export function v3Key(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** One OpenAPI 3.0 document per served group-version, keyed as in the index. */
export function buildV3Documents(resources: readonly ResourceInfo[], defs: Readonly<Definitions>): Map<string, object> {
  const kinds = indexKinds(defs);
  const byKey = new Map<string, ResourceInfo[]>();
  for (const r of resources) {
    const key = v3Key(r.group, r.version);
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const out = new Map<string, object>();
  for (const [key, rs] of byKey) out.set(key, buildV3Document(rs, defs, kinds));
  return out;
}

function buildV3Document(resources: readonly ResourceInfo[], defs: Readonly<Definitions>, kinds: KindIndex): object {
  const group = resources[0]?.group ?? '';
  const version = resources[0]?.version ?? '';
  const roots = new Set<string>();
  // The group-version's own kinds, whether or not an operation mentions them (explain finds a
  // kind by its x-kubernetes-group-version-kind in components.schemas).
  for (const [name, s] of Object.entries(defs)) {
    if ((s['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === group && g.version === version)) roots.add(name);
  }
  const paths: JsonSchema = {};
  for (const p of allPaths(resources)) {
    const item: JsonSchema = {};
    for (const op of p.operations) {
      item[op.method] = renderOperation(op, defs, kinds);
      for (const body of [op.requestBody?.body, ...op.responses.map((r) => r.body)]) {
        const name = body && bodyDefinition(body, kinds, defs);
        if (name) roots.add(name);
      }
    }
    item.parameters = p.params.map(renderParam);
    paths[p.path] = item;
  }
  const schemas: JsonSchema = {};
  for (const name of definitionClosure(roots, defs)) schemas[name] = renderSchema('v3', defs[name]!, defs);
  return {
    openapi: '3.0.0',
    info: openapiInfo(),
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

function renderParam(p: ParamSpec): JsonSchema {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

function renderOperation(op: OperationSpec, defs: Readonly<Definitions>, kinds: KindIndex): JsonSchema {
  const out: JsonSchema = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.params.length) out.parameters = op.params.map(renderParam);
  if (op.requestBody) {
    const schema = bodySchema('v3', op.requestBody.body, kinds, defs);
    const content: JsonSchema = {};
    for (const ct of op.requestBody.contentTypes) content[ct] = { schema };
    out.requestBody = { content, ...(op.action === 'delete' || op.action === 'deletecollection' ? {} : { required: true }) };
  }
  const responses: JsonSchema = {};
  for (const r of op.responses) {
    const resp: JsonSchema = { description: r.description };
    if (r.body) {
      const schema = bodySchema('v3', r.body, kinds, defs);
      const content: JsonSchema = {};
      for (const ct of op.produces) content[ct] = { schema };
      resp.content = content;
    }
    responses[r.code] = resp;
  }
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = gvkExtension(op.gvk);
  return out;
}

/** The serialized document and its hash (SHA-512, upper-case hex, as kube-openapi's handler3). */
export function serializeV3(doc: object): V3Document {
  const body = Buffer.from(JSON.stringify(doc));
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

let cache: Map<string, V3Document> | undefined;
onResourcesChanged(() => { cache = undefined; });

function documents(): Map<string, V3Document> {
  if (!cache) {
    cache = new Map();
    for (const [key, doc] of buildV3Documents(allResources(), DEFINITIONS)) cache.set(key, serializeV3(doc));
  }
  return cache;
}

export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, doc] of documents()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  return { paths };
}

export function openapiV3Document(key: string): V3Document | undefined {
  return documents().get(key.replace(/^\/+|\/+$/g, ''));
}
