// PATCH bodies: pick the patch format by Content-Type and apply it to the current object
// (the patch mechanisms of apiserver/pkg/endpoints/handlers/patch.go). Errors come out as
// StatusError: 400 for an unreadable patch, 422 for one that cannot be applied, 413 for too many
// JSON Patch operations, 415 for an unknown content type.
// Every patch body is depth-checked before it is parsed, and the patched object after: the
// formats nest values (JSON Patch adds a value below a path), so a result may be deeper than
// either input, and everything downstream (validation, storage, watch encoding) recurses per level.
import { badRequest, tooLarge, unsupportedMediaType } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { checkJsonDepth, checkValueBounds } from '../json-bounds.ts';
import { applyJsonPatch } from './json-patch.ts';
import { capped, isObject } from './json-value.ts';
import { applyMergePatch } from './merge-patch.ts';
import { badMetadata, notAnObject, toStatusError } from './status.ts';
import { applyStrategicMergePatch, type SchemaLookup } from './strategic-merge.ts';

export { applyJsonPatch, ACCUMULATED_COPY_SIZE_LIMIT } from './json-patch.ts';
export { applyMergePatch, createMergePatch } from './merge-patch.ts';
export { applyStrategicMergePatch, type SchemaLookup } from './strategic-merge.ts';
export { PatchError, isPatchError, type PatchErrorKind } from './errors.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** The patch types built-in resources accept, in upstream's order (used in the 415 message). */
export const PATCH_CONTENT_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH] as const;

/** Upstream's limit (maxJSONPatchOperations in patch.go). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** The media type without parameters (`; charset=utf-8`), lower-cased. */
export function patchMediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * Apply a PATCH body to `doc` (not mutated). `defName` is the OpenAPI definition of the kind,
 * used by strategic merge patch for merge keys and strategies.
 */
export function applyPatch(contentType: string, doc: KubeObject, patchBody: Buffer | string, defName: string, lookup?: SchemaLookup): KubeObject {
  const type = patchMediaType(contentType);
  if (type === APPLY_PATCH) {
    throw new Error(`${APPLY_PATCH} (server-side apply) is handled by the field manager, not by applyPatch`);
  }
  if (type !== JSON_PATCH && type !== MERGE_PATCH && type !== STRATEGIC_MERGE_PATCH) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${PATCH_CONTENT_TYPES.join(', ')}`);
  }
  const text = typeof patchBody === 'string' ? patchBody : patchBody.toString('utf8');
  checkJsonDepth(text, 'the patch');
  let result: unknown;
  try {
    if (type === JSON_PATCH) result = jsonPatch(doc, text);
    else if (type === MERGE_PATCH) result = mergePatch(doc, text);
    else result = strategicMergePatch(doc, text, defName, lookup);
  } catch (err) {
    // The walkers recurse once per level of the (depth-checked) inputs; should a stack or a string
    // still overflow, that is the patch's doing: answer it, do not crash the request.
    if (err instanceof RangeError) throw badRequest(`the patch cannot be applied: ${capped(err.message, 128)}`);
    throw toStatusError(err);
  }
  if (!isObject(result)) throw notAnObject(result);
  if (!isObject(result.metadata)) throw badMetadata(result.metadata);
  checkValueBounds(result, 'the patched object');
  return result as KubeObject;
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`invalid ${what}: ${capped(err instanceof Error ? err.message : String(err))}`);
  }
}

function jsonPatch(doc: KubeObject, text: string): unknown {
  const patch = parse(text, 'JSON Patch');
  if (Array.isArray(patch) && patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw tooLarge(`Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  return applyJsonPatch(doc, patch);
}

function mergePatch(doc: KubeObject, text: string): unknown {
  // evanphx/json-patch MergePatch: unparsable, null or scalar patches are ErrBadJSONPatch
  // ("Invalid JSON Patch", 400); an array replaces the document (and fails to decode: 422).
  let patch: unknown;
  try {
    patch = JSON.parse(text) as unknown;
  } catch {
    throw badRequest('Invalid JSON Patch');
  }
  if (!isObject(patch) && !Array.isArray(patch)) throw badRequest('Invalid JSON Patch');
  return applyMergePatch(doc, patch);
}

function strategicMergePatch(doc: KubeObject, text: string, defName: string, lookup: SchemaLookup | undefined): unknown {
  const patch = parse(text, 'strategic merge patch');
  return applyStrategicMergePatch(doc, patch, defName, lookup);
}
