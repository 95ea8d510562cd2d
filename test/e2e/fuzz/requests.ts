// Building fuzz cases: a create, an update or a patch of one kind in the fuzz namespace, with a
// body that may hold raw JSON pieces.
import { stringify } from 'yaml';
import type { FuzzCase } from './case.ts';
import { isRaw, toJson } from './json-text.ts';
import { NS, pathOf, targetName, type FuzzKind } from './kinds.ts';

export type Verb = 'create' | 'update' | 'create-yaml';

/** Query parameters as a string, each value percent-encoded. */
export function query(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v!)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function hasRaw(v: unknown, depth = 0): boolean {
  if (isRaw(v)) return true;
  if (depth > 64 || v === null || typeof v !== 'object') return false;
  return Object.values(v).some((x) => hasRaw(x, depth + 1));
}

/** A body as YAML; pieces only JSON can say are sent as JSON, which YAML reads too. */
function yamlBody(v: unknown): Buffer {
  return Buffer.from(hasRaw(v) ? toJson(v) : stringify(v, { lineWidth: 0 }));
}

/** Send `obj` (a whole object of kind `k`) as a create, an update of the kind's target, or a YAML create. */
export function writeCase(group: string, k: FuzzKind, verb: Verb, obj: Record<string, any>, what: string, params: Record<string, string | undefined> = {}): FuzzCase {
  const q = query(params);
  if (verb === 'update') {
    const name = targetName(k);
    if (obj.metadata && typeof obj.metadata === 'object' && !Array.isArray(obj.metadata) && !isRaw(obj.metadata) && typeof obj.metadata.name === 'string') obj.metadata.name = name;
    return { group, method: 'PUT', path: pathOf(k, NS, name) + q, body: Buffer.from(toJson(obj)), contentType: 'application/json', what: `${k.info.kind} update: ${what}`, defName: k.defName };
  }
  const yaml = verb === 'create-yaml';
  return {
    group, method: 'POST', path: pathOf(k, NS) + q,
    body: yaml ? yamlBody(obj) : Buffer.from(toJson(obj)), contentType: yaml ? 'application/yaml' : 'application/json',
    what: `${k.info.kind} create: ${what}`, defName: k.defName,
  };
}

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export function patchCase(group: string, k: FuzzKind, type: keyof typeof PATCH_TYPES, body: string | Buffer, what: string, params: Record<string, string | undefined> = {}, sub?: string): FuzzCase {
  const p = type === 'apply' ? { fieldManager: 'fuzz', ...params } : params;
  return {
    group, method: 'PATCH', path: pathOf(k, NS, targetName(k), sub) + query(p),
    body: Buffer.isBuffer(body) ? body : Buffer.from(body), contentType: PATCH_TYPES[type],
    what: `${k.info.kind}${sub ? `/${sub}` : ''} ${type} patch: ${what}`, defName: k.defName,
  };
}
