// OpenAPI v2 (Swagger 2.0): one document for everything, served as JSON or as gnostic protobuf
// (k8s.io/kube-openapi/pkg/handler/handler.go). kubectl 1.27–1.28 read only this, in protobuf.
import type { Definitions } from '../../api/schema/index.ts';
import { DEFINITIONS } from '../../api/schema/index.ts';
import { allResources, onResourcesChanged, type ResourceInfo } from '../../api/scheme.ts';
import { encodeSwaggerDocument } from './gnostic-v2.ts';
import { bodySchema, gvkExtension, indexKinds, type KindIndex } from './kinds.ts';
import { allPaths, type OperationSpec, type ParamSpec } from './operations.ts';
import { renderSchema, type JsonSchema } from './render-schema.ts';
import { openapiInfo } from './info.ts';

export function buildV2Document(resources: readonly ResourceInfo[], defs: Readonly<Definitions>): JsonSchema {
  const kinds = indexKinds(defs);
  const paths: JsonSchema = {};
  for (const p of allPaths(resources)) {
    const item: JsonSchema = {};
    for (const op of p.operations) item[op.method] = renderOperation(op, defs, kinds);
    item.parameters = p.params.map(renderParam);
    paths[p.path] = item;
  }
  const definitions: JsonSchema = {};
  for (const name of Object.keys(defs).sort()) definitions[name] = renderSchema('v2', defs[name]!, defs);
  return {
    swagger: '2.0',
    info: openapiInfo(),
    paths,
    definitions,
    securityDefinitions: { BearerToken: { type: 'apiKey', description: 'Bearer token authentication', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}

function renderParam(p: ParamSpec): JsonSchema {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), type: p.type, uniqueItems: true };
}

function renderOperation(op: OperationSpec, defs: Readonly<Definitions>, kinds: KindIndex): JsonSchema {
  const out: JsonSchema = {
    description: op.description,
    consumes: op.requestBody?.contentTypes ?? ['*/*'],
    produces: op.produces,
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
  };
  const params: JsonSchema[] = [];
  if (op.requestBody) {
    const required = op.action !== 'delete' && op.action !== 'deletecollection';
    params.push({ name: 'body', in: 'body', ...(required ? { required: true } : {}), schema: bodySchema('v2', op.requestBody.body, kinds, defs) });
  }
  params.push(...op.params.map(renderParam));
  if (params.length) out.parameters = params;
  const responses: JsonSchema = {};
  for (const r of op.responses) responses[r.code] = { description: r.description, ...(r.body ? { schema: bodySchema('v2', r.body, kinds, defs) } : {}) };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = gvkExtension(op.gvk);
  return out;
}

let json: JsonSchema | undefined;
let proto: Buffer | undefined;
// Rebuilt after custom resources come or go (their definitions are registered before).
onResourcesChanged(() => { json = undefined; proto = undefined; });

/** The v2 document for the current registry (computed once per change; treat it as read-only). */
export function openapiV2Document(): object {
  json ??= buildV2Document(allResources(), DEFINITIONS);
  return json;
}

export function openapiV2Protobuf(): Buffer {
  proto ??= encodeSwaggerDocument(openapiV2Document() as JsonSchema);
  return proto;
}
